"""The action record and its effectiveness checks. Workflows live in `services`; this module holds
what must always be true of the data (database constraints and `clean()`)."""

from __future__ import annotations

import datetime

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from qms.core.models import BaseModel, Membership, Organization, OrganizationScopedQuerySet


class ActionStatus(models.TextChoices):
    OPEN = "open", "Open"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done, awaiting effectiveness check"
    VERIFIED = "verified", "Verified effective"
    CANCELLED = "cancelled", "Cancelled"


# Still to be worked on: these can be overdue.
OPEN_STATUSES = (ActionStatus.OPEN, ActionStatus.IN_PROGRESS)
# Closed with a note (done or verified) or a reason (cancelled).
CLOSED_STATUSES = (ActionStatus.DONE, ActionStatus.VERIFIED, ActionStatus.CANCELLED)


class VerificationResult(models.TextChoices):
    EFFECTIVE = "effective", "Effective"
    NOT_EFFECTIVE = "not_effective", "Not effective"


class ActionQuerySet(OrganizationScopedQuerySet):
    def open(self):
        """Still to be worked on (open or in progress)."""
        return self.filter(status__in=OPEN_STATUSES)

    def overdue(self, today: datetime.date):
        """Past their due date and not done."""
        return self.open().filter(due_date__lt=today)

    def raised_by_hand(self):
        return self.filter(source_type__isnull=True)

    def for_source(self, source: models.Model):
        return self.filter(
            # The same content type as the generic foreign key stores (the concrete model's).
            source_type=ContentType.objects.get_for_model(source),
            source_id=source.pk,
        )


class Action(BaseModel):
    """A corrective action or improvement: who does what by when, who answers for it, how it was
    closed and whether it worked."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="actions")
    number = models.PositiveIntegerField(
        editable=False, help_text="Shown as ACT-<number>; counts up per organisation."
    )
    title = models.CharField(max_length=200)
    description = models.TextField(
        blank=True, help_text="What is wrong or could be better, and what will be done."
    )
    # The record that raised the action; empty when it was raised by hand. Any model registered
    # with `qms.core.actions.sources.register_action_source` may be a source.
    source_type = models.ForeignKey(
        ContentType,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="source type",
    )
    source_id = models.PositiveBigIntegerField("source id", null=True, blank=True)
    source = GenericForeignKey("source_type", "source_id")
    owner = models.ForeignKey(
        Membership,
        on_delete=models.PROTECT,
        related_name="owned_actions",
        help_text="Does the work and closes the action.",
    )
    accountable_executive = models.ForeignKey(
        Membership,
        on_delete=models.PROTECT,
        related_name="accountable_actions",
        help_text="The member of top management answerable for it (ISO 9001 5.1).",
    )
    due_date = models.DateField()
    status = models.CharField(
        max_length=20, choices=ActionStatus.choices, default=ActionStatus.OPEN
    )
    raised_by = models.ForeignKey(
        Membership, on_delete=models.PROTECT, related_name="raised_actions"
    )
    closing_note = models.TextField(
        blank=True, help_text="What was done (when done) or why not (when cancelled)."
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        Membership, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The latest effectiveness check; every check is also kept in EffectivenessCheck.
    verified_by = models.ForeignKey(
        Membership, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    verified_at = models.DateTimeField(null=True, blank=True)
    verification_result = models.CharField(
        max_length=20, choices=VerificationResult.choices, blank=True
    )
    verification_evidence = models.TextField(
        blank=True, help_text="How effectiveness was judged: data, records, observations."
    )

    history = HistoricalRecords()
    objects = ActionQuerySet.as_manager()

    class Meta:
        ordering = ["due_date", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "number"], name="action_number_unique_per_organization"
            ),
            models.CheckConstraint(
                condition=Q(source_type__isnull=True, source_id__isnull=True)
                | Q(source_type__isnull=False, source_id__isnull=False),
                name="action_source_type_and_id_together",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["open", "in_progress"])
                | (Q(closed_at__isnull=False, closed_by__isnull=False) & ~Q(closing_note="")),
                name="action_closed_has_when_who_and_note",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["open", "in_progress"]) | Q(closed_at__isnull=True),
                name="action_open_is_not_closed",
            ),
            models.CheckConstraint(
                condition=~Q(status="verified")
                | Q(
                    verified_at__isnull=False,
                    verified_by__isnull=False,
                    verification_result="effective",
                ),
                name="action_verified_has_effective_check",
            ),
            models.CheckConstraint(
                condition=Q(verification_result="")
                | Q(verified_at__isnull=False, verified_by__isnull=False),
                name="action_check_has_when_and_who",
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "status", "due_date"]),
            models.Index(fields=["organization", "owner", "status"]),
            models.Index(fields=["source_type", "source_id"]),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def reference(self) -> str:
        return f"ACT-{self.number:04d}" if self.number else "ACT-new"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def is_overdue(self, today: datetime.date) -> bool:
        return self.is_open and self.due_date < today

    @property
    def closed_on_time(self) -> bool | None:
        """Whether it was closed by its due date (local day); None while not closed."""
        if self.closed_at is None:
            return None
        return timezone.localdate(self.closed_at) <= self.due_date

    def clean(self) -> None:
        # Who may own an action or answer for it is checked by the services when it is set
        # (a member who later leaves or changes role must not block closing the action).
        errors: dict[str, str] = {}
        if self.organization_id:
            for name in ("owner", "accountable_executive", "raised_by"):
                member = getattr(self, name, None) if getattr(self, f"{name}_id") else None
                if member is not None and member.organization_id != self.organization_id:
                    errors[name] = "Choose a member of this organisation."
        if errors:
            raise ValidationError(errors)


class EffectivenessCheck(models.Model):
    """One check of whether a done action worked. An action found not effective goes back to
    open; its checks stay here, so a later "effective" does not hide an earlier failure."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    action = models.ForeignKey(
        Action, on_delete=models.CASCADE, related_name="effectiveness_checks"
    )
    result = models.CharField(max_length=20, choices=VerificationResult.choices)
    evidence = models.TextField()
    checked_by = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="+")
    checked_at = models.DateTimeField()

    history = HistoricalRecords()
    objects = OrganizationScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-checked_at", "-id"]
        indexes = [models.Index(fields=["organization", "checked_at"])]

    def __str__(self) -> str:
        return f"Effectiveness check of {self.action.reference}: {self.get_result_display()}"
