"""Checks on a single KPI value, shared by the entry form, the API and imports, so that each
says the same thing about the same mistake."""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation

from django.utils import timezone

from objectives.models import ABSOLUTE_VALUE_LIMIT, QualityObjective
from objectives.periods import describe, is_period_end, period_end


def parse_value(raw) -> Decimal:
    """A number written with '.' as the decimal mark; raises ValueError with a sentence."""
    if isinstance(raw, Decimal):
        value = raw
    elif isinstance(raw, int | float) and not isinstance(raw, bool):
        value = Decimal(str(raw))
    else:
        text = str(raw if raw is not None else "").strip()
        if not text:
            raise ValueError("the value is empty")
        try:
            value = Decimal(text)
        except InvalidOperation:
            raise ValueError(f'"{text[:40]}" is not a number (use "." for decimals)') from None
    if not value.is_finite():
        raise ValueError("the value is not a finite number")
    return value


def parse_period_end(raw) -> datetime.date:
    if isinstance(raw, datetime.datetime):
        return raw.date()
    if isinstance(raw, datetime.date):
        return raw
    text = str(raw if raw is not None else "").strip()
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise ValueError(f'"{text[:40]}" is not a date in the form YYYY-MM-DD') from None


def value_problem(objective: QualityObjective, value: Decimal) -> str | None:
    """Why this value cannot be right for this objective, or None."""
    if abs(value) >= ABSOLUTE_VALUE_LIMIT:
        return f"value {value} is out of range"
    if value.as_tuple().exponent < -6:  # type: ignore[operator]
        return f"value {value} has more than 6 decimal places"
    problem = decimals_problem(objective, value)
    if problem:
        return problem
    if objective.valid_min is not None and value < objective.valid_min:
        return (
            f"value {value.normalize():f} is below {objective.valid_min.normalize():f}, the "
            "lowest valid value "
            f"for {objective.code}"
        )
    if objective.valid_max is not None and value > objective.valid_max:
        return (
            f"value {value.normalize():f} is above {objective.valid_max.normalize():f}, the "
            "highest valid value "
            f"for {objective.code}"
        )
    return None


def decimal_places_of(value: Decimal) -> int:
    """How many decimals a value really has: 93.40 has 1 (a trailing zero adds nothing)."""
    exponent = value.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def decimals_problem(objective: QualityObjective, value: Decimal) -> str | None:
    """A value more precise than the objective's decimal places would be stored and then shown
    rounded (93.456 read as 93.5): refused, so what is shown is what was given."""
    has, takes = decimal_places_of(value), objective.decimal_places
    if has <= takes:
        return None
    shown = f"{value.normalize():f}"
    if takes == 0:
        return f"{objective.code} takes whole numbers; {shown} has {has} decimal place" + (
            "s" if has != 1 else ""
        )
    return (
        f"{objective.code} takes {takes} decimal place{'s' if takes != 1 else ''}; "
        f"{shown} has {has}"
    )


def period_problem(
    objective: QualityObjective, end: datetime.date, today: datetime.date | None = None
) -> str | None:
    """Why a value cannot be recorded for the period ending on `end`, or None. A period that
    has not ended has no value yet: one logged early would judge the objective on part of it."""
    if not is_period_end(objective.frequency, end):
        expected = period_end(objective.frequency, end)
        frequency = objective.get_frequency_display().lower()
        return (
            f"period {end.isoformat()} is not a period end for {frequency} "
            f"objective {objective.code} (did you mean {expected.isoformat()}, "
            f"{describe(objective.frequency, expected)}?)"
        )
    first_allowed = period_end(objective.frequency, objective.start_date)
    if end < first_allowed:
        return (
            f"period {end.isoformat()} is before {objective.code} started "
            f"(on {objective.start_date:%-d %b %Y})"
        )
    today = today or timezone.localdate()
    if end >= today:
        after_end = end + datetime.timedelta(days=1)
        return (
            f"{describe(objective.frequency, end)} has not ended yet: the value of "
            f"{objective.code} for it can be recorded from {after_end:%-d %b %Y}"
        )
    return None
