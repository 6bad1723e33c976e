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
from qms.core.roles import APPROVER_ROLES, Role

# Facts that apps above this one add to each executive's record (e.g. the reviews app: review
# attendance), without this app importing them: label -> (organization, executive ids) ->
# {executive id: text}.
ExtraColumn = Callable[[Organization, list[int]], dict[int, str]]
_EXTRA_COLUMNS: dict[str, ExtraColumn] = {}


def register_accountability_column(label: str, values: ExtraColumn) -> None:
    _EXTRA_COLUMNS[label] = values


# Decisions waiting for one executive in particular (label -> (organization, executive ids) ->
# {executive id: how many}): this app's resource requests, and what apps above add (e.g. the
# reviews an executive chaired and has to sign off). Decisions any executive may take (a
# submitted policy version, a request tied to no objective) are in `awaiting_top_management`.
PendingCounts = Callable[[Organization, list[int]], dict[int, int]]
_PENDING: dict[tuple[str, str], PendingCounts] = {}


def register_pending_approval(singular: str, plural: str, counts: PendingCounts) -> None:
    _PENDING[(singular, plural)] = counts


def named_decider() -> Q:
    """Resource requests one executive in particular must decide: those for an objective whose
    accountable executive is a current member of top management. The others (tied to a unit, or
    to an objective whose executive has left the role) are for any executive."""
    return Q(
        objective__accountable_executive__role__in=APPROVER_ROLES,
        objective__accountable_executive__is_active=True,
    )


def _resource_requests_on_their_objectives(
    organization: Organization, executive_ids: list[int]
) -> dict[int, int]:
    return dict(
        ResourceAllocation.objects.for_organization(organization)
        .filter(named_decider())
        .filter(
            status=ResourceAllocation.Status.REQUESTED,
            objective__accountable_executive__in=executive_ids,
        )
        .order_by()
        .values_list("objective__accountable_executive")
        .annotate(n=Count("id"))
    )


register_pending_approval(
    "resource request", "resource requests", _resource_requests_on_their_objectives
)


@dataclass
class ExecutiveRecord:
    executive: Membership
    objectives: dict[str, int] = field(default_factory=lambda: dict.fromkeys(Rag.values, 0))
    open_actions: int = 0
    overdue_actions: int = 0
    policy_approvals: int = 0
    resource_decisions: int = 0
    extra: list[tuple[str, str]] = field(default_factory=list)
    pending: list[tuple[str, int]] = field(default_factory=list)  # (what, how many), non-zero

    @property
    def objectives_total(self) -> int:
        return sum(self.objectives.values())

    @property
    def pending_total(self) -> int:
        return sum(n for _, n in self.pending)

    @property
    def pending_text(self) -> str:
        """E.g. "2 resource requests, 1 review to sign off"; empty when nothing waits."""
        return ", ".join(f"{n} {label}" for label, n in self.pending)


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
    for (singular, plural), counts in _PENDING.items():
        for executive_id, n in counts(organization, ids).items():
            if n and executive_id in records:
                records[executive_id].pending.append((singular if n == 1 else plural, n))
    for label, values in _EXTRA_COLUMNS.items():
        found = values(organization, ids)
        for executive_id, record in records.items():
            record.extra.append((label, found.get(executive_id, "")))
    return list(records.values())


def extra_column_labels() -> list[str]:
    return list(_EXTRA_COLUMNS)


def awaiting_top_management(organization: Organization) -> dict[str, int]:
    """Decisions waiting for any executive, none in particular: policy versions submitted, and
    resource requests without a named decider (those with one are counted once, as theirs, in
    `executive_records` and `pending_for`)."""
    return {
        "policy_versions": PolicyVersion.objects.filter(
            organization=organization, status=PolicyVersion.Status.SUBMITTED
        ).count(),
        "resource_requests": ResourceAllocation.objects.for_organization(organization)
        .filter(status=ResourceAllocation.Status.REQUESTED)
        .exclude(named_decider())
        .count(),
    }


def pending_for(organization: Organization, executive: Membership) -> list[tuple[str, int]]:
    """What waits for this executive in particular: [("resource request", 1), …], non-zero."""
    pending = []
    for (singular, plural), counts in _PENDING.items():
        n = counts(organization, [executive.pk]).get(executive.pk, 0)
        if n:
            pending.append((singular if n == 1 else plural, n))
    return pending
