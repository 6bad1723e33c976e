"""Resource requests, decisions by top management, and spend (ISO 9001 7.1)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from leadership.models import ResourceAllocation, ResourceSpend
from qms.core.immutable import NotAllowed, TransitionError
from qms.core.models import Membership
from qms.core.roles import APPROVER_ROLES, Role

ALLOCATION_FIELDS = {
    "kind",
    "title",
    "justification",
    "objective",
    "org_unit",
    "amount",
    "unit",
    "period_start",
    "period_end",
}


def _check_same_organization(allocation: ResourceAllocation) -> None:
    errors = {}
    if (
        allocation.objective_id
        and allocation.objective.organization_id != allocation.organization_id
    ):
        errors["objective"] = "Choose an objective of this organisation."
    if allocation.org_unit_id and allocation.org_unit.organization_id != allocation.organization_id:
        errors["org_unit"] = "Choose a unit of this organisation."
    if not allocation.objective_id and not allocation.org_unit_id:
        errors["objective"] = "Say which objective or unit the resource is for."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def allocation_request(*, membership: Membership, **fields) -> ResourceAllocation:
    if membership.role == Role.AUDITOR:
        raise NotAllowed("Auditors cannot request resources.")
    unknown = set(fields) - ALLOCATION_FIELDS
    if unknown:
        raise ValueError(f"Unknown fields: {', '.join(sorted(unknown))}")
    allocation = ResourceAllocation(
        organization_id=membership.organization_id, requested_by=membership, **fields
    )
    if not allocation.unit and allocation.kind == ResourceAllocation.Kind.BUDGET:
        allocation.unit = membership.organization.currency
    _check_same_organization(allocation)
    allocation._history_user = membership.user
    allocation.full_clean()
    allocation.save()
    return allocation


@transaction.atomic
def allocation_decide(
    *, allocation: ResourceAllocation, approver: Membership, approve: bool, comment: str = ""
) -> ResourceAllocation:
    """An executive approves or rejects a request. Only top management decides on resources."""
    if approver.role not in APPROVER_ROLES:
        raise NotAllowed(
            "Only an executive (top management) can approve or reject resources, "
            "including resources you requested yourself."
        )
    if approver.organization_id != allocation.organization_id:
        raise TransitionError("Only an executive of this organisation can decide.")
    locked = ResourceAllocation.objects.select_for_update().get(pk=allocation.pk)
    if locked.status != ResourceAllocation.Status.REQUESTED:
        raise TransitionError(f"This request was already {locked.get_status_display().lower()}.")
    if not approve and not comment.strip():
        raise TransitionError("Say why when rejecting a request.")
    locked.status = (
        ResourceAllocation.Status.APPROVED if approve else ResourceAllocation.Status.REJECTED
    )
    locked.decided_by = approver
    locked.decided_at = timezone.now()
    locked.decision_comment = comment.strip()
    locked._history_user = approver.user
    locked._change_reason = "Approved" if approve else "Rejected"
    locked.full_clean()
    locked.save()
    return locked


@transaction.atomic
def spend_record(
    *,
    allocation: ResourceAllocation,
    membership: Membership,
    date: datetime.date,
    amount: Decimal,
    note: str = "",
) -> ResourceSpend:
    if membership.role == Role.AUDITOR:
        raise NotAllowed("Auditors cannot record spend.")
    if allocation.organization_id != membership.organization_id:
        raise TransitionError("This allocation is not your organisation's.")
    if allocation.status != ResourceAllocation.Status.APPROVED:
        raise TransitionError("Spend can be recorded only against an approved allocation.")
    spend = ResourceSpend(
        organization_id=allocation.organization_id,
        allocation=allocation,
        date=date,
        amount=amount,
        note=note,
        recorded_by=membership.user,
    )
    spend._history_user = membership.user
    spend.full_clean()
    spend.save()
    return spend
