"""Roles, responsibilities and authorities (ISO 9001 5.3): who holds which QMS responsibility,
from when to when, so the matrix can be shown as of any date."""

from __future__ import annotations

import datetime

from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from qms.core.models import BaseModel, Membership, Organization, OrganizationScopedQuerySet

# The five responsibilities ISO 9001 5.3 asks top management to assign.
STANDARD_RESPONSIBILITIES = [
    (
        "5.3a",
        "Ensure the QMS conforms to ISO 9001",
        "Ensuring that the quality management system conforms to the requirements of ISO 9001.",
    ),
    (
        "5.3b",
        "Ensure processes deliver their intended outputs",
        "Ensuring that the processes are delivering their intended outputs.",
    ),
    (
        "5.3c",
        "Report on QMS performance to top management",
        "Reporting on the performance of the QMS and on opportunities for improvement, in "
        "particular to top management.",
    ),
    (
        "5.3d",
        "Promote customer focus",
        "Ensuring the promotion of customer focus throughout the organisation.",
    ),
    (
        "5.3e",
        "Keep the QMS intact when changes are made",
        "Ensuring that the integrity of the QMS is maintained when changes to it are planned "
        "and implemented.",
    ),
]


class Responsibility(BaseModel):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    code = models.CharField(max_length=20, help_text='e.g. "5.3c" or your own code.')
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    is_standard = models.BooleanField(default=False, help_text="One of the five of ISO 9001 5.3.")

    history = HistoricalRecords()
    objects = OrganizationScopedQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "responsibilities"
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "code"], name="responsibility_code_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class AssignmentQuerySet(OrganizationScopedQuerySet):
    def as_of(self, day: datetime.date):
        """Assignments in force on `day` (from and to are both inclusive)."""
        return self.filter(valid_from__lte=day).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=day)
        )


class ResponsibilityAssignment(BaseModel):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    responsibility = models.ForeignKey(
        Responsibility, on_delete=models.CASCADE, related_name="assignments"
    )
    membership = models.ForeignKey(
        Membership, on_delete=models.PROTECT, related_name="responsibilities"
    )
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True, help_text="Last day; empty while in force.")
    authority = models.CharField(
        max_length=300, blank=True, help_text="What the holder may decide, e.g. stop a shipment."
    )

    history = HistoricalRecords()
    objects = AssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["responsibility__code", "valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="assignment_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.responsibility} → {self.membership}"
