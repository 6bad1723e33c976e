"""Reads of core records shared by pages, the API and exports."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from qms.core.models import Membership, Organization, OrgUnit, WorkerHeartbeat
from qms.core.roles import Role


def membership_list(*, organization: Organization, role: str | None = None) -> QuerySet[Membership]:
    memberships = (
        Membership.objects.for_organization(organization)
        .active()
        .select_related("user", "org_unit")
        .order_by("user__last_name", "user__first_name", "user__username")
    )
    if role:
        memberships = memberships.with_role(role)
    return memberships


def role_counts(*, organization: Organization) -> dict[str, int]:
    """How many active members hold each role (every role present, zero when none)."""
    counts = dict.fromkeys(Role.values, 0)
    rows = (
        Membership.objects.for_organization(organization)
        .active()
        .values("role")
        .annotate(n=Count("id"))
    )
    for row in rows:
        counts[row["role"]] = row["n"]
    return counts


def org_unit_tree(*, organization: Organization) -> list[OrgUnit]:
    """Units in tree order, each annotated with its number of active members."""
    return list(
        OrgUnit.objects.for_organization(organization).annotate(
            member_count=Count("memberships", filter=Q(memberships__is_active=True))
        )
    )


def ended_memberships(*, user) -> list[Membership]:
    """The user's memberships whose time-boxed access (an auditor's) has ended, latest first."""
    return list(
        Membership.objects.filter(
            user=user,
            is_active=True,
            organization__is_active=True,
            access_expires_on__lt=timezone.localdate(),
        )
        .select_related("organization")
        .order_by("-access_expires_on")
    )


def expiring_auditor_access(
    *, organization: Organization, within_days: int = 30
) -> QuerySet[Membership]:
    today = timezone.localdate()
    return (
        Membership.objects.for_organization(organization)
        .active()
        .with_role(Role.AUDITOR)
        .filter(
            access_expires_on__gte=today,
            access_expires_on__lte=today + datetime.timedelta(days=within_days),
        )
        .select_related("user")
    )


def worker_status() -> dict:
    """Whether beat and the worker are alive, from the heartbeat the worker records."""
    beats = {hb.source: hb for hb in WorkerHeartbeat.objects.all()}
    beat = beats.get(WorkerHeartbeat.Source.BEAT)
    late_after = datetime.timedelta(seconds=2 * settings.QMS_HEARTBEAT_SECONDS + 30)
    healthy = beat is not None and timezone.now() - beat.ran_at <= late_after
    broker = settings.CELERY_BROKER_URL.split("://", 1)[0]
    return {
        "beat": beat,
        "manual": beats.get(WorkerHeartbeat.Source.MANUAL),
        "healthy": healthy,
        "late_after": late_after,
        "broker": "Redis" if broker.startswith("redis") else f"embedded ({broker})",
        "eager": settings.CELERY_TASK_ALWAYS_EAGER,
    }
