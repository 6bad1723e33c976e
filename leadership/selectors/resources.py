"""Resources (ISO 9001 7.1): requested vs approved vs spent, and off-track objectives that have
no approved resources behind them."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db.models import (
    BooleanField,
    Case,
    DecimalField,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from leadership.models import ResourceAllocation, ResourceSpend
from objectives.models import QualityObjective, Rag
from qms.core.models import Organization
from qms.core.tenancy import limit_to_unit

ZERO = Value(Decimal("0"), output_field=DecimalField(max_digits=16, decimal_places=2))


def allocation_list(
    *,
    organization: Organization,
    objective: QualityObjective | None = None,
    unit=None,
    status: str | None = None,
    kind: str | None = None,
    active_on: datetime.date | None = None,
) -> QuerySet[ResourceAllocation]:
    """Allocations with their spend so far (`spent`) and whether it went beyond the approved
    amount (`over_approved`), related rows joined."""
    spent = (
        ResourceSpend.objects.filter(allocation=OuterRef("pk"))
        .order_by()
        .values("allocation")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    allocations = (
        ResourceAllocation.objects.for_organization(organization)
        .select_related("objective", "org_unit", "requested_by__user", "decided_by__user")
        .annotate(spent=Coalesce(Subquery(spent), ZERO))
        .annotate(
            over_approved=Case(
                When(spent__gt=F("amount"), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
    )
    if objective is not None:
        allocations = allocations.filter(objective=objective)
    if unit is not None:
        # The unit rule every surface reads an allocation's unit by (its objective's unit).
        allocations = limit_to_unit(allocations, unit)
    if status:
        allocations = allocations.filter(status=status)
    if kind:
        allocations = allocations.filter(kind=kind)
    if active_on is not None:
        allocations = allocations.filter(period_start__lte=active_on, period_end__gte=active_on)
    return allocations


def totals_by_unit_of_measure(allocations: QuerySet[ResourceAllocation]) -> list[dict]:
    """Requested, approved and spent, per unit of measure (GBP, FTE, ...): never mixing units."""
    spent_rows = (
        ResourceSpend.objects.filter(allocation__in=allocations.values("pk"))
        .values("allocation__unit")
        .annotate(spent=Sum("amount"))
        .order_by()
    )
    spent = {r["allocation__unit"]: r["spent"] for r in spent_rows}
    rows = (
        allocations.order_by()
        .values("unit")
        .annotate(
            requested=Sum("amount"),
            approved=Coalesce(Sum("amount", filter=Q(status="approved")), ZERO),
        )
        .order_by("unit")
    )
    return [{**r, "spent": spent.get(r["unit"], Decimal("0"))} for r in rows]


def off_track_without_resources(organization: Organization) -> QuerySet[QualityObjective]:
    """Active objectives that are red or amber and have no approved allocation (9.3.2 d)."""
    approved = ResourceAllocation.objects.filter(
        objective=OuterRef("pk"), status=ResourceAllocation.Status.APPROVED
    )
    return (
        QualityObjective.objects.for_organization(organization)
        .active()
        .filter(current_status__in=[Rag.RED, Rag.AMBER])
        .annotate(resourced=Exists(approved))
        .filter(resourced=False)
        .select_related("org_unit", "accountable_executive__user")
        .order_by("current_status", "code")
    )
