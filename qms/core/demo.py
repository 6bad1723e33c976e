"""The demo organisation, built through the same services as real use (so the audit trail
records it). Idempotent: running it again finds what exists and adds what is missing.

Later apps extend the demo by adding a step to `DEMO_STEPS` from their own `demo.py`.
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from qms.core import services
from qms.core.actions.demo import seed_actions
from qms.core.models import Membership, Organization, OrgUnit
from qms.core.roles import Role

DEMO_PASSWORD = "demo1234"  # noqa: S105 - printed for the local demo; never used in production


@dataclass(frozen=True)
class DemoUser:
    username: str
    first_name: str
    last_name: str
    role: str
    job_title: str
    unit_code: str


DEMO_USERS = [
    DemoUser("executive", "Eleanor", "Hart", Role.EXECUTIVE, "Managing Director", "ACME"),
    DemoUser("quality", "Quentin", "Marsh", Role.QUALITY_MANAGER, "Quality Manager", "ACME"),
    DemoUser("contributor", "Carla", "Diaz", Role.CONTRIBUTOR, "Production Supervisor", "SHF"),
    DemoUser(
        "auditor", "Arthur", "Bell", Role.AUDITOR, "Lead Auditor (certification body)", "ACME"
    ),
    DemoUser("admin", "Ada", "Okafor", Role.ADMIN, "IT & Systems Administrator", "ACME"),
]
# Two more executives and staff so that accountability spreads over more than one person.
EXTRA_USERS = [
    DemoUser("ops.director", "Oliver", "Grant", Role.EXECUTIVE, "Operations Director", "ACME"),
    DemoUser("cs.director", "Priya", "Shah", Role.EXECUTIVE, "Customer Director", "CUS"),
    DemoUser("leeds.lead", "Tom", "Baker", Role.CONTRIBUTOR, "Assembly Team Lead", "LDS"),
    DemoUser("cs.lead", "Mina", "Kowalski", Role.CONTRIBUTOR, "Customer Service Lead", "CUS"),
]

UNITS = [
    # code, name, kind, parent code
    ("ACME", "Acme Precision Ltd", OrgUnit.Kind.COMPANY, None),
    ("SHF", "Sheffield Machining", OrgUnit.Kind.SITE, "ACME"),
    ("LDS", "Leeds Assembly", OrgUnit.Kind.SITE, "ACME"),
    ("CUS", "Customer Service", OrgUnit.Kind.DEPARTMENT, "ACME"),
]


@dataclass
class DemoContext:
    organization: Organization
    units: dict[str, OrgUnit]
    members: dict[str, Membership]
    today: datetime.date


# Steps later apps add (objectives, policy, reviews, ...), each taking the DemoContext.
DEMO_STEPS: list[Callable[[DemoContext], None]] = []
# Steps run once every record exists, the actions included (an agenda compiled before the
# back-dated actions were seeded counted 14 raised where the data holds 23).
DEMO_FINAL_STEPS: list[Callable[[DemoContext], None]] = []


@transaction.atomic
def seed_demo(today: datetime.date | None = None) -> DemoContext:
    today = today or timezone.localdate()
    admin_user = _user(DEMO_USERS[-1])
    # The demo administrator also runs the platform (Django admin: beat schedules, users).
    admin_user.is_staff = admin_user.is_superuser = True
    admin_user.save(update_fields=["is_staff", "is_superuser"])

    organization = Organization.objects.filter(slug="acme").first() or services.organization_create(
        name="Acme Precision Ltd", slug="acme", currency="GBP", actor=admin_user
    )
    units: dict[str, OrgUnit] = {}
    for code, name, kind, parent_code in UNITS:
        unit = OrgUnit.objects.filter(organization=organization, code=code).first()
        if unit is None:
            unit = services.org_unit_create(
                organization=organization,
                name=name,
                kind=kind,
                code=code,
                parent=units.get(parent_code) if parent_code else None,
                actor=admin_user,
            )
        units[code] = unit

    # From the database: treebeard moves siblings' paths as units are added, and the instances
    # made first kept their old path (Sheffield read as Customer Service's subtree), which every
    # demo step and test filtering by `units[...].path` would have read wrongly.
    units = {code: OrgUnit.objects.get(pk=unit.pk) for code, unit in units.items()}

    members = {}
    for spec in DEMO_USERS + EXTRA_USERS:
        user = _user(spec)
        membership = Membership.objects.filter(organization=organization, user=user).first()
        if membership is None:
            membership = services.membership_create(
                organization=organization,
                user=user,
                role=spec.role,
                org_unit=units[spec.unit_code],
                job_title=spec.job_title,
                access_expires_on=today + datetime.timedelta(days=90)
                if spec.role == Role.AUDITOR
                else None,
                actor=admin_user,
            )
        members[spec.username] = membership

    # A second, smaller organisation shows the organisation switcher and tenant isolation:
    # the quality manager consults for it as a contributor and sees nothing of it from Acme.
    northwind = Organization.objects.filter(
        slug="northwind"
    ).first() or services.organization_create(
        name="Northwind Components GmbH", slug="northwind", currency="EUR", actor=admin_user
    )
    if not OrgUnit.objects.filter(organization=northwind).exists():
        services.org_unit_create(
            organization=northwind,
            name="Northwind Components GmbH",
            kind=OrgUnit.Kind.COMPANY,
            code="NW",
            actor=admin_user,
        )
    for spec, role in ((DEMO_USERS[1], Role.CONTRIBUTOR), (DEMO_USERS[-1], Role.ADMIN)):
        user = _user(spec)
        if not Membership.objects.filter(organization=northwind, user=user).exists():
            services.membership_create(
                organization=northwind, user=user, role=role, actor=admin_user
            )

    context = DemoContext(organization=organization, units=units, members=members, today=today)
    for step in DEMO_STEPS:
        step(context)
    # Actions come last: any app's records (objectives, review decisions...) may be a source.
    seed_actions(context)
    for step in DEMO_FINAL_STEPS:
        step(context)
    _forget_replayed_decisions(organization)
    _date_waiting_decisions(organization)
    return context


# Stamps that say when a figure was last computed, not when something happened: a replayed
# event leaves them at the time of seeding, or the dashboard would read its figures as stale.
_NOT_REPLAYED = {"computed_at", "status_computed_at"}
_DEMO_APPS = {"core", "objectives", "leadership", "communication", "engagement", "reviews"}


def move_to_the_day(organization: Organization, since: datetime.datetime, moment) -> None:
    """Demo only: what was recorded since `since` while replaying a past event (a review held
    months ago, its decisions and the actions they raised, a value entered, a policy approved)
    moves to `moment`, keeping its order: every time stamp of the organisation's records set
    since then (created, updated, closed, approved, read...), their audit-trail entries and the
    notifications they sent, which count as e-mailed on the day (they are history, not news for
    the first start of the demo). Without it the actions of a review held in June read "raised
    today" and its history says it was held this morning."""
    from django.db.models import Case, Exists, F, Q, When

    from qms.core.notifications.models import EmailStatus, Notification

    shift = moment - since
    replayed_notifications = list(
        Notification.objects.filter(organization=organization, created_at__gte=since).values_list(
            "pk", flat=True
        )
    )
    # Which models hold a time stamp set since `since`, asked in one query, then one UPDATE
    # for each of those (a statement per model and field, 300 an event, was half the demo's
    # seeding time, and most found nothing).
    candidates = []
    for model, scope, fields in _replayed_time_stamps():
        touched = Q()
        for field in fields:
            touched |= Q(**{f"{field.name}__gte": since})
        candidates.append((model.objects.filter(touched, **{scope: organization}), fields))
    found = (
        Organization.objects.filter(pk=organization.pk)
        .annotate(**{f"m{i}": Exists(rows) for i, (rows, _) in enumerate(candidates)})
        .values(*(f"m{i}" for i in range(len(candidates))))
        .first()
    )
    for i, (rows, fields) in enumerate(candidates):
        if not found[f"m{i}"]:
            continue
        rows.update(
            **{
                field.name: Case(
                    When(**{f"{field.name}__gte": since}, then=F(field.name) + shift),
                    default=F(field.name),
                    output_field=field,
                )
                for field in fields
            }
        )
    Notification.objects.filter(
        pk__in=replayed_notifications, email_status=EmailStatus.PENDING
    ).update(email_status=EmailStatus.SENT, emailed_at=F("created_at"))


@functools.cache
def _replayed_time_stamps() -> tuple:
    """(model, how it belongs to an organisation, its time-stamp fields) of every demo model
    with time stamps: what `move_to_the_day` moves."""
    from django.apps import apps
    from django.db.models import DateTimeField

    found = []
    for model in apps.get_models():
        if model._meta.app_label not in _DEMO_APPS:
            continue
        names = {f.name for f in model._meta.fields}
        if "organization" in names:
            scope = "organization"
        elif "review" in names:  # a review's attendees, inputs and addenda
            scope = "review__organization"
        else:
            continue
        fields = [
            field
            for field in model._meta.fields
            if isinstance(field, DateTimeField) and field.name not in _NOT_REPLAYED
        ]
        if fields:
            found.append((model, scope, tuple(fields)))
    return tuple(found)


@contextmanager
def on_the_day(organization: Organization, moment: datetime.datetime) -> Iterator[None]:
    """Demo only: what the block records happened at `moment` (see `move_to_the_day`); a
    moment still to come today is now (the demo records nothing in the future)."""
    since = timezone.now()
    yield
    if moment < since:
        move_to_the_day(organization, since, moment)


def at(day: datetime.date, hour: int = 9) -> datetime.datetime:
    """`day` at `hour` o'clock, local time: when a replayed demo event happened."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _forget_replayed_decisions(organization: Organization) -> None:
    """The demo replays months of history in one run: a review held and signed off, a policy
    submitted and approved. Each decision told its takers and was resolved within the same
    minute; those leftovers would read as today's news, so they go. What still waits stays."""
    from qms.core.notifications.models import Notification

    Notification.objects.filter(organization=organization, resolved_at__isnull=False).delete()


def _date_waiting_decisions(organization: Organization) -> None:
    """Demo only. A decision still waiting was asked for when its record last changed (an
    action's effectiveness check, when the action was closed). Replaying history out of order
    can date the request before that: "Check whether ACT-0008 worked", waiting since August
    2025, for an action raised in October 2026 (try-out finding)."""
    from qms.core.notifications.models import Notification

    for notification in Notification.objects.filter(
        organization=organization, resolved_at__isnull=True, subject_id__isnull=False
    ).select_related("subject_type"):
        subject = notification.subject
        changed = getattr(subject, "updated_at", None) or getattr(subject, "created_at", None)
        if changed is not None and notification.created_at < changed:
            dates = {"created_at": changed}
            if notification.emailed_at is not None:  # e-mailed on the day, as history
                dates["emailed_at"] = changed
            Notification.objects.filter(pk=notification.pk).update(**dates)


def _user(spec: DemoUser):
    user = services.user_get_or_create(
        username=spec.username,
        email=f"{spec.username}@acme.example",
        first_name=spec.first_name,
        last_name=spec.last_name,
    )
    if not user.has_usable_password() or not user.check_password(DEMO_PASSWORD):
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    return user
