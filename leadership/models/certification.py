"""The ISO 9001 certificate: who issued it, its number, scope and sites, validity, and its
audit cycle (certification, surveillance, recertification) with dates and results. Findings of
each audit are the audit-findings register's records that carry the audit's reference."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from qms.core.models import BaseModel, Organization, OrganizationScopedQuerySet

LEAD_TIMES = RegexValidator(
    r"^\s*\d{1,3}(\s*,\s*\d{1,3})*\s*$",
    "Write days as numbers separated by commas, e.g. 60, 30, 7.",
)


def parse_lead_times(text: str) -> list[int]:
    """ "60, 30, 7" -> [60, 30, 7] (largest first; blanks and repeats dropped)."""
    return sorted({int(part) for part in text.split(",") if part.strip()}, reverse=True)


class CertificateQuerySet(OrganizationScopedQuerySet):
    def valid_on(self, day: datetime.date):
        return self.filter(
            status=Certificate.Status.ACTIVE, issued_on__lte=day, expires_on__gte=day
        )


class Certificate(BaseModel):
    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        SUSPENDED = "suspended", "Suspended"
        WITHDRAWN = "withdrawn", "Withdrawn"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    certification_body = models.CharField(max_length=200)
    number = models.CharField("certificate number", max_length=80)
    standard = models.CharField(max_length=40, default="ISO 9001")
    edition = models.CharField(max_length=10, default="2015")
    scope = models.TextField("scope statement", max_length=3000)
    sites = models.TextField(blank=True, max_length=2000, help_text="One site per line.")
    issued_on = models.DateField()
    expires_on = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    audit_reminder_days = models.CharField(
        "remind before each audit (days)",
        max_length=40,
        default="60, 30, 7",
        validators=[LEAD_TIMES],
    )
    expiry_reminder_days = models.CharField(
        "remind before expiry (days)",
        max_length=40,
        default="180, 90, 30",
        validators=[LEAD_TIMES],
    )
    show_publicly = models.BooleanField(
        default=True, help_text="Show it on the public policy page for customers and suppliers."
    )

    history = HistoricalRecords()
    objects = CertificateQuerySet.as_manager()

    class Meta:
        ordering = ["-expires_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_on__gt=F("issued_on")), name="certificate_expires_after_issue"
            ),
            models.UniqueConstraint(
                fields=["organization", "certification_body", "number"],
                name="certificate_number_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.standard}:{self.edition} certificate {self.number}"

    def is_valid_on(self, day: datetime.date) -> bool:
        return self.status == self.Status.ACTIVE and self.issued_on <= day <= self.expires_on

    def state_on(self, day: datetime.date) -> tuple[str, str]:
        """(label, status style) for a reader: valid, expired, suspended, withdrawn."""
        if self.status != self.Status.ACTIVE:
            return self.get_status_display(), "red"
        if day > self.expires_on:
            return "Expired", "red"
        if day < self.issued_on:
            return "Not yet in force", "amber"
        return "Valid", "green"


class CertificationAudit(BaseModel):
    class Kind(models.TextChoices):
        STAGE_1 = "stage_1", "Stage 1 (documentation)"
        CERTIFICATION = "certification", "Certification (stage 2)"
        SURVEILLANCE = "surveillance", "Surveillance"
        RECERTIFICATION = "recertification", "Recertification"

    class Result(models.TextChoices):
        PENDING = "", "Not held yet"
        RECOMMENDED = "recommended", "Recommended / maintained"
        CONDITIONAL = "conditional", "Recommended once findings are closed"
        NOT_RECOMMENDED = "not_recommended", "Not recommended"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    certificate = models.ForeignKey(Certificate, on_delete=models.CASCADE, related_name="audits")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    planned_on = models.DateField("planned date")
    held_on = models.DateField("held on", null=True, blank=True)
    lead_auditor = models.CharField(max_length=120, blank=True)
    audit_reference = models.CharField(
        max_length=40,
        blank=True,
        help_text="The reference its findings carry in the audit-findings register.",
    )
    result = models.CharField(max_length=16, choices=Result.choices, blank=True)
    notes = models.TextField(blank=True, max_length=3000)

    history = HistoricalRecords()
    objects = OrganizationScopedQuerySet.as_manager()

    class Meta:
        ordering = ["planned_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(result="") | Q(held_on__isnull=False),
                name="certification_audit_result_needs_date",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} audit, {self.planned_on:%d %b %Y}"

    def clean(self):
        super().clean()
        if self.result and not self.held_on:
            raise ValidationError({"held_on": "Give the date the audit was held with its result."})
