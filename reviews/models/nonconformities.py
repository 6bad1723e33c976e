"""Nonconformities (ISO 9001 10.2): what went wrong, where it was found, how bad it is, what was
done at once (containment), why it happened and whether the correction worked. Corrective
actions are `qms.core` actions raised from the record."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from qms.core.models import Membership, OrgUnit
from qms.core.registers.models import RegisterRecord


class Nonconformity(RegisterRecord):
    class Source(models.TextChoices):
        CUSTOMER_COMPLAINT = "customer_complaint", "Customer complaint"
        INTERNAL = "internal", "Internal"
        SUPPLIER = "supplier", "Supplier"
        AUDIT = "audit", "Audit"

    class Severity(models.TextChoices):
        MINOR = "minor", "Minor"
        MAJOR = "major", "Major"
        CRITICAL = "critical", "Critical"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        INVESTIGATING = "investigating", "Investigating the cause"
        ACTION = "action", "Corrective action under way"
        CLOSED = "closed", "Closed"

    reference_prefix = "NC"

    title = models.CharField(max_length=200)
    source = models.CharField(max_length=20, choices=Source.choices)
    description = models.TextField(blank=True, max_length=5000)
    detected_on = models.DateField("detected on")
    severity = models.CharField(max_length=10, choices=Severity.choices)
    containment = models.TextField(
        blank=True,
        max_length=5000,
        help_text="What was done at once to contain it (quarantine, rework, customer informed).",
    )
    root_cause = models.TextField("root cause", blank=True, max_length=5000)
    owner = models.ForeignKey(
        Membership, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    org_unit = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="org unit",
    )
    status = models.CharField(max_length=14, choices=Status.choices, default=Status.OPEN)
    closed_on = models.DateField("closed on", null=True, blank=True)
    effective = models.BooleanField(
        "corrective action effective",
        null=True,
        blank=True,
        help_text="Leave empty until the effectiveness has been verified (10.2.1 d).",
    )
    verified_by = models.ForeignKey(
        Membership,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="effectiveness verified by",
    )
    verified_on = models.DateField("effectiveness verified on", null=True, blank=True)
    lesson_learned = models.TextField(
        "lesson learned",
        blank=True,
        max_length=5000,
        help_text="What we do differently from now on; asked when the nonconformity is closed.",
    )

    history = HistoricalRecords()

    class Meta(RegisterRecord.Meta):
        verbose_name = "nonconformity"
        verbose_name_plural = "nonconformities"
        indexes = [
            models.Index(fields=["organization", "status"]),
            models.Index(fields=["organization", "detected_on"]),
        ]
        constraints = [
            *RegisterRecord.Meta.constraints,
            models.CheckConstraint(
                condition=~Q(status="closed") | Q(closed_on__isnull=False),
                name="nonconformity_closed_has_date",
            ),
            models.CheckConstraint(
                condition=Q(effective__isnull=True)
                | Q(verified_by__isnull=False, verified_on__isnull=False),
                name="nonconformity_effectiveness_verified",
            ),
        ]

    def clean(self):
        super().clean()
        errors: dict[str, str] = {}
        if self.status == self.Status.CLOSED and not self.closed_on:
            errors["closed_on"] = "Say when the nonconformity was closed."
        elif self.closed_on and self.status != self.Status.CLOSED:
            errors["closed_on"] = "Only a closed nonconformity has a closing date: clear it."
        elif self.closed_on and self.detected_on and self.closed_on < self.detected_on:
            errors["closed_on"] = "The nonconformity cannot be closed before it was detected."
        if self.effective is not None:
            if not self.verified_by_id:
                errors["verified_by"] = "Say who verified the effectiveness."
            if not self.verified_on:
                errors["verified_on"] = "Say when the effectiveness was verified."
        elif self.verified_by_id or self.verified_on:
            errors["effective"] = (
                "Give the result of the effectiveness check, or clear who and when."
            )
        if self.verified_on and self.detected_on and self.verified_on < self.detected_on:
            errors.setdefault(
                "verified_on",
                "Effectiveness cannot be verified before the nonconformity was detected.",
            )
        if errors:
            raise ValidationError(errors)
