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

from decimal import Decimal

from django.db.models import Case, CharField, F, Q, Value, When
from django.db.models.functions import Abs
from django.db.models.lookups import GreaterThanOrEqual, IsNull

from objectives.models import Direction, Rag


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
