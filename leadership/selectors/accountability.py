"""Top management's accountability (ISO 9001 5.1), executive by executive: what each answers
for (objectives and their status, open and overdue actions) and what each decided (policy
approvals, resource decisions). Aggregates grouped by executive: a fixed number of queries
however many executives or records there are."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils import timezone

from leadership.models import PolicyVersion, ResourceAllocation
from objectives.models import QualityObjective, Rag
from qms.core.actions.models import Action
from qms.core.models import Membership, Organization
from qms.core.roles import Role

# Facts that apps above this one add to each executive's record (e.g. the reviews app: review
# attendance), without this app importing them: label -> (organization, executive ids) ->
# {executive id: text}.
ExtraColumn = Callable[[Organization, list[int]], dict[int, str]]
_EXTRA_COLUMNS: dict[str, ExtraColumn] = {}


def register_accountability_column(label: str, values: ExtraColumn) -> None:
    _EXTRA_COLUMNS[label] = values


@dataclass
class ExecutiveRecord:
    executive: Membership
    objectives: dict[str, int] = field(default_factory=lambda: dict.fromkeys(Rag.values, 0))
    open_actions: int = 0
    overdue_actions: int = 0
    policy_approvals: int = 0
    resource_decisions: int = 0
    extra: list[tuple[str, str]] = field(default_factory=list)

    @property
    def objectives_total(self) -> int:
        return sum(self.objectives.values())


def executive_records(
    *, organization: Organization, today: datetime.date | None = None
) -> list[ExecutiveRecord]:
    today = today or timezone.localdate()
    executives = (
        Membership.objects.for_organization(organization)
        .active()
        .with_role(Role.EXECUTIVE)
        .select_related("user")
        .order_by("user__first_name", "user__last_name")
    )
    records = {m.pk: ExecutiveRecord(m) for m in executives}
    ids = list(records)
    objectives = (
        QualityObjective.objects.for_organization(organization)
        .filter(status=QualityObjective.Status.ACTIVE, accountable_executive__in=ids)
        .order_by()
        .values_list("accountable_executive", "current_status")
        .annotate(n=Count("id"))
    )
    for executive_id, status, n in objectives:
        records[executive_id].objectives[status] = n
    actions = (
        Action.objects.for_organization(organization)
        .open()
        .filter(accountable_executive__in=ids)
        .order_by()
        .values_list("accountable_executive")
        .annotate(n=Count("id"), overdue=Count("id", filter=Q(due_date__lt=today)))
    )
    for executive_id, n, overdue in actions:
        records[executive_id].open_actions = n
        records[executive_id].overdue_actions = overdue
    approvals = (
        PolicyVersion.objects.filter(approved_by__in=ids)
        .order_by()
        .values_list("approved_by")
        .annotate(n=Count("id"))
    )
    for executive_id, n in approvals:
        records[executive_id].policy_approvals = n
    decisions = (
        ResourceAllocation.objects.for_organization(organization)
        .filter(decided_by__in=ids)
        .order_by()
        .values_list("decided_by")
        .annotate(n=Count("id"))
    )
    for executive_id, n in decisions:
        records[executive_id].resource_decisions = n
    for label, values in _EXTRA_COLUMNS.items():
        found = values(organization, ids)
        for executive_id, record in records.items():
            record.extra.append((label, found.get(executive_id, "")))
    return list(records.values())


def extra_column_labels() -> list[str]:
    return list(_EXTRA_COLUMNS)


def awaiting_top_management(organization: Organization) -> dict[str, int]:
    """Decisions no executive has taken yet: policy versions submitted, resource requests."""
    return {
        "policy_versions": PolicyVersion.objects.filter(
            organization=organization, status=PolicyVersion.Status.SUBMITTED
        ).count(),
        "resource_requests": ResourceAllocation.objects.for_organization(organization)
        .filter(status=ResourceAllocation.Status.REQUESTED)
        .count(),
    }
