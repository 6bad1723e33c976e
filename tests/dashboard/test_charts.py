"""The dashboard's figures, built from known data, carry the expected traces and numbers."""

import datetime
import re
from decimal import Decimal
from types import SimpleNamespace

import pytest

from objectives.models import QualityObjective
from qms.core.actions.selectors import ActionsSummary
from qms.core.spreadsheets import safe_cell
from qms.dashboard import charts
from qms.dashboard.selectors import KpiSeries
from qms.dashboard.tables import as_csv

pytestmark = pytest.mark.django_db


def _row(code, value, target, status, direction="higher"):
    return {
        "code": code,
        "title": f"Objective {code}",
        "status": status,
        "status_label": {"green": "On track", "red": "Off track", "no_data": "No data"}[status],
        "value": value,
        "target": target,
        "direction": direction,
        "url": f"/o/x/objectives/{code}/",
    }


def test_attainment_bars_give_percent_of_target_status_in_words_and_links():
    rows = [
        _row("OBJ-01", "90", "100", "red"),
        _row("OBJ-02", "", "100", "no_data"),  # no value: not drawn
        _row("OBJ-03", "2", "4", "green", direction="lower"),  # lower is better: 200% capped
    ]
    trace = charts.attainment_figure(rows)["data"][0]
    assert trace["x"] == [90.0, 150.0]
    assert trace["y"][0].startswith("OBJ-01")
    assert trace["text"] == ["■ Off track", "● On track"]
    assert trace["customdata"] == ["/o/x/objectives/OBJ-01/", "/o/x/objectives/OBJ-03/"]


def test_review_compliance_shows_days_late_on_time_and_not_held():
    reviews = [
        {"reference": "MR-001", "planned_on": datetime.date(2026, 3, 31),
         "held_on": datetime.date(2026, 4, 14), "status": "held", "days_late": 14},
        {"reference": "MR-002", "planned_on": datetime.date(2026, 6, 30),
         "held_on": datetime.date(2026, 6, 30), "status": "signed_off", "days_late": None},
        {"reference": "MR-003", "planned_on": datetime.date(2026, 9, 30),
         "held_on": None, "status": "planned", "days_late": None},
    ]  # fmt: skip
    trace = charts.review_compliance_figure(reviews)["data"][0]
    assert trace["x"] == ["MR-001 (Mar 2026)", "MR-002 (Jun 2026)", "MR-003 (Sep 2026)"]
    assert trace["y"] == [14, 0, 0]
    assert trace["text"] == ["■ 14 days late", "● on time", "○ not held yet"]


def _month(end, closed=0, on_time=0, ages=(0, 0, 0, 0)):
    return ActionsSummary(
        start=end.replace(day=1),
        end=end,
        as_of=end,
        closed=closed,
        closed_on_time=on_time,
        closed_late=closed - on_time,
        open_by_age=dict(zip(["0-30", "31-60", "61-90", "over-90"], ages, strict=True)),
        open_at_end=sum(ages),
    )


def test_action_closure_stacks_on_time_and_late_with_the_rate():
    months = [_month(datetime.date(2026, 1, 31), 4, 3), _month(datetime.date(2026, 2, 28))]
    on_time, late, rate = charts.action_closure_figure(months)["data"]
    assert on_time["y"] == [3, 0]
    assert late["y"] == [1, 0]
    assert rate["y"] == [75.0, None]  # nothing closed: no rate, not 0%
    assert rate["yaxis"] == "y2"


def test_open_actions_by_age_one_trace_per_bucket():
    figure = charts.open_actions_age_figure([_month(datetime.date(2026, 1, 31), ages=(5, 2, 1, 3))])
    assert [t["name"] for t in figure["data"]] == [
        "Up to 30 days",
        "31 to 60 days",
        "61 to 90 days",
        "Over 90 days",
    ]
    assert [t["y"] for t in figure["data"]] == [[5], [2], [1], [3]]


def test_kpi_small_multiples_one_panel_per_objective_with_target_line():
    a = QualityObjective(code="OBJ-01", target=Decimal("95"), unit="%", current_status="red")
    b = QualityObjective(code="OBJ-02", target=Decimal("3"), unit="days", current_status="green")
    series = [
        KpiSeries(a, [(datetime.date(2026, 1, 31), 90.0, "red"),
                      (datetime.date(2026, 2, 28), 96.0, "green")]),
        KpiSeries(b, [(datetime.date(2026, 2, 28), 2.5, "green")]),
    ]  # fmt: skip
    figure = charts.kpi_multiples_figure(series)
    values = [t for t in figure["data"] if not t["name"].endswith("target")]
    targets = [t for t in figure["data"] if t["name"].endswith("target")]
    assert [t["y"] for t in values] == [[90.0, 96.0], [2.5]]
    assert [t["xaxis"] for t in values] == ["x", "x2"]
    assert values[0]["marker"]["symbol"] == ["square", "circle"]  # shape as well as colour
    assert [t["y"] for t in targets] == [[95.0, 95.0], [3.0, 3.0]]
    assert "Off track" in figure["layout"]["annotations"][0]["text"]
    assert "xaxis2" in figure["layout"]


def test_csv_cells_that_look_like_formulas_are_quoted():
    assert safe_cell('=HYPERLINK("http://x")') == '\'=HYPERLINK("http://x")'
    assert safe_cell("+1") == "'+1"
    assert safe_cell("@SUM(A1)") == "'@SUM(A1)"
    assert safe_cell("-2") == "'-2"
    assert safe_cell(-2) == "-2"  # a number stays a number
    assert safe_cell("OBJ-01") == "OBJ-01"


def test_csv_has_the_columns_then_one_line_per_row():
    from qms.dashboard.tables import Panel

    panel = Panel("x", "X", "", ["Code", "Value"], [["OBJ-01", 3], ["=cmd", 4]])
    assert as_csv(panel).splitlines() == ["Code,Value", "OBJ-01,3", "'=cmd,4"]


# What a reader notices: bars on their month, the month named, whole-number counts, round
# rates, titles that do not run into each other.


def _year_of_months(today=datetime.date(2026, 12, 3)):
    """Twelve months to today, as the dashboard builds them: the last one still running."""
    months = []
    for month in range(1, 13):
        end = datetime.date(2026, month % 12 + 1, 1) if month < 12 else datetime.date(2027, 1, 1)
        end -= datetime.timedelta(days=1)
        summary = _month(end, closed=2 if month == 12 else 0, on_time=1 if month == 12 else 0,
                         ages=(month, 1, 0, 0))  # fmt: skip
        if end > today:
            summary = ActionsSummary(**{**summary.__dict__, "as_of": today})
        months.append(summary)
    return months


def test_monthly_bars_stand_on_their_month_and_the_axis_names_it():
    months = _year_of_months()
    for figure in (charts.action_closure_figure(months), charts.open_actions_age_figure(months)):
        for trace in figure["data"]:
            # December's bar spans December (from the 1st, centred), not a point on the 31st
            # that the axis draws under "Jan 27", nor a 2-day sliver ending on the 3rd.
            assert trace["x"][0] == "2026-01-01"
            assert trace["x"][-1] == "2026-12-01"
            assert (trace["xperiod"], trace["xperiodalignment"]) == ("M1", "middle")
        axis = figure["layout"]["xaxis"]
        assert axis["type"] == "date"
        assert axis["tickformat"] == "%b %Y"  # "Dec 2026", never "Dec 26"
        assert axis["dtick"] == "M1"
        assert axis["tick0"].endswith("-16")  # under the middle of each bar
        # A narrow chart names fewer months, still on whole months.
        assert figure["narrow"]["xaxis.dtick"] in {"M2", "M3"}


def test_count_axes_tick_on_whole_numbers_from_zero():
    months = _year_of_months()
    closure = charts.action_closure_figure(months)["layout"]["yaxis"]
    assert closure["rangemode"] == "tozero"
    assert closure["dtick"] == 1 and closure["tickformat"] == "d"  # 2 closed: 0, 1, 2
    ages = charts.open_actions_age_figure(months)["layout"]["yaxis"]
    assert ages["dtick"] == 5 and ages["range"][0] == 0  # up to 13 open: 0, 5, 10, 15


def test_the_on_time_rate_reads_0_25_50_75_100_per_cent():
    axis = charts.action_closure_figure(_year_of_months())["layout"]["yaxis2"]
    assert axis["tickmode"] == "array"  # not synced to the left axis's ticks (24.9, 49.9 …)
    assert axis["ticktext"] == ["0%", "25%", "50%", "75%", "100%"]
    assert axis["tickvals"] == [0, 25, 50, 75, 100]


def test_legends_sit_under_the_axis_labels_not_on_them():
    months = _year_of_months()
    rows = [SimpleNamespace(label="Whole organisation", means=[3.0, 4.1]),
            SimpleNamespace(label="Leeds Assembly", means=[3.1, 4.0])]  # fmt: skip
    rounds = ["Round 1 (Mar 2026)", "Round 2 (Jun 2026)"]
    for figure in (
        charts.action_closure_figure(months),
        charts.open_actions_age_figure(months),
        charts.survey_trend_figure(rounds, rows),
    ):
        legend = figure["layout"]["legend"]
        assert (legend["yref"], legend["y"], legend["yanchor"]) == ("container", 0, "bottom")
    axis = charts.survey_trend_figure(rounds, rows)["layout"]["xaxis"]
    assert axis["ticktext"] == ["Round 1<br>(Mar 2026)", "Round 2<br>(Jun 2026)"]


def words_are_whole(shown: str, full: str) -> bool:
    """Every word of a label as drawn (markup and the ellipsis left out) is a word of the full
    text: nothing was cut inside a word ("…within 60 day", "indings closed")."""
    words = re.sub("<[^>]+>", " ", shown).replace("…", " ").split()
    return bool(words) and all(word in full.split() for word in words)


def _objective(code, title, status="red"):
    return QualityObjective(
        code=code, title=title, target=Decimal("90"), unit="%", current_status=status
    )


def test_kpi_small_multiples_titles_keep_clear_of_each_other_and_go_to_one_column_on_a_phone():
    titles = ["Audit findings closed within 60 days of the audit report being issued to the site",
              "Scrap rate",
              "Internal nonconformities closed on time", "Energy use per part"]  # fmt: skip
    series = [
        KpiSeries(_objective(f"OBJ-{i:02}", t), [(datetime.date(2026, m, 28), 70.0, "red")
                                                 for m in range(1, 11)])
        for i, t in enumerate(titles, start=1)
    ]  # fmt: skip
    figure = charts.kpi_multiples_figure(series)
    layout, notes = figure["layout"], figure["layout"]["annotations"]
    for i, note in enumerate(notes):
        n = "" if i == 0 else str(i + 1)
        bottom, top = layout[f"yaxis{n}"]["domain"]
        assert note["y"] > top  # the title is over its own chart …
        lines = note["text"].split("<br>")
        assert len(lines) <= 3
        # … and no wider than its column (about 6.5 px a character in 250 px or more).
        assert all(len(re.sub("<[^>]+>", "", line)) <= 40 for line in lines[:-1])
        below = [layout[f"yaxis{j}"]["domain"][1] for j in ("3", "4") if i < 2]
        for top_below in below:  # the row under it starts lower than its axis labels end
            assert bottom - top_below > 0.1
    # The whole title is in the hover, and no title is cut inside a word.
    assert notes[0]["hovertext"] == "OBJ-01 " + titles[0]
    assert notes[0]["text"].count("…") == 1
    assert words_are_whole(notes[0]["text"].rsplit("<br>", 1)[0], "OBJ-01 " + titles[0])
    narrow = figure["narrow"]
    assert all(narrow[f"xaxis{n}.domain"] == [0, 1] for n in ("", "2", "3", "4"))
    assert narrow["height"] > layout["height"]


def test_a_year_of_quarterly_reviews_reads_one_a_line_on_a_phone():
    """Four reviews in the period (a quarterly schedule, the demo's since it covers 2025) put
    four columns side by side on a phone, their labels over each other and the axis' "0"."""
    reviews = [
        {"reference": f"MR-00{n}", "planned_on": datetime.date(2026, 3 * n, 20),
         "held_on": datetime.date(2026, 3 * n, 20) + datetime.timedelta(days=late) if n < 4
         else None, "status": "held" if n < 4 else "planned", "days_late": late or None}
        for n, late in ((1, 0), (2, 14), (3, 2), (4, 0))
    ]  # fmt: skip
    figure = charts.review_compliance_figure(reviews)
    narrow = figure["narrow"]
    assert narrow["data.0.orientation"] == "h"
    assert narrow["data.0.y"] == figure["data"][0]["x"] and narrow["data.0.x"] == [0, 14, 2, 0]
    # Whole labels on one line, each with the rest of its line to the right of its bar.
    assert narrow["data.0.text"] == ["● on time", "■ 14 days late", "■ 2 days late",
                                     "○ not held yet"]  # fmt: skip
    assert narrow["xaxis"]["range"][1] > 1.5 * 14
    assert narrow["yaxis"]["ticktext"][0] == "MR-001<br>(Mar 2026)"


def test_review_compliance_counts_whole_days_and_labels_fit_under_their_bar():
    reviews = [
        {"reference": "MR-001", "planned_on": datetime.date(2026, 3, 31),
         "held_on": datetime.date(2026, 4, 2), "status": "held", "days_late": 2},
    ]  # fmt: skip
    layout = charts.review_compliance_figure(reviews)["layout"]
    # Whole days on round ticks; the scale reaches two weeks, so 2 days reads as short.
    assert layout["yaxis"]["dtick"] in (1, 2, 5) and layout["yaxis"]["tickformat"] == "d"
    assert layout["xaxis"]["ticktext"] == ["MR-001<br>(Mar 2026)"]


def test_a_kpi_counted_in_whole_items_ticks_on_whole_numbers():
    overdue = QualityObjective(code="OBJ-09", title="Calibration due items overdue",
                               target=Decimal("0"), unit="items", decimal_places=0,
                               current_status="green")  # fmt: skip
    series = [KpiSeries(overdue, [(datetime.date(2026, m, 28), v, "green")
                                  for m, v in ((1, 1.0), (2, 2.0), (3, 0.0))])]  # fmt: skip
    axis = charts.kpi_multiples_figure(series)["layout"]["yaxis"]
    assert (axis["dtick"], axis["tickformat"]) == (1, "d")  # 0, 1, 2: not 0, 0.5, 1, 1.5


def test_a_small_chart_whose_values_stop_early_says_so_and_has_no_axis_title_to_collide():
    """Issue 21: OBJ-13's "kWh" axis title ran into its "1.55" tick, and its line ended in July
    while the others ran to October with nothing to say why."""
    energy = QualityObjective(code="OBJ-13", title="Energy use per part", target=Decimal("1.5"),
                              unit="kWh", decimal_places=2, current_status="no_data")  # fmt: skip
    scrap = QualityObjective(code="OBJ-05", title="Scrap rate", target=Decimal("2"), unit="%",
                             decimal_places=1, current_status="green")  # fmt: skip
    series = [
        KpiSeries(energy, [(datetime.date(2026, m, 28), 1.55, "green") for m in range(1, 8)]),
        KpiSeries(scrap, [(datetime.date(2026, m, 28), 1.9, "green") for m in range(1, 11)]),
    ]
    figure = charts.kpi_multiples_figure(series)
    notes = figure["layout"]["annotations"]
    assert notes[0]["text"].endswith("target 1.50 kWh<br>No values after July 2026")
    assert "No values after" not in notes[1]["text"]
    assert "title" not in figure["layout"]["yaxis"]  # the unit is in the chart's title
    assert charts.series_stopped_early(series) == {datetime.date(2026, 7, 28): ["OBJ-13"]}
