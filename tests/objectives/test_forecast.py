"""The forecast on known series: a perfect line projects exactly."""

import datetime
from decimal import Decimal as D

from objectives.forecast import forecast
from objectives.periods import month_end


def monthly(start_value: float, step: float, months: int, start=datetime.date(2025, 1, 31)):
    series, day = [], start
    for i in range(months):
        series.append((day, D(str(round(start_value + step * i, 6)))))
        day = month_end(day + datetime.timedelta(days=1))
    return series


def test_linear_series_projects_to_the_due_date():
    # Values rise ~1 point per month; the fit is exact on a straight line in time.
    series = [
        (datetime.date(2025, 1, 1) + datetime.timedelta(days=30 * i), D(80 + i)) for i in range(10)
    ]
    result = forecast(
        series,
        direction="higher",
        target=D(95),
        amber_threshold=D(93),
        due_date=datetime.date(2025, 1, 1) + datetime.timedelta(days=30 * 20),
    )
    assert abs(result.projected_at_due - 100.0) < 1e-6
    assert result.will_meet_target is True
    # Crosses 95 at 15 periods of 30 days after the first value.
    assert result.reach_date == datetime.date(2025, 1, 1) + datetime.timedelta(days=450)
    assert "target reached in" in result.sentence and "before the due date" in result.sentence


def test_late_target_says_how_many_months_late():
    series = monthly(80, 1, 6)  # Jan-Jun 2025: 80..85, +1 a month
    result = forecast(
        series,
        direction="higher",
        target=D(95),
        amber_threshold=D(93),
        due_date=datetime.date(2025, 12, 31),
        unit="%",
    )
    assert result.will_meet_target is False
    assert result.reach_date.year == 2026 and result.reach_date.month == 4
    assert result.months_late == 4
    assert result.sentence == "At this rate, target reached in April 2026, 4 months late."


def test_trend_away_from_target_is_said_plainly():
    result = forecast(
        monthly(5, 0.5, 8),
        direction="lower",
        target=D(2),
        amber_threshold=D("2.5"),
        due_date=datetime.date(2026, 6, 30),
        unit="days",
    )
    assert result.will_meet_target is False
    assert "will not be reached" in result.sentence
    assert result.reach_date is None


def test_already_met_and_staying_met_is_on_track():
    result = forecast(
        monthly(96, 0.1, 6),
        direction="higher",
        target=D(95),
        amber_threshold=D(93),
        due_date=datetime.date(2026, 6, 30),
        unit="%",
    )
    assert result.will_meet_target is True
    assert result.sentence.startswith("On track")


def test_too_few_values_give_no_forecast():
    result = forecast(
        monthly(90, 1, 2),
        direction="higher",
        target=D(95),
        amber_threshold=D(93),
        due_date=datetime.date(2026, 6, 30),
    )
    assert result.available is False
    assert "Not enough data" in result.sentence
    assert result.line == []


def test_band_forecast_says_inside_or_outside():
    result = forecast(
        monthly(99.5, 0.0, 6),
        direction="band",
        target=D("99.5"),
        amber_threshold=D("0.3"),
        due_date=datetime.date(2026, 6, 30),
        unit="%",
    )
    assert "inside the band" in result.sentence
