"""RAG status of a KPI value against its objective's thresholds and direction.

The rule, for a value v:
- higher is better: green when v ≥ amber threshold; amber when v ≥ red threshold; else red.
- lower is better:  green when v ≤ amber threshold; amber when v ≤ red threshold; else red.
- within a band:    d = |v - target|; green when d ≤ amber threshold; amber when d ≤ red
  threshold; else red (the thresholds are distances from the target).
A value exactly on a threshold gets the better status. No value: "no data".

`rag_for` answers in Python; `rag_expression` builds the same rule as a SQL CASE, so rollups
compute statuses set-based in the database. Tests hold the two to the same answers.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db.models import Case, CharField, Exists, F, OuterRef, Q, Value, When
from django.db.models.functions import Abs
from django.db.models.lookups import GreaterThanOrEqual, IsNull

from objectives.models import Direction, Measurement, Rag
from objectives.periods import (
    describe,
    latest_due_period_end,
    period_end,
    previous_period_end,
)


def rag_for(
    value: Decimal | None,
    *,
    direction: str,
    target: Decimal,
    amber_threshold: Decimal,
    red_threshold: Decimal,
) -> str:
    if value is None:
        return Rag.NO_DATA
    if direction == Direction.HIGHER:
        if value >= amber_threshold:
            return Rag.GREEN
        return Rag.AMBER if value >= red_threshold else Rag.RED
    if direction == Direction.LOWER:
        if value <= amber_threshold:
            return Rag.GREEN
        return Rag.AMBER if value <= red_threshold else Rag.RED
    distance = abs(value - target)
    if distance <= amber_threshold:
        return Rag.GREEN
    return Rag.AMBER if distance <= red_threshold else Rag.RED


def objective_rag(objective, value: Decimal | None) -> str:
    return rag_for(
        value,
        direction=objective.direction,
        target=objective.target,
        amber_threshold=objective.amber_threshold,
        red_threshold=objective.red_threshold,
    )


def no_data_sentence(objective, today: datetime.date) -> str:
    """Why an objective has no status, in words: no value logged yet (and when the first is or
    was due), or the value of the period now due is missing. "" when it has a status."""
    if objective.current_status != Rag.NO_DATA:
        return ""
    due_days = datetime.timedelta(days=objective.data_due_days)
    if objective.current_period_end is None:
        first = period_end(objective.frequency, objective.start_date)
        tense = "was" if first + due_days < today else "is"
        return (
            f"No data yet: no value has been logged. The first, for "
            f"{describe(objective.frequency, first)}, {tense} due by "
            f"{(first + due_days):%-d %b %Y}."
        )
    frequency = objective.frequency
    missing = latest_due_period_end(frequency, objective.data_due_days, today)
    sentence = (
        f"No data: the value for {describe(frequency, missing)} was due by "
        f"{(missing + due_days):%-d %b %Y} and is missing"
    )
    count, end = 0, missing
    while end > objective.current_period_end:
        count, end = count + 1, previous_period_end(frequency, end)
    if count > 1:
        sentence += f", with {count - 1} more before it (none since {describe(frequency, end)})"
    if objective.current_period_end > missing:
        # Overdue is per period: a value logged early for a later one does not stand in for it.
        sentence += (
            f" (a value for {describe(frequency, objective.current_period_end)} is logged "
            "already, but it does not replace the missing one)"
        )
    return sentence + "."


def due_value_missing(due_end: datetime.date | str) -> Q:
    """The SQL half of the "no data" rule, over objectives: the period ending `due_end` (a date,
    or the name of an annotation holding one) is due for the objective (it had started by then)
    and has no value. Checked per period, so a value logged early for a later period does not
    hide the missing one."""
    if isinstance(due_end, str):
        inner, outer = OuterRef(due_end), F(due_end)
    else:
        inner = outer = Value(due_end)
    has_value = Measurement.objects.filter(objective=OuterRef("pk"), period_end=inner)
    return Q(start_date__lte=outer) & ~Exists(has_value)


def rag_expression(value, prefix: str = "") -> Case:
    """The RAG rule as a SQL expression over `value` (an expression) and the objective's
    columns, reached through `prefix` (e.g. "objective__" from a rollup or measurement)."""

    def col(name: str) -> F:
        return F(f"{prefix}{name}")

    higher = Q(**{f"{prefix}direction": Direction.HIGHER})
    lower = Q(**{f"{prefix}direction": Direction.LOWER})
    band = Q(**{f"{prefix}direction": Direction.BAND})
    distance = Abs(value - col("target"))
    return Case(
        When(IsNull(value, True), then=Value(Rag.NO_DATA)),
        When(higher & _ge(value, col("amber_threshold")), then=Value(Rag.GREEN)),
        When(higher & _ge(value, col("red_threshold")), then=Value(Rag.AMBER)),
        When(higher, then=Value(Rag.RED)),
        When(lower & _ge(col("amber_threshold"), value), then=Value(Rag.GREEN)),
        When(lower & _ge(col("red_threshold"), value), then=Value(Rag.AMBER)),
        When(lower, then=Value(Rag.RED)),
        When(band & _ge(col("amber_threshold"), distance), then=Value(Rag.GREEN)),
        When(band & _ge(col("red_threshold"), distance), then=Value(Rag.AMBER)),
        default=Value(Rag.RED),
        output_field=CharField(),
    )


def _ge(left, right) -> GreaterThanOrEqual:
    """`left >= right` between two expressions, as a condition usable in When()."""
    return GreaterThanOrEqual(left, right)
