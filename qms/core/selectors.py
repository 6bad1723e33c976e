"""Reads of core records shared by pages, the API and exports."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.formats import date_format

from qms.core.models import Membership, Organization, OrgUnit, WorkerHeartbeat
from qms.core.roles import Role


def membership_list(
    *, organization: Organization, role: str | None = None, left: bool = False
) -> QuerySet[Membership]:
    """The organisation's current members by name, with their users and units (one query a
    page): not an auditor whose access has ended (`access_ended_list`); `left`: those an
    administrator deactivated instead."""
    memberships = Membership.objects.for_organization(organization)
    memberships = memberships.filter(is_active=False) if left else memberships.current()
    memberships = memberships.select_related("user", "org_unit").order_by(
        "user__last_name", "user__first_name", "user__username"
    )
    if role:
        memberships = memberships.with_role(role)
    return memberships


def access_ended_list(
    *, organization: Organization, role: str | None = None
) -> QuerySet[Membership]:
    """Members still on the books whose time-boxed access (an auditor's) has ended, the most
    recently ended first: no longer current members, not leavers either."""
    memberships = (
        Membership.objects.for_organization(organization)
        .active()
        .filter(access_expires_on__lt=timezone.localdate())
        .select_related("user", "org_unit")
        .order_by("-access_expires_on", "user__last_name", "user__first_name")
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
    """The user's memberships that no longer open their organisation: ended by an
    administrator (the member left), or time-boxed access (an auditor's) past its date."""
    return list(
        Membership.objects.filter(user=user, organization__is_active=True)
        .filter(
            Q(is_active=False, deactivated_at__isnull=False)
            | Q(is_active=True, access_expires_on__lt=timezone.localdate())
        )
        .select_related("organization")
        .order_by("organization__name")
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


def membership_get(*, organization: Organization, pk: int) -> Membership:
    """One member of the organisation, active or not (Membership.DoesNotExist for another
    organisation's: the pages and API answer 404)."""
    return Membership.objects.select_related("user", "org_unit", "organization").get(
        organization=organization, pk=pk
    )


def left_sentence(member: Membership) -> str:
    """What a member choice says of someone an administrator deactivated."""
    day = date_format(timezone.localdate(member.deactivated_at), "j F Y")
    return (
        f"{member.display_name} has left this organisation (deactivated on {day}); choose a "
        "current member."
    )


def leaver_sentence(*, organization, value) -> str | None:
    """For a member choice refusing `value` (a membership id): `left_sentence` if it is
    someone who left `organization` (an Organization, or a queryset of organisation ids: a
    form's choices' own), else None. Only that organisation's members are looked at, so
    another organisation's id still reads as unknown and names no one."""
    try:
        pk = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    members = Membership.objects.filter(pk=pk, is_active=False, deactivated_at__isnull=False)
    if isinstance(organization, QuerySet):
        members = members.filter(organization__in=organization)
    elif organization is not None:
        members = members.filter(organization=organization)
    else:
        return None
    leaver = members.select_related("user").first()
    return left_sentence(leaver) if leaver is not None else None
