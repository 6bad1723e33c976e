"""Will the target be met by the due date? A least-squares trend over recent values.

Method: ordinary least squares of value against time over the latest (up to) 12 values, at
least 3 needed; the line is projected to the due date and, where it moves towards the target,
to the day it crosses the target. Plain sentences say what that means.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from objectives.models import Direction

WINDOW = 12
MINIMUM_POINTS = 3


@dataclass
class Forecast:
    sentence: str
    available: bool = False
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


def _months_between(earlier: datetime.date, later: datetime.date) -> int:
    return (later.year - earlier.year) * 12 + later.month - earlier.month


def _fmt(value: float, places: int, unit: str) -> str:
    number = f"{value:,.{places}f}"
    return f"{number}{unit}" if unit == "%" else f"{number} {unit}"


def forecast(
    series: list[tuple[datetime.date, Decimal]],
    *,
    direction: str,
    target: Decimal,
    amber_threshold: Decimal,
    due_date: datetime.date,
    decimal_places: int = 1,
    unit: str = "",
) -> Forecast:
    """Forecast from a measurement series (period end, value), oldest first."""
    points = [(end, float(value)) for end, value in series[-WINDOW:]]
    if len(points) < MINIMUM_POINTS:
        return Forecast(
            sentence=f"Not enough data for a forecast yet ({MINIMUM_POINTS} values are needed)."
        )
    slope, intercept = _fit(points)
    target_f = float(target)
    last_day = points[-1][0]
    projected = intercept + slope * due_date.toordinal()
    due_text = due_date.strftime("%B %Y")
    fmt = lambda v: _fmt(v, decimal_places, unit)  # noqa: E731

    result = Forecast(sentence="", available=True, slope_per_day=slope, projected_at_due=projected)
    if direction == Direction.BAND:
        inside = abs(projected - target_f) <= float(amber_threshold)
        result.will_meet_target = inside
        result.line = [(last_day, intercept + slope * last_day.toordinal()), (due_date, projected)]
        where = "inside" if inside else "outside"
        result.sentence = (
            f"At this rate, {fmt(projected)} by {due_text}: "
            f"{where} the band around {fmt(target_f)}."
        )
        return result

    better = (
        (lambda v: v >= target_f) if direction == Direction.HIGHER else (lambda v: v <= target_f)
    )
    towards = slope > 0 if direction == Direction.HIGHER else slope < 0
    if better(projected) and (towards or better(points[-1][1])):
        result.will_meet_target = True
        if slope and not better(points[-1][1]):
            crossing = datetime.date.fromordinal(round((target_f - intercept) / slope))
            result.reach_date = max(crossing, last_day)
            result.sentence = (
                f"At this rate, target reached in {result.reach_date.strftime('%B %Y')}, "
                f"before the due date ({due_text})."
            )
        else:
            result.sentence = (
                f"On track: at this rate, {fmt(projected)} by {due_text} against a target of "
                f"{fmt(target_f)}."
            )
        result.line = [(last_day, intercept + slope * last_day.toordinal()), (due_date, projected)]
        return result

    result.will_meet_target = False
    if towards and slope:
        crossing = datetime.date.fromordinal(round((target_f - intercept) / slope))
        result.reach_date = crossing
        result.months_late = max(1, _months_between(due_date, crossing))
        late = f"{result.months_late} month{'s' if result.months_late != 1 else ''} late"
        result.sentence = f"At this rate, target reached in {crossing.strftime('%B %Y')}, {late}."
        end = min(crossing, due_date + datetime.timedelta(days=730))
        result.line = [
            (last_day, intercept + slope * last_day.toordinal()),
            (end, intercept + slope * end.toordinal()),
        ]
        return result
    result.sentence = (
        f"At this rate, the target will not be reached: the trend is moving away from it "
        f"({fmt(projected)} by {due_text} against a target of {fmt(target_f)})."
    )
    result.line = [(last_day, intercept + slope * last_day.toordinal()), (due_date, projected)]
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
    )
