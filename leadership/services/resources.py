"""Resource requests, decisions by top management, and spend (ISO 9001 7.1)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from leadership.models import ResourceAllocation, ResourceSpend
from leadership.models.resources import amount_text
from leadership.permissions import can_record_spend
from qms.core.immutable import NotAllowed, TransitionError
from qms.core.models import Membership
from qms.core.notifications.services import waiting_refresh
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
    waiting_refresh(organization=membership.organization, about=allocation)  # executives told
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
    waiting_refresh(organization=approver.organization, about=locked)  # resolved for all
    return locked


OVERSPENT_KIND = "resource_overspent"


def _amount(value: Decimal, unit: str) -> str:
    return f"{amount_text(value)} {unit}"


@transaction.atomic
def spend_record(
    *,
    allocation: ResourceAllocation,
    membership: Membership,
    date: datetime.date,
    amount: Decimal,
    note: str = "",
    over_reason: str = "",
) -> ResourceSpend:
    """Record spend against an approved allocation. Only its requester, the owner of its
    objective and quality managers may; spend that takes the total beyond the approved amount
    needs a reason, and the executive who approved the allocation is told."""
    if membership.role == Role.AUDITOR:
        raise NotAllowed("Auditors cannot record spend.")
    if allocation.organization_id != membership.organization_id:
        raise TransitionError("This allocation is not your organisation's.")
    if not can_record_spend(membership, allocation):
        raise NotAllowed(
            "Only the person who requested this allocation, the owner of its objective or a "
            "quality manager can record spend against it. Ask one of them to record it."
        )
    # Locked, so that two spends recorded at once cannot both pass the approved amount unseen.
    locked = ResourceAllocation.objects.select_for_update().get(pk=allocation.pk)
    if locked.status != ResourceAllocation.Status.APPROVED:
        raise TransitionError("Spend can be recorded only against an approved allocation.")
    if date > timezone.localdate():
        raise ValidationError(
            {"date": "Spend is recorded once it has happened: not for a future date."}
        )
    if not locked.period_start <= date <= locked.period_end:
        raise ValidationError(
            {
                "date": (
                    f"{date:%-d %b %Y} is outside this allocation's period "
                    f"({locked.period_start:%-d %b %Y} to {locked.period_end:%-d %b %Y}): "
                    "record it against the allocation that covers it."
                )
            }
        )
    spent_before = locked.spends.aggregate(total=Sum("amount"))["total"] or Decimal("0")
    total = spent_before + amount
    over = total > locked.amount
    over_reason = over_reason.strip()
    if over and not over_reason:
        raise ValidationError(
            {
                "over_reason": (
                    f"This brings spend to {_amount(total, locked.unit)}, beyond the "
                    f"{_amount(locked.amount, locked.unit)} approved. Say why in the reason "
                    "for spending more than approved, or record a smaller amount."
                )
            }
        )
    spend = ResourceSpend(
        organization_id=locked.organization_id,
        allocation=locked,
        date=date,
        amount=amount,
        note=note,
        over_reason=over_reason if over else "",
        recorded_by=membership.user,
    )
    spend._history_user = membership.user
    spend.full_clean()
    spend.save()
    if over:
        _tell_approver(locked, spend, total=total, recorder=membership)
    return spend


def _tell_approver(
    allocation: ResourceAllocation, spend: ResourceSpend, *, total: Decimal, recorder: Membership
) -> None:
    from qms.core.notifications.registry import NotificationSpec
    from qms.core.notifications.services import notifications_create

    unit = allocation.unit
    notifications_create(
        organization=allocation.organization,
        specs=[
            NotificationSpec(
                recipient=allocation.decided_by,
                kind=OVERSPENT_KIND,
                subject=spend,
                occasion=f"spend-{spend.pk}",
                title=f"Spend over the approved amount: {allocation.title}",
                body=(
                    f"{recorder.display_name} recorded {_amount(spend.amount, unit)} on "
                    f"{spend.date:%-d %b %Y}, bringing spend to {_amount(total, unit)} of the "
                    f"{_amount(allocation.amount, unit)} you approved. Their reason: "
                    f"{spend.over_reason}"
                ),
                url=reverse(
                    "leadership:resource-detail",
                    kwargs={"org_slug": allocation.organization.slug, "pk": allocation.pk},
                ),
            )
        ],
        today=timezone.localdate(),
    )
