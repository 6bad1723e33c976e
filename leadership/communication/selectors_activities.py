"""Reads of leadership activities: the list, one activity with its follow-up actions, counts per
executive for the leadership record, and the evidence pack's rows."""

from __future__ import annotations

import datetime

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Q, QuerySet

from leadership.communication.models import LeadershipActivity
from qms.core.actions.models import Action
from qms.core.models import Organization, OrgUnit


def activity_list(
    *,
    organization: Organization,
    executive_id: int | None = None,
    kind: str = "",
    start: datetime.date | None = None,
    end: datetime.date | None = None,
) -> QuerySet[LeadershipActivity]:
    """Activities newest first, with executive and unit (see `follow_up_counts`)."""
    queryset = LeadershipActivity.objects.for_organization(organization).select_related(
        "executive__user", "org_unit"
    )
    if executive_id:
        queryset = queryset.filter(executive_id=executive_id)
    if kind:
        queryset = queryset.filter(kind=kind)
    if start:
        queryset = queryset.filter(occurred_on__gte=start)
    if end:
        queryset = queryset.filter(occurred_on__lte=end)
    return queryset.order_by("-occurred_on", "-id")


def follow_up_counts(*, organization: Organization) -> dict[int, int]:
    """{activity id: number of follow-up actions} for the organisation. One query."""
    activity_type = ContentType.objects.get_for_model(LeadershipActivity)
    return {
        row["source_id"]: row["n"]
        for row in Action.objects.filter(organization=organization, source_type=activity_type)
        .values("source_id")
        .annotate(n=Count("id"))
    }


def activity_get(*, organization: Organization, pk: int) -> LeadershipActivity | None:
    return (
        LeadershipActivity.objects.for_organization(organization)
        .select_related("executive__user", "org_unit", "organization")
        .filter(pk=pk)
        .first()
    )


def follow_up_actions(*, activity: LeadershipActivity) -> list[Action]:
    activity_type = ContentType.objects.get_for_model(LeadershipActivity)
    return list(
        Action.objects.filter(
            organization_id=activity.organization_id,
            source_type=activity_type,
            source_id=activity.pk,
        )
        .select_related("owner__user")
        .order_by("number")
    )


def activities_logged(
    *,
    organization: Organization,
    executive_ids: list[int],
    start: datetime.date,
    end: datetime.date,
) -> dict[int, int]:
    """{executive membership id: activities they logged dated between start and end (days
    included)}; zero counts included. One query."""
    rows = (
        LeadershipActivity.objects.for_organization(organization)
        .filter(executive_id__in=executive_ids, occurred_on__gte=start, occurred_on__lte=end)
        .values("executive_id")
        .annotate(n=Count("id"))
    )
    result = dict.fromkeys(executive_ids, 0)
    result.update({row["executive_id"]: row["n"] for row in rows})
    return result


def activities_for_evidence(
    *,
    organization: Organization,
    unit: OrgUnit | None = None,
    start: datetime.date,
    end: datetime.date,
) -> list[dict]:
    """One row per activity dated in the period (in the unit's subtree, or organisation-wide
    ones, when a unit is given), ordered by date then id, with its follow-up actions."""
    queryset = LeadershipActivity.objects.for_organization(organization).filter(
        occurred_on__gte=start, occurred_on__lte=end
    )
    if unit is not None:
        queryset = queryset.filter(
            Q(org_unit__isnull=True) | Q(org_unit__path__startswith=unit.path)
        )
    activities = list(
        queryset.select_related("executive__user", "org_unit").order_by("occurred_on", "id")
    )
    activity_type = ContentType.objects.get_for_model(LeadershipActivity)
    actions: dict[int, list[str]] = {}
    for action in Action.objects.filter(
        organization=organization,
        source_type=activity_type,
        source_id__in=[a.pk for a in activities],
    ).order_by("number"):
        actions.setdefault(action.source_id, []).append(action.reference)
    return [
        {
            "id": activity.pk,
            "date": activity.occurred_on.isoformat(),
            "kind": activity.get_kind_display(),
            "title": activity.title,
            "executive": activity.executive.display_name,
            "unit": activity.org_unit.name if activity.org_unit else "",
            "notes": activity.notes,
            "follow_up_actions": ", ".join(actions.get(activity.pk, [])),
        }
        for activity in activities
    ]
