"""Evaluations of external providers (ISO 9001 8.4.1): how a supplier performed over a period,
scored on quality and delivery, and the decision taken (approved, conditional, disqualified)."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q, Value
from simple_history.models import HistoricalRecords

from qms.core.models import Membership
from qms.core.registers.models import RegisterRecord

ZERO_TO_HUNDRED = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))]


class ProviderEvaluation(RegisterRecord):
    class Status(models.TextChoices):
        APPROVED = "approved", "Approved"
        CONDITIONAL = "conditional", "Approved with conditions"
        DISQUALIFIED = "disqualified", "Disqualified"

    reference_prefix = "PE"

    provider = models.CharField("external provider", max_length=200)
    period_start = models.DateField("period from")
    period_end = models.DateField("period to")
    quality_score = models.DecimalField(
        "quality score",
        max_digits=4,
        decimal_places=1,
        validators=ZERO_TO_HUNDRED,
        help_text="0 to 100, e.g. the share of deliveries accepted at incoming inspection.",
    )
    delivery_score = models.DecimalField(
        "delivery score",
        max_digits=4,
        decimal_places=1,
        validators=ZERO_TO_HUNDRED,
        help_text="0 to 100, e.g. the share of deliveries on time and in full.",
    )
    # Stored, so that lists sort and filter by it in the database. Multiplied by 0.5 rather
    # than divided by 2: SQLite divides whole numbers as integers.
    overall_score = models.GeneratedField(
        expression=(F("quality_score") + F("delivery_score")) * Value(Decimal("0.5")),
        output_field=models.DecimalField(max_digits=5, decimal_places=2),
        db_persist=True,
        verbose_name="overall score",
    )
    criteria_notes = models.TextField(
        "criteria and notes",
        blank=True,
        max_length=5000,
        help_text="What was evaluated and why the decision was taken.",
    )
    status = models.CharField("decision", max_length=12, choices=Status.choices)
    evaluated_on = models.DateField("evaluated on")
    evaluated_by = models.ForeignKey(
        Membership, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    history = HistoricalRecords(excluded_fields=["overall_score"])

    class Meta(RegisterRecord.Meta):
        verbose_name = "provider evaluation"
        indexes = [
            models.Index(fields=["organization", "status"]),
            models.Index(fields=["organization", "evaluated_on"]),
        ]
        constraints = [
            *RegisterRecord.Meta.constraints,
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")),
                name="providerevaluation_period_in_order",
            ),
            models.CheckConstraint(
                condition=Q(quality_score__gte=0, quality_score__lte=100)
                & Q(delivery_score__gte=0, delivery_score__lte=100),
                name="providerevaluation_scores_0_to_100",
            ),
        ]

    @property
    def title(self) -> str:
        """Lists and page headers name an evaluation by its provider."""
        return self.provider

    @property
    def description(self) -> str:
        """The register pages' fallback heading, should the provider be blank."""
        return self.criteria_notes

    def clean(self):
        super().clean()
        if self.period_start and self.period_end and self.period_end < self.period_start:
            raise ValidationError({"period_end": "The period cannot end before it starts."})
        if self.evaluated_on and self.period_start and self.evaluated_on < self.period_start:
            raise ValidationError(
                {"evaluated_on": "The evaluation cannot be before the period it covers."}
            )
