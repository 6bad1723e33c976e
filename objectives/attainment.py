"""How far an objective's current value is towards its target, in % (100 = on target), as a
database expression, so that a page can sort objectives "furthest from target first" and load
only the few it shows.

Same rule as `reviews.charts.attainment` (which works on a review's frozen JSON rows): by
direction, capped at CAP %, floored at 0, and NULL when there is no current value (none yet,
or status "no data"). A target of 0 has no percentages: met is 100 %, missed is NULL.
"""

from __future__ import annotations

from django.db.models import Case, F, FloatField, Q, QuerySet, Value, When
from django.db.models.functions import Abs, Cast, Greatest, Least

from objectives.models import Direction, Rag

CAP = 150  # % : an objective far beyond its target does not stretch the chart
# Worst first: what needs attention leads.
STATUS_ORDER = {Rag.RED: 0, Rag.AMBER: 1, Rag.NO_DATA: 2, Rag.GREEN: 3}


def attainment_expression(field: str = "current_value", status: str = "current_status"):
    """`field`: the value compared with the target, `status` its status (the dashboard passes
    a value and status as of a past date, annotated on the objectives)."""
    # Cast to float: SQLite divides integers as integers (95 / 100 = 0).
    value = Cast(field, FloatField())
    target = Cast("target", FloatField())
    ratio = Case(
        When(Q(direction=Direction.LOWER, **{field: 0}), then=Value(CAP / 100)),
        When(direction=Direction.LOWER, then=target / value),
        When(direction=Direction.BAND, then=Value(1.0) - Abs(value - target) / Abs(target)),
        default=value / target,
        output_field=FloatField(),
    )
    capped = Greatest(Least(ratio * Value(100.0), Value(float(CAP))), Value(0.0))
    # A target of 0 has no percentages: met is 100 %; missed is NULL (the pages say the value
    # against the target instead).
    zero_target_met = (
        Q(direction=Direction.LOWER, **{f"{field}__lte": 0})
        | Q(direction=Direction.BAND, **{field: 0})
        | Q(direction=Direction.HIGHER, **{f"{field}__gte": 0})
    )
    # PostgreSQL's GREATEST skips NULLs: without a value, say NULL explicitly. A stale value
    # (status "no data": the period now due has none) is not a current attainment either.
    return Case(
        When(**{f"{field}__isnull": True}, then=Value(None)),
        When(**{status: Rag.NO_DATA}, then=Value(None)),
        When(Q(target=0) & zero_target_met, then=Value(100.0)),
        When(target=0, then=Value(None)),
        default=capped,
        output_field=FloatField(),
    )


def furthest_from_target_first(
    objectives: QuerySet, *, value: str = "current_value", status: str = "current_status"
) -> QuerySet:
    """Off track first, then at risk, no data, on track; within each, furthest from target
    (lowest attainment), those without a value last; then by code. `value` and `status` name
    the columns (or annotations) judged: the current ones unless told otherwise."""
    status_order = Case(
        *(When(**{status: rag}, then=Value(order)) for rag, order in STATUS_ORDER.items()),
        default=Value(9),
    )
    return objectives.annotate(
        attainment=attainment_expression(value, status), status_order=status_order
    ).order_by("status_order", F("attainment").asc(nulls_last=True), "code")
