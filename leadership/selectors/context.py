"""Reads of the context issues register (ISO 9001 4.1), for the management review's input
9.3.2 b ("changes in external and internal issues"), the dashboard and the evidence pack."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.db.models.functions import Coalesce

from leadership.models import ContextIssue
from qms.core.models import Organization

Status = ContextIssue.Status


@dataclass(frozen=True)
class ContextIssuesSummary:
    start: datetime.date
    end: datetime.date
    raised: int
    changed: int
    closed: int
    in_force_at_end: int  # raised by the end and not closed by then
    internal_in_force: int
    external_in_force: int
    # The issues raised, changed or closed in the period, newest first (at most 10).
    changes: list[ContextIssue] = field(default_factory=list)

    @property
    def has_data(self) -> bool:
        return self.in_force_at_end > 0 or self.raised + self.changed + self.closed > 0


def context_issues_summary(
    *, organization: Organization, start: datetime.date, end: datetime.date
) -> ContextIssuesSummary:
    """What changed in the organisation's context between `start` and `end` (inclusive)."""
    issues = ContextIssue.objects.for_organization(organization)
    in_period = Q(status_changed_on__gte=start, status_changed_on__lte=end)
    # In force at the end: raised by then, and not closed on or before it.
    in_force = Q(raised_on__lte=end) & ~Q(status=Status.CLOSED, status_changed_on__lte=end)
    counts = issues.aggregate(
        raised=Count("id", filter=Q(raised_on__gte=start, raised_on__lte=end)),
        changed=Count("id", filter=in_period & Q(status=Status.CHANGED)),
        closed=Count("id", filter=in_period & Q(status=Status.CLOSED)),
        in_force_at_end=Count("id", filter=in_force),
        internal_in_force=Count("id", filter=in_force & Q(kind=ContextIssue.Kind.INTERNAL)),
        external_in_force=Count("id", filter=in_force & Q(kind=ContextIssue.Kind.EXTERNAL)),
    )
    # Newest event first: the change (or closure) if there was one, else the raising.
    changes = list(
        issues.filter(Q(raised_on__gte=start, raised_on__lte=end) | in_period).order_by(
            Coalesce("status_changed_on", "raised_on").desc(), "-number"
        )[:10]
    )
    return ContextIssuesSummary(start=start, end=end, changes=changes, **counts)
