"""Reads of training sessions and their attendance (ISO 9001 7.2 c)."""

from __future__ import annotations

import datetime

from django.db.models import Count, Q, QuerySet

from leadership.models import TrainingAttendance, TrainingSession
from qms.core.models import Organization


def session_list(*, organization: Organization) -> QuerySet[TrainingSession]:
    return (
        TrainingSession.objects.for_organization(organization)
        .select_related("org_unit")
        .prefetch_related("competences")
        .annotate(
            invited=Count("attendances", distinct=True),
            present=Count("attendances", filter=Q(attendances__attended=True), distinct=True),
            evaluated=Count("attendances", filter=~Q(attendances__result=""), distinct=True),
        )
        .order_by("-held_on", "-id")
    )


def session_attendances(session: TrainingSession) -> QuerySet[TrainingAttendance]:
    return session.attendances.select_related(
        "membership__user", "membership__org_unit", "evaluated_by__user"
    ).order_by("membership__user__first_name", "membership__user__username")


def evaluations_due(
    *, organization: Organization, today: datetime.date
) -> QuerySet[TrainingAttendance]:
    """Attendees whose training's effectiveness is due for evaluation and not yet evaluated."""
    return (
        TrainingAttendance.objects.for_organization(organization)
        .filter(attended=True, result="", session__evaluation_due_on__lte=today)
        .select_related("session", "membership__user")
        .order_by("session__evaluation_due_on", "session_id", "membership__user__username")
    )
