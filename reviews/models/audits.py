"""Audit findings (ISO 9001 9.2): what internal, certification, customer and supplier audits
found, graded as auditors grade them, and followed to closure."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from qms.core.models import OrgUnit
from qms.core.registers.models import RegisterRecord

CLAUSE_FORMAT = RegexValidator(
    r"^\d{1,2}(\.\d{1,2}){0,3}$",
    'Write the clause as numbers separated by dots, e.g. "7.1.5".',
)


class AuditFinding(RegisterRecord):
    class AuditKind(models.TextChoices):
        INTERNAL = "internal", "Internal"
        CERTIFICATION = "certification", "External / certification"
        CUSTOMER = "customer", "Customer"
        SUPPLIER = "supplier", "Supplier"

    class FindingType(models.TextChoices):
        MAJOR = "major", "Major nonconformity"
        MINOR = "minor", "Minor nonconformity"
        OBSERVATION = "observation", "Observation"
        OFI = "ofi", "Opportunity for improvement"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        RESPONDED = "responded", "Responded"
        CLOSED = "closed", "Closed"

    reference_prefix = "AF"

    title = models.CharField(max_length=200)
    audit_kind = models.CharField("audit", max_length=14, choices=AuditKind.choices)
    audit_reference = models.CharField(
        "audit reference", max_length=40, help_text='The audit\'s own reference, e.g. "IA-2026-03".'
    )
    audit_date = models.DateField("audit date")
    auditor = models.CharField(max_length=120, blank=True, help_text="Name of the lead auditor.")
    finding_type = models.CharField("finding", max_length=12, choices=FindingType.choices)
    clause = models.CharField(
        "ISO 9001 clause",
        max_length=20,
        blank=True,
        validators=[CLAUSE_FORMAT],
        help_text='e.g. "7.1.5"',
    )
    description = models.TextField(blank=True, max_length=5000)
    org_unit = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="org unit",
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    closed_on = models.DateField("closed on", null=True, blank=True)

    history = HistoricalRecords()

    class Meta(RegisterRecord.Meta):
        verbose_name = "audit finding"
        indexes = [
            models.Index(fields=["organization", "status"]),
            models.Index(fields=["organization", "audit_date"]),
        ]
        constraints = [
            *RegisterRecord.Meta.constraints,
            models.CheckConstraint(
                condition=~Q(status="closed") | Q(closed_on__isnull=False),
                name="auditfinding_closed_has_date",
            ),
        ]

    def clean(self):
        super().clean()
        if self.status == self.Status.CLOSED and not self.closed_on:
            raise ValidationError({"closed_on": "Say when the finding was closed."})
        if self.closed_on and self.status != self.Status.CLOSED:
            raise ValidationError(
                {"closed_on": "Only a closed finding has a closing date: clear it."}
            )
        if self.closed_on and self.audit_date and self.closed_on < self.audit_date:
            raise ValidationError(
                {"closed_on": "The finding cannot be closed before the audit took place."}
            )
