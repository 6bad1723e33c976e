"""Reads of milestones and recognitions (the staff board, the leadership record, the pack)."""

from __future__ import annotations

import datetime

from django.db.models import Count, QuerySet

from leadership.engagement.models import Milestone, Recognition
from qms.core.models import Membership, Organization


def recognition_list(*, organization: Organization) -> QuerySet[Recognition]:
    return (
        Recognition.objects.for_organization(organization)
        .select_related("given_by__user", "recipient__user", "team", "milestone")
        .order_by("-given_on", "-id")
    )


def recent_recognitions(*, organization: Organization, limit: int = 5) -> list[Recognition]:
    return list(recognition_list(organization=organization)[:limit])


def milestones_awaiting(
    *, organization: Organization, executive: Membership | None = None
) -> QuerySet[Milestone]:
    """Proposed milestones nobody has recognised or set aside yet (an executive's own, if
    given), newest first."""
    queryset = (
        Milestone.objects.for_organization(organization)
        .awaiting_recognition()
        .select_related("executive__user", "achieved_by__user", "org_unit", "objective")
    )
    if executive is not None:
        queryset = queryset.filter(executive=executive)
    return queryset.order_by("-period_end", "-id")


def milestone_get(*, organization: Organization, pk: int) -> Milestone | None:
    return (
        Milestone.objects.for_organization(organization)
        .select_related("executive__user", "achieved_by__user", "org_unit", "objective")
        .filter(pk=pk)
        .first()
    )


def recognitions_given(
    *,
    organization: Organization,
    executive_ids,
    start: datetime.date,
    end: datetime.date,
) -> dict[int, int]:
    """{executive membership id: recognitions given in [start, end]} for the leadership record;
    executives who gave none are absent. One query."""
    rows = (
        Recognition.objects.for_organization(organization)
        .filter(given_by_id__in=list(executive_ids), given_on__gte=start, given_on__lte=end)
        .values("given_by_id")
        .annotate(n=Count("id"))
    )
    return {row["given_by_id"]: row["n"] for row in rows}
