"""The demo organisation, built through the same services as real use (so the audit trail
records it). Idempotent: running it again finds what exists and adds what is missing.

Later apps extend the demo by adding a step to `DEMO_STEPS` from their own `demo.py`.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
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
    return context


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
