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
    assert "target reached in" in result.sentence and "due date" in result.sentence


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
    assert result.sentence == (
        "At this rate, target reached in April 2026, 4 months late "
        "(trend of the latest 6 monthly values)."
    )


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
        monthly(90, 1, 5),
        direction="higher",
        target=D(95),
        amber_threshold=D(93),
        due_date=datetime.date(2026, 6, 30),
    )
    assert result.available is False
    assert result.sentence == (
        "Not enough data for a forecast yet: 5 monthly values, and a trend needs at least 6."
    )
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


def test_patchy_values_refuse_a_forecast_and_say_why():
    # 7 returns figures spread over 14 months, falling: a line through them would go below
    # zero and say "on track"; with half the months missing it means nothing.
    ends = [month_end(datetime.date(2025, m, 1)) for m in (1, 2, 5, 7, 10)]
    ends += [month_end(datetime.date(2026, m, 1)) for m in (1, 2)]
    series = list(zip(ends, [D(9), D(8), D(7), D(5), D(3), D(2), D(1)], strict=True))
    result = forecast(
        series,
        direction="lower",
        target=D(2),
        amber_threshold=D(3),
        due_date=datetime.date(2026, 12, 31),
        decimal_places=0,
        unit="returns",
    )
    assert result.available is False and result.line == []
    assert result.sentence == (
        "No forecast: the latest 7 monthly values are spread over 14 months (7 without a "
        "value), too patchy for a trend to mean anything."
    )


def test_a_count_is_never_forecast_below_zero():
    # Returns fall by 2 a month from 12: a straight line passes zero in July.
    result = forecast(
        monthly(12, -2, 6, start=datetime.date(2026, 1, 31)),
        direction="lower",
        target=D(1),
        amber_threshold=D(2),
        due_date=datetime.date(2026, 12, 31),
        decimal_places=0,
        unit="returns",
    )
    assert result.projected_at_due == 0
    assert min(v for _, v in result.line) == 0
    assert "-" not in result.sentence and "\u2212" not in result.sentence
    assert "(trend of the latest 6 monthly values)" in result.sentence


def test_a_percentage_is_never_forecast_above_100():
    result = forecast(
        monthly(90, 2, 6, start=datetime.date(2026, 1, 31)),
        direction="higher",
        target=D(95),
        amber_threshold=D(93),
        due_date=datetime.date(2027, 12, 31),
        unit="%",
    )
    assert result.projected_at_due == 100
    assert max(v for _, v in result.line) == 100
    assert "100.0%, the highest a value can be, by December 2027" in result.sentence


def test_values_with_no_clear_trend_give_no_forecast():
    values = [90, 97, 91, 96, 92, 95, 90, 97]
    series = [(end, D(v)) for (end, _), v in zip(monthly(0, 0, 8), values, strict=True)]
    result = forecast(
        series,
        direction="higher",
        target=D(95),
        amber_threshold=D(93),
        due_date=datetime.date(2026, 6, 30),
        unit="%",
    )
    assert result.available is False and result.line == []
    assert result.sentence.startswith(
        "No forecast: the latest 8 monthly values show no clear trend"
    )
    assert "Their average is 93.5%, against a target of 95.0%." in result.sentence


def test_no_value_for_three_months_gives_no_forecast():
    # Calibration items overdue: 12 values up to July 2026, nothing since; October is now due.
    result = forecast(
        monthly(5, -0.4, 12, start=datetime.date(2025, 8, 31)),
        direction="lower",
        target=D(0),
        amber_threshold=D(1),
        due_date=datetime.date(2027, 12, 31),
        decimal_places=0,
        unit="items",
        latest_due=datetime.date(2026, 10, 31),
    )
    assert result.available is False and result.line == []
    assert result.sentence == (
        "No forecast: there is no value since July 2026 (3 months missing since), so a trend "
        "would describe the past, not now."
    )


def test_a_forecast_sentence_writes_numbers_as_the_pages_do():
    """Found by the try-out: "They average 1 items against a target of 0 items" (1.42)."""
    from objectives.forecast import _fmt

    assert _fmt(1.42, 1, "items") == "1.4 items"
    assert _fmt(1.0, 0, "items") == "1 item" and _fmt(0.0, 0, "items") == "0 items"
    assert _fmt(96.44, 1, "%") == "96.4%"


# OBJ-10 of the demo (training plan completion, higher is better, target 95%): the values
# climb and the fitted line passed 95% in the summer, while October's 94.8% is still short.
TRAINING = [86.5, 92.7, 87.6, 83.1, 89.3, 91.3, 98.3, 89.4, 100, 90.4, 93.4, 97.0, 98.2, 94.8]


def test_a_crossing_in_the_past_is_not_named_as_the_future():
    """Found by the try-out: "target reached in October 2026" in December 2026."""
    series = [
        (end, D(str(v)))
        for (end, _), v in zip(
            monthly(0, 0, 14, start=datetime.date(2025, 9, 30)), TRAINING, strict=True
        )
    ]
    result = forecast(
        series,
        direction="higher",
        target=D(95),
        amber_threshold=D(90),
        due_date=datetime.date(2027, 12, 31),
        unit="%",
        today=datetime.date(2026, 12, 3),
    )
    assert "target reached in" not in result.sentence
    assert result.sentence.startswith("On the fitted trend the target was reached in ")
    assert result.reach_date < datetime.date(2026, 10, 31)
    assert (
        f"reached in {result.reach_date:%B %Y}, but the latest value, 94.8% for October 2026, "
        "is still short of the target of 95.0%. At this rate, "
    ) in result.sentence
    assert result.sentence.endswith("by December 2027 (trend of the latest 12 monthly values).")


def test_a_crossing_this_month_or_later_is_still_a_forecast():
    # Rising 1 point a month from 80 in January 2025: the line crosses 95 at the start of May
    # 2026, which is still ahead on 3 May.
    result = forecast(
        monthly(80, 1, 12),
        direction="higher",
        target=D(95),
        amber_threshold=D(93),
        due_date=datetime.date(2026, 12, 31),
        unit="%",
        today=datetime.date(2026, 5, 3),
    )
    assert result.sentence.startswith("At this rate, target reached in May 2026, before")


def test_a_passed_due_date_says_what_the_latest_value_shows():
    result = forecast(
        monthly(80, 1, 12),  # 80..91, January to December 2025
        direction="higher",
        target=D(95),
        amber_threshold=D(93),
        due_date=datetime.date(2025, 10, 31),
        unit="%",
        today=datetime.date(2026, 1, 5),
    )
    assert result.will_meet_target is False
    assert result.sentence == (
        "The October 2025 due date has passed: the latest value, 91.0% for December 2025, is "
        "still short of the target of 95.0%. At this rate, target reached in May 2026 "
        "(trend of the latest 12 monthly values)."
    )


def test_the_average_of_a_count_is_named_an_average_and_keeps_one_decimal():
    """A count's average of 1.7 is not written "2 items" (its status was judged on 1.7), and
    the sentence says it is an average."""
    values = [1, 3, 1, 2, 3, 1, 2, 1, 3, 0]
    series = [(end, D(v)) for (end, _), v in zip(monthly(0, 0, 10), values, strict=True)]
    result = forecast(
        series, direction="lower", target=D(0), amber_threshold=D(1),
        due_date=datetime.date(2027, 12, 31), decimal_places=0, unit="items",
    )  # fmt: skip
    assert "Their average is 1.7 items, against a target of 0 items." in result.sentence
