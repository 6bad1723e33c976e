"""Context of the organisation (ISO 9001 4.1): the internal and external issues relevant to
its purpose and to what its quality management system can achieve."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from simple_history.models import HistoricalRecords

from qms.core.registers.models import RegisterRecord


class ContextIssue(RegisterRecord):
    class Kind(models.TextChoices):
        INTERNAL = "internal", "Internal"
        EXTERNAL = "external", "External"

    class Status(models.TextChoices):
        CURRENT = "current", "Current"
        CHANGED = "changed", "Changed"
        CLOSED = "closed", "Closed"

    reference_prefix = "CTX"

    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    description = models.TextField(blank=True, max_length=5000)
    effect_on_qms = models.TextField(
        "effect on the QMS",
        blank=True,
        max_length=5000,
        help_text="How the issue affects what the quality management system can achieve.",
    )
    raised_on = models.DateField("raised on")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.CURRENT)
    status_changed_on = models.DateField(
        "status changed on",
        null=True,
        blank=True,
        help_text="When it last changed or was closed: the management review looks at changes.",
    )

    history = HistoricalRecords()

    class Meta(RegisterRecord.Meta):
        verbose_name = "context issue"
        indexes = [models.Index(fields=["organization", "status"])]

    def clean(self):
        super().clean()
        if self.status != self.Status.CURRENT and not self.status_changed_on:
            raise ValidationError(
                {"status_changed_on": "Say when the issue changed or was closed."}
            )
        if self.status_changed_on and self.raised_on and self.status_changed_on < self.raised_on:
            raise ValidationError(
                {"status_changed_on": "The change cannot be before the issue was raised."}
            )
