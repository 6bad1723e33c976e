"""Risks and opportunities (ISO 9001 6.1): what could stop the QMS achieving its results, or
help it, how likely and how serious, who owns it, the objectives it touches, how it is treated
and whether the treatment worked. Treatment actions are `qms.core` actions raised from it."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F
from simple_history.models import HistoricalRecords

from objectives.models import QualityObjective
from qms.core.models import Membership
from qms.core.registers.models import RegisterRecord

ONE_TO_FIVE = [MinValueValidator(1), MaxValueValidator(5)]
# Level bands of likelihood x impact on the usual 5 x 5 matrix:
# (lowest score, level, label, status style). 15-25 high, 8-14 medium, 1-7 low.
LEVELS = [(15, "high", "High", "red"), (8, "medium", "Medium", "amber"), (1, "low", "Low", "green")]
LEVEL_RANGES = {"high": (15, 25), "medium": (8, 14), "low": (1, 7)}


def level_of(score: int | None) -> tuple[str, str, str]:
    """(level, label, status style) of a score, e.g. 12 -> ("high", "High", "red")."""
    for lowest, level, label, style in LEVELS:
        if score is not None and score >= lowest:
            return level, label, style
    return "", "Not rated", "nodata"


class Risk(RegisterRecord):
    class Kind(models.TextChoices):
        RISK = "risk", "Risk"
        OPPORTUNITY = "opportunity", "Opportunity"

    class Status(models.TextChoices):
        OPEN = "open", "Open: treatment to decide"
        TREATING = "treating", "Being treated"
        MONITORING = "monitoring", "Monitored"
        CLOSED = "closed", "Closed"

    class Effectiveness(models.TextChoices):
        EFFECTIVE = "effective", "Effective"
        PARTLY = "partly", "Partly effective"
        NOT_EFFECTIVE = "not_effective", "Not effective"

    reference_prefix = "RISK"

    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.RISK)
    description = models.TextField(blank=True, max_length=5000)
    likelihood = models.PositiveSmallIntegerField(
        validators=ONE_TO_FIVE, help_text="1 (rare) to 5 (almost certain)."
    )
    impact = models.PositiveSmallIntegerField(
        validators=ONE_TO_FIVE,
        help_text="1 (negligible) to 5 (severe; for an opportunity: benefit).",
    )
    # Stored so that lists sort and filter by it in the database.
    score = models.GeneratedField(
        expression=F("likelihood") * F("impact"),
        output_field=models.PositiveSmallIntegerField(),
        db_persist=True,
    )
    owner = models.ForeignKey(
        Membership, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    objectives = models.ManyToManyField(
        QualityObjective,
        blank=True,
        related_name="+",
        verbose_name="linked objectives",
        help_text="The objectives this risk or opportunity affects (Ctrl/Cmd-click for several).",
    )
    treatment = models.TextField(
        "planned treatment",
        blank=True,
        max_length=5000,
        help_text="Avoid, reduce, share, accept; or how the opportunity is taken.",
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN)
    review_due_on = models.DateField("effectiveness review due", null=True, blank=True)
    reviewed_on = models.DateField("effectiveness reviewed on", null=True, blank=True)
    effectiveness = models.CharField(
        "effectiveness result", max_length=14, choices=Effectiveness.choices, blank=True
    )
    effectiveness_note = models.TextField("effectiveness review note", blank=True, max_length=5000)
    identified_on = models.DateField("identified on")

    history = HistoricalRecords(excluded_fields=["score"])

    class Meta(RegisterRecord.Meta):
        verbose_name = "risk or opportunity"
        verbose_name_plural = "risks and opportunities"
        indexes = [models.Index(fields=["organization", "status"])]
        constraints = [
            *RegisterRecord.Meta.constraints,
            models.CheckConstraint(
                condition=models.Q(likelihood__gte=1, likelihood__lte=5),
                name="risk_likelihood_1_to_5",
            ),
            models.CheckConstraint(
                condition=models.Q(impact__gte=1, impact__lte=5), name="risk_impact_1_to_5"
            ),
        ]

    @property
    def level(self) -> tuple[str, str, str]:
        score = (self.likelihood or 0) * (self.impact or 0) if self.likelihood else None
        return level_of(score)

    def clean(self):
        super().clean()
        if bool(self.reviewed_on) != bool(self.effectiveness):
            raise ValidationError(
                {"effectiveness": "Give both the review date and its result, or neither."}
            )
        if self.status == self.Status.CLOSED and not self.reviewed_on:
            raise ValidationError(
                {"status": "Review the treatment's effectiveness before closing."}
            )
