"""How far an objective's current value is towards its target, in % (100 = on target), as a
database expression, so that a page can sort objectives "furthest from target first" and load
only the few it shows.

Same rule as `reviews.charts.attainment` (which works on a review's frozen JSON rows): by
direction, capped at CAP %, floored at 0, and NULL when there is no value yet.
"""

from __future__ import annotations

from django.db.models import Case, F, FloatField, Q, QuerySet, Value, When
from django.db.models.functions import Abs, Cast, Greatest, Least

from objectives.models import Direction, Rag

CAP = 150  # % : an objective far beyond its target does not stretch the chart
# Worst first: what needs attention leads.
STATUS_ORDER = {Rag.RED: 0, Rag.AMBER: 1, Rag.NO_DATA: 2, Rag.GREEN: 3}


def attainment_expression():
    # Cast to float: SQLite divides integers as integers (95 / 100 = 0).
    value = Cast("current_value", FloatField())
    target = Cast("target", FloatField())
    ratio = Case(
        When(Q(direction=Direction.LOWER, current_value=0), then=Value(CAP / 100)),
        When(direction=Direction.LOWER, then=target / value),
        When(Q(direction=Direction.BAND, target=0), then=Value(0.0)),
        When(direction=Direction.BAND, then=Value(1.0) - Abs(value - target) / Abs(target)),
        When(target=0, then=Value(0.0)),
        default=value / target,
        output_field=FloatField(),
    )
    capped = Greatest(Least(ratio * Value(100.0), Value(float(CAP))), Value(0.0))
    # PostgreSQL's GREATEST skips NULLs: without a value, say NULL explicitly.
    return Case(
        When(current_value__isnull=True, then=Value(None)),
        default=capped,
        output_field=FloatField(),
    )


def furthest_from_target_first(objectives: QuerySet) -> QuerySet:
    """Off track first, then at risk, no data, on track; within each, furthest from target
    (lowest attainment), those without a value last; then by code."""
    status_order = Case(
        *(When(current_status=status, then=Value(order)) for status, order in STATUS_ORDER.items()),
        default=Value(9),
    )
    return objectives.annotate(
        attainment=attainment_expression(), status_order=status_order
    ).order_by("status_order", F("attainment").asc(nulls_last=True), "code")
