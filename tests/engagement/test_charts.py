"""Engagement charts: suggestions per month on their month with whole-number counts and a days
axis on round steps; survey rounds labelled level, the legend under them."""

import datetime

from leadership.engagement.charts import suggestions_figure, survey_trend_figure
from leadership.engagement.selectors.suggestions import MonthFigures
from leadership.engagement.selectors.surveys import TrendRow


def test_suggestion_bars_stand_on_their_month_counted_in_whole_suggestions():
    months = [
        MonthFigures(datetime.date(2026, 9, 1), submitted=1, decided=1, days_to_decision=10.2),
        MonthFigures(datetime.date(2026, 10, 1), submitted=2, decided=2, days_to_decision=13.1),
    ]
    figure = suggestions_figure(months)
    submitted = figure["data"][0]
    assert submitted["x"] == ["2026-09-01", "2026-10-01"]
    assert submitted["xperiod"] == "M1"
    layout = figure["layout"]
    assert layout["xaxis"]["tickformat"] == "%b %Y"
    assert (layout["yaxis"]["dtick"], layout["yaxis"]["tickformat"]) == (1, "d")  # not 0.5
    # Days on the right: 0, 5, 10, 15, not 3.28, 6.57, 9.85, 13.14.
    assert (layout["yaxis2"]["tick0"], layout["yaxis2"]["dtick"]) == (0, 5)
    assert layout["yaxis2"]["showgrid"] is False


def test_survey_rounds_are_labelled_on_two_level_lines_with_whole_points_of_score():
    figure = survey_trend_figure(
        ["Round 1 (Mar 2026)", "Round 2 (Jun 2026)"], [TrendRow("Whole organisation", [3, 4])]
    )
    layout = figure["layout"]
    assert layout["xaxis"]["ticktext"] == ["Round 1<br>(Mar 2026)", "Round 2<br>(Jun 2026)"]
    assert layout["yaxis"]["dtick"] == 1 and layout["yaxis"]["range"] == [0.8, 5.2]
    assert layout["legend"]["yref"] == "container"
