"""Will the target be met by the due date? A least-squares trend over recent values.

Method: ordinary least squares of value against time over the latest (up to) 12 values; the
line is projected to the due date and, where it moves towards the target, to the day it crosses
the target. Plain sentences say what that means and how many values it rests on.

No forecast is made (the sentence says why) where a line would mean nothing: fewer than
MINIMUM_POINTS values, values with too many gaps between them (more than MAX_GAP_SHARE of the
periods they span, up to the period now due, are missing; or MAX_SILENT_PERIODS or more missing
since the last value), or no clear trend (the slope is not at least TREND_T times its
standard error: the values move up and down more than along a line). A projection never leaves
the range a value can take (the objective's valid range; 0-100 for a percentage; not below
zero for a KPI that has never been negative): it stops at the limit.

A forecast speaks of the future only about the future: where the fitted line crosses the target
in a month already past (or before the latest value), the sentence says when the trend reached
it and what the latest value shows, never "target reached in" a month that is over; a due date
already past is said to have passed.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from objectives.models import Direction
from objectives.periods import latest_due_period_end
from objectives.templatetags.objectives_tags import average_places

WINDOW = 12
MINIMUM_POINTS = 6
MAX_GAP_SHARE = 0.25
MAX_SILENT_PERIODS = 3  # periods due since the last value, beyond which a trend is history
TREND_T = 2.0  # about a 90 % chance the slope is not an accident of noise, at 6 to 12 values

_PERIOD_WORDS = {"weekly": ("weekly", "weeks"), "monthly": ("monthly", "months")}
_PERIOD_WORDS["quarterly"] = ("quarterly", "quarters")


@dataclass
class Forecast:
    sentence: str
    available: bool = False
    points: int = 0  # how many values the forecast rests on
    slope_per_day: float = 0.0
    projected_at_due: float | None = None
    reach_date: datetime.date | None = None
    months_late: int | None = None
    will_meet_target: bool | None = None
    # The dashed projection on the chart: from the last value to the due date (or reach date).
    line: list[tuple[datetime.date, float]] = field(default_factory=list)


def _fit(points: list[tuple[datetime.date, float]]) -> tuple[float, float]:
    """Slope and intercept of value = intercept + slope * ordinal day."""
    xs = [p[0].toordinal() for p in points]
    ys = [p[1] for p in points]
    n = len(points)
    mean_x, mean_y = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mean_x) ** 2 for x in xs)
    sxy = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True))
    slope = sxy / sxx if sxx else 0.0
    return slope, mean_y - slope * mean_x


def _trend_is_clear(points: list[tuple[datetime.date, float]], slope: float, intercept: float):
    """Is the slope at least TREND_T standard errors from zero? A perfect line is clear."""
    xs = [p[0].toordinal() for p in points]
    mean_x = sum(xs) / len(xs)
    sxx = sum((x - mean_x) ** 2 for x in xs)
    residual = sum((y - intercept - slope * x) ** 2 for x, (_, y) in zip(xs, points, strict=True))
    if residual <= 1e-12 * max(1.0, sum(y * y for _, y in points)):
        return True
    if not sxx:
        return False
    standard_error = (residual / (len(points) - 2) / sxx) ** 0.5
    return abs(slope) >= TREND_T * standard_error


def _periods_spanned(frequency: str, first: datetime.date, last: datetime.date) -> int:
    if frequency == "weekly":
        return (last - first).days // 7 + 1
    months = _months_between(first, last)
    return months // 3 + 1 if frequency == "quarterly" else months + 1


def _months_between(earlier: datetime.date, later: datetime.date) -> int:
    return (later.year - earlier.year) * 12 + later.month - earlier.month


def _fmt(value: float, places: int, unit: str) -> str:
    """As `objectives_tags.kpi` writes a value ("1 item", "96.4%"), from a float."""
    from objectives.templatetags.objectives_tags import singular_unit

    number = f"{value:,.{places}f}"
    if unit == "%":
        return f"{number}{unit}"
    return f"{number} {singular_unit(unit) if number == '1' else unit}".strip()


def possible_range(
    values: list[float], unit: str, valid_min: Decimal | None, valid_max: Decimal | None
) -> tuple[float | None, float | None]:
    """The range a value can take: the objective's valid range where set; else 0 to 100 for a
    percentage; else not below zero for a KPI that has never been negative (a count)."""
    low = float(valid_min) if valid_min is not None else None
    high = float(valid_max) if valid_max is not None else None
    if unit.strip() == "%":
        low = 0.0 if low is None else low
        high = 100.0 if high is None else high
    if low is None and values and min(values) >= 0:
        low = 0.0
    return low, high


def forecast(
    series: list[tuple[datetime.date, Decimal]],
    *,
    direction: str,
    target: Decimal,
    amber_threshold: Decimal,
    due_date: datetime.date,
    decimal_places: int = 1,
    unit: str = "",
    frequency: str = "monthly",
    valid_min: Decimal | None = None,
    valid_max: Decimal | None = None,
    latest_due: datetime.date | None = None,
    today: datetime.date | None = None,
) -> Forecast:
    """Forecast from a measurement series (period end, value), oldest first. `latest_due` is
    the latest period whose value is due: values missing since the last one count as gaps.
    `today` decides which months are past (default: the latest value's period end)."""
    points = [(end, float(value)) for end, value in series[-WINDOW:]]
    adjective, plural = _PERIOD_WORDS.get(frequency, _PERIOD_WORDS["monthly"])
    n = len(points)
    counted = f"{n} {adjective} value{'s' if n != 1 else ''}"
    if n < MINIMUM_POINTS:
        return Forecast(
            sentence=f"Not enough data for a forecast yet: {counted}, and a trend needs at least "
            f"{MINIMUM_POINTS}.",
            points=n,
        )
    last_end = points[-1][0]
    if latest_due is not None and latest_due > last_end:
        silent = _periods_spanned(frequency, last_end, latest_due) - 1
        if silent >= MAX_SILENT_PERIODS:
            return Forecast(
                sentence=f"No forecast: there is no value since {last_end:%B %Y} ({silent} "
                f"{plural} missing since), so a trend would describe the past, not now.",
                points=n,
            )
    spanned = _periods_spanned(frequency, points[0][0], max(last_end, latest_due or last_end))
    if spanned - n > MAX_GAP_SHARE * spanned:
        return Forecast(
            sentence=f"No forecast: the latest {counted} are spread over {spanned} {plural} "
            f"({spanned - n} without a value), too patchy for a trend to mean anything.",
            points=n,
        )
    slope, intercept = _fit(points)
    if not _trend_is_clear(points, slope, intercept):
        # An average as every average is written (`average_places`): 1.4 items, not "1 items".
        mean = _fmt(sum(v for _, v in points) / n, average_places(decimal_places), unit)
        return Forecast(
            sentence=f"No forecast: the latest {counted} show no clear trend (they move up and "
            f"down more than along a line). Their average is {mean}, "
            f"against a target of {_fmt(float(target), decimal_places, unit)}.",
            points=n,
        )
    low, high = possible_range([v for _, v in points], unit, valid_min, valid_max)

    def at(day: datetime.date) -> float:
        """The trend line on `day`, held inside the range a value can take."""
        value = intercept + slope * day.toordinal()
        if low is not None:
            value = max(value, low)
        return min(value, high) if high is not None else value

    def limit_day() -> datetime.date | None:
        """The day the line reaches the edge of the possible range, if it does."""
        edge = low if slope < 0 else high
        if edge is None or not slope:
            return None
        return datetime.date.fromordinal(round((edge - intercept) / slope))

    def line_to(end: datetime.date) -> list[tuple[datetime.date, float]]:
        line = [(last_day, at(last_day))]
        edge_day = limit_day()
        if edge_day is not None and last_day < edge_day < end:
            line.append((edge_day, at(edge_day)))
        return [*line, (end, at(end))]

    target_f = float(target)
    last_day = points[-1][0]
    raw_projection = intercept + slope * due_date.toordinal()
    projected = at(due_date)
    due_text = due_date.strftime("%B %Y")
    fmt = lambda v: _fmt(v, decimal_places, unit)  # noqa: E731
    basis = f" (trend of the latest {counted})"
    limited = ""
    if projected != raw_projection:
        which = "lowest" if projected > raw_projection else "highest"
        limited = f", the {which} a value can be,"

    result = Forecast(
        sentence="", available=True, slope_per_day=slope, projected_at_due=projected, points=n
    )
    last_value = points[-1][1]
    now = today or last_day

    def is_past(day: datetime.date) -> bool:
        """A month that is over, or a day the latest value already covers: not a forecast."""
        return day <= last_day or (day.year, day.month) < (now.year, now.month)

    if direction == Direction.BAND:
        band = float(amber_threshold)
        if is_past(due_date):
            inside = abs(last_value - target_f) <= band
            result.will_meet_target = inside
            result.sentence = (
                f"The {due_text} due date has passed: the latest value, {fmt(last_value)} for "
                f"{last_day:%B %Y}, is {'inside' if inside else 'outside'} the band around "
                f"{fmt(target_f)}."
            )
            return result
        inside = abs(projected - target_f) <= band
        result.will_meet_target = inside
        result.line = line_to(due_date)
        where = "inside" if inside else "outside"
        result.sentence = (
            f"At this rate, {fmt(projected)}{limited} by {due_text}: "
            f"{where} the band around {fmt(target_f)}{basis}."
        )
        return result

    better = (
        (lambda v: v >= target_f) if direction == Direction.HIGHER else (lambda v: v <= target_f)
    )
    towards = slope > 0 if direction == Direction.HIGHER else slope < 0

    def latest_text() -> str:
        where = "meets" if better(last_value) else "is still short of"
        return (
            f"the latest value, {fmt(last_value)} for {last_day:%B %Y}, {where} the target "
            f"of {fmt(target_f)}"
        )

    if is_past(due_date):
        # The due date is behind us: what the latest value shows is the answer, not a line.
        result.will_meet_target = better(last_value)
        result.sentence = f"The {due_text} due date has passed: {latest_text()}."
        if not better(last_value) and towards and slope:
            crossing = datetime.date.fromordinal(round((target_f - intercept) / slope))
            if not is_past(crossing):
                result.reach_date = crossing
                result.sentence += f" At this rate, target reached in {crossing:%B %Y}{basis}."
                result.line = line_to(min(crossing, now + datetime.timedelta(days=730)))
        return result

    if better(projected) and (towards or better(last_value)):
        result.will_meet_target = True
        result.line = line_to(due_date)
        if slope and not better(last_value):
            crossing = datetime.date.fromordinal(round((target_f - intercept) / slope))
            result.reach_date = crossing
            if is_past(crossing):
                # The line is through the target already, the values not (yet): say both.
                result.sentence = (
                    f"On the fitted trend the target was reached in {crossing:%B %Y}, but "
                    f"{latest_text()}. At this rate, {fmt(projected)}{limited} by "
                    f"{due_text}{basis}."
                )
            else:
                result.sentence = (
                    f"At this rate, target reached in {crossing:%B %Y}, "
                    f"before the {due_text} due date{basis}."
                )
        else:
            result.sentence = (
                f"On track: at this rate, {fmt(projected)}{limited} by {due_text} against a "
                f"target of {fmt(target_f)}{basis}."
            )
        return result

    result.will_meet_target = False
    if towards and slope and better(at(datetime.date.max)):
        crossing = datetime.date.fromordinal(round((target_f - intercept) / slope))
        result.reach_date = crossing
        result.months_late = max(1, _months_between(due_date, crossing))
        late = f"{result.months_late} month{'s' if result.months_late != 1 else ''} late"
        result.sentence = (
            f"At this rate, target reached in {crossing.strftime('%B %Y')}, {late}{basis}."
        )
        result.line = line_to(min(crossing, due_date + datetime.timedelta(days=730)))
        return result
    result.sentence = (
        f"At this rate, the target will not be reached: the trend is moving away from it, to "
        f"{fmt(projected)}{limited} by {due_text} against a target of {fmt(target_f)}{basis}."
    )
    result.line = line_to(due_date)
    return result


def objective_forecast(objective, series) -> Forecast:
    return forecast(
        series,
        direction=objective.direction,
        target=objective.target,
        amber_threshold=objective.amber_threshold,
        due_date=objective.due_date,
        decimal_places=objective.decimal_places,
        unit=objective.unit,
        frequency=objective.frequency,
        valid_min=objective.valid_min,
        valid_max=objective.valid_max,
        latest_due=latest_due_period_end(
            objective.frequency, objective.data_due_days, timezone.localdate()
        ),
        today=timezone.localdate(),
    )
