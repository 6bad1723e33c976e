"""Tenancy and what every app stands on: organisations, org units, memberships with roles.

An organisation is a tenant. Every record of an app belongs to one, and every query starts from
the request's organisation (see `qms.core.tenancy`).
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords
from treebeard.mp_tree import MP_Node, MP_NodeManager, MP_NodeQuerySet

from qms.core.roles import Role


class BaseModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class OrganizationScopedQuerySet(models.QuerySet):
    """Every model that belongs to an organisation gets its querysets through this."""

    def for_organization(self, organization):
        return self.filter(organization=organization)


class OrganizationQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def for_user(self, user):
        """Organisations in which the user holds an active membership."""
        if not user.is_authenticated:
            return self.none()
        return self.active().filter(memberships__user=user, memberships__is_active=True).distinct()


class Organization(BaseModel):
    name = models.CharField(max_length=200)
    slug = models.SlugField(
        max_length=60, unique=True, help_text="Used in URLs, e.g. /o/acme/. Never changes."
    )
    currency = models.CharField(
        max_length=3, default="GBP", help_text="ISO 4217 code used for budgets (e.g. GBP, EUR)."
    )
    is_active = models.BooleanField(default=True)

    history = HistoricalRecords()
    objects = OrganizationQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(currency__regex=r"^[A-Z]{3}$"), name="organization_currency_iso4217"
            )
        ]

    def __str__(self) -> str:
        return self.name


class OrgUnitQuerySet(MP_NodeQuerySet, OrganizationScopedQuerySet):
    def open(self):
        """Units not closed: the ones a new record may be given."""
        return self.filter(closed_on__isnull=True)

    def for_new_records(self, organization, keep=None):
        """The choices of every field that gives a record a unit: the organisation's open units,
        plus `keep` (the unit, or units, the record already has), so that editing a record
        whose unit was closed since shows and keeps that unit. One rule for every form and
        API field (see docs/administrator.md, "Units")."""
        kept = keep if isinstance(keep, list | tuple | set) else [keep]
        kept_ids = {getattr(unit, "pk", unit) for unit in kept if unit is not None}
        return self.for_organization(organization).filter(
            Q(closed_on__isnull=True) | Q(pk__in=kept_ids)
        )


def units_of(record, field: str = "org_unit") -> list[int]:
    """The ids of the units a saved record already has in `field` (a foreign key or a
    many-to-many), for `for_new_records(keep=...)`; none for a new record (or a list of them,
    as a list serializer holds)."""
    if not isinstance(record, models.Model) or record.pk is None:
        return []
    model_field = record._meta.get_field(field)
    if model_field.many_to_many:
        return list(getattr(record, field).values_list("pk", flat=True))
    value = getattr(record, model_field.attname)
    return [value] if value is not None else []


class OrgUnitManager(MP_NodeManager):
    """treebeard's manager (add_root, add_child, tree order) with our organisation scoping."""

    def get_queryset(self):
        return OrgUnitQuerySet(self.model, using=self._db).order_by("path")

    def for_organization(self, organization):
        return self.get_queryset().for_organization(organization)

    def open(self):
        return self.get_queryset().open()

    def for_new_records(self, organization, keep=None):
        return self.get_queryset().for_new_records(organization, keep)


class OrgUnit(MP_Node):
    """A site, department or team; units form a tree per organisation for rollups.

    The materialised path (django-treebeard) lets a subtree be selected with one indexed
    `path LIKE 'prefix%'` condition, on SQLite and PostgreSQL alike.
    """

    class Kind(models.TextChoices):
        COMPANY = "company", "Company"
        SITE = "site", "Site"
        DEPARTMENT = "department", "Department"
        TEAM = "team", "Team"

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="org_units"
    )
    name = models.CharField(max_length=200)
    code = models.CharField(max_length=30, blank=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.DEPARTMENT)
    # Closed: keeps its records, history and rollups, but is offered to no new record.
    closed_on = models.DateField(
        null=True,
        blank=True,
        verbose_name="closed on",
        help_text="The day the unit closed; it keeps its records but takes no new ones.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    node_order_by = ["name"]
    history = HistoricalRecords()
    objects = OrgUnitManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "code"],
                condition=~Q(code=""),
                name="orgunit_code_unique_per_organization",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_closed(self) -> bool:
        return self.closed_on is not None

    @property
    def choice_label(self) -> str:
        """The unit in a select of the tree: indented by its depth, and marked when closed (a
        filter listed closed units as if open: try-out finding)."""
        return "\u2003" * (self.depth - 1) + self.name + (" (closed)" if self.is_closed else "")

    def parent_path(self) -> str:
        return self.path[: -self.steplen]

    def subtree(self):
        """This unit and every unit beneath it."""
        return OrgUnit.objects.filter(
            organization_id=self.organization_id, path__startswith=self.path
        )


class MembershipQuerySet(OrganizationScopedQuerySet):
    def active(self):
        return self.filter(is_active=True)

    def with_role(self, *roles: str):
        return self.filter(role__in=roles)

    def current(self, today: datetime.date | None = None):
        """Active memberships whose access has not expired (auditors' access is time-boxed)."""
        today = today or timezone.localdate()
        return self.active().filter(
            Q(access_expires_on__isnull=True) | Q(access_expires_on__gte=today)
        )

    def assignable(self):
        """Current members who may own records and actions (auditors only read), with their
        users, by name: the choices of every owner field."""
        return (
            self.current()
            .exclude(role=Role.AUDITOR)
            .select_related("user")
            .order_by("user__first_name", "user__last_name", "user__username")
        )


class Membership(BaseModel):
    """A user's place in one organisation: one role, and for auditors an expiry date."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=20, choices=Role.choices)
    org_unit = models.ForeignKey(
        OrgUnit,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="memberships",
        help_text="The unit whose objectives this member sees first.",
    )
    job_title = models.CharField(max_length=120, blank=True)
    access_expires_on = models.DateField(
        null=True,
        blank=True,
        help_text="Last day of access. Required for auditors, whose access is time-boxed.",
    )
    is_active = models.BooleanField(default=True)
    # Set when an administrator deactivates the member (they left), cleared when reactivated:
    # an inactive membership without it is one waiting for its first role (a new SSO user).
    deactivated_at = models.DateTimeField(null=True, blank=True, editable=False)

    # The history says it with "Is active" and the reason; a timestamp row would repeat it.
    history = HistoricalRecords(excluded_fields=["deactivated_at"])
    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["organization", "user__last_name", "user__first_name", "user__username"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organization"], name="membership_one_per_user_and_organization"
            ),
            models.CheckConstraint(
                condition=~Q(role=Role.AUDITOR) | Q(access_expires_on__isnull=False),
                name="membership_auditor_has_expiry",
            ),
        ]
        indexes = [models.Index(fields=["organization", "role"])]

    def __str__(self) -> str:
        return f"{self.display_name} ({self.get_role_display()}, {self.organization})"

    @property
    def display_name(self) -> str:
        return self.user.get_full_name() or self.user.get_username()

    def has_expired(self, today: datetime.date | None = None) -> bool:
        if self.access_expires_on is None:
            return False
        return self.access_expires_on < (today or timezone.localdate())

    def has_role(self, *roles: str) -> bool:
        return self.role in roles

    @property
    def has_left(self) -> bool:
        """Deactivated by an administrator, as opposed to waiting for a first role."""
        return not self.is_active and self.deactivated_at is not None

    @property
    def ended_on(self) -> datetime.date | None:
        """The day this membership stopped opening its organisation: the day an administrator
        deactivated it, or an auditor's last day of access once past; None while it opens."""
        if self.has_left:
            return timezone.localdate(self.deactivated_at)
        if self.is_active and self.has_expired():
            return self.access_expires_on
        return None


class WorkerHeartbeat(models.Model):
    """When the Celery worker last ran the heartbeat task, per way it was queued.

    Proves that web → broker → worker (source "manual") and beat → broker → worker (source
    "beat") both work; shown on the system status page. Platform-wide, not tenant data.
    """

    class Source(models.TextChoices):
        BEAT = "beat", "Scheduled by beat"
        MANUAL = "manual", "Queued from the status page"

    source = models.CharField(max_length=20, choices=Source.choices, unique=True)
    ran_at = models.DateTimeField()
    hostname = models.CharField(max_length=200, blank=True)
    runs = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.source} at {self.ran_at:%Y-%m-%d %H:%M:%S}"


class OutboxTask(models.Model):
    """A task a save asked for that is not on the broker yet (qms.core.outbox).

    Written in the save's own transaction, so the work cannot be lost between the commit and
    the broker; deleted once the task is queued. Rows that stay (the broker was down) are
    queued by the `core.drain_outbox` beat task. Platform-wide plumbing, not tenant data.
    """

    task_name = models.CharField(max_length=200)
    args = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)
    # Not queued before this time (a countdown the caller asked for).
    run_after = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = "task waiting for the queue"
        verbose_name_plural = "tasks waiting for the queue"

    def __str__(self) -> str:
        return f"{self.task_name}{tuple(self.args)}"


# Actions (10.2) have their own module; imported here so that Django finds their models.
from qms.core.actions.models import Action, EffectivenessCheck  # noqa: E402

__all__ = [
    "Action",
    "BaseModel",
    "EffectivenessCheck",
    "Membership",
    "OrgUnit",
    "Organization",
    "OrganizationScopedQuerySet",
    "OutboxTask",
    "WorkerHeartbeat",
]
