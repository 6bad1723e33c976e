"""Customer feedback (ISO 9001 9.1.2): complaints, compliments, suggestions and survey scores,
as received; a complaint may point at the nonconformity it raised."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from qms.core.registers.models import RegisterRecord
from reviews.models.nonconformities import Nonconformity

SCORE_MIN, SCORE_MAX = Decimal("0"), Decimal("10")


class CustomerFeedback(RegisterRecord):
    class Channel(models.TextChoices):
        EMAIL = "email", "E-mail"
        PHONE = "phone", "Phone"
        SURVEY = "survey", "Survey"
        VISIT = "visit", "Visit"
        PORTAL = "portal", "Customer portal"
        OTHER = "other", "Other"

    class FeedbackType(models.TextChoices):
        COMPLAINT = "complaint", "Complaint"
        COMPLIMENT = "compliment", "Compliment"
        SURVEY_SCORE = "survey_score", "Survey score"
        SUGGESTION = "suggestion", "Suggestion"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        ANSWERED = "answered", "Answered"
        CLOSED = "closed", "Closed"

    reference_prefix = "CF"

    title = models.CharField("summary", max_length=200)
    received_on = models.DateField("received on")
    customer = models.CharField(max_length=200)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    feedback_type = models.CharField("type", max_length=12, choices=FeedbackType.choices)
    score = models.DecimalField(
        max_digits=4,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(SCORE_MIN), MaxValueValidator(SCORE_MAX)],
        help_text="0 to 10; only for a survey score.",
    )
    description = models.TextField(blank=True, max_length=5000)
    nonconformity = models.ForeignKey(
        Nonconformity,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="feedback",
        help_text="The nonconformity this complaint raised, if any.",
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)

    history = HistoricalRecords()

    class Meta(RegisterRecord.Meta):
        verbose_name = "customer feedback"
        verbose_name_plural = "customer feedback"
        indexes = [
            models.Index(fields=["organization", "status"]),
            models.Index(fields=["organization", "received_on"]),
        ]
        constraints = [
            *RegisterRecord.Meta.constraints,
            # A score belongs to a survey answer and every survey answer has one.
            models.CheckConstraint(
                condition=Q(feedback_type="survey_score", score__isnull=False)
                | (~Q(feedback_type="survey_score") & Q(score__isnull=True)),
                name="customerfeedback_score_only_for_surveys",
            ),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=SCORE_MIN, score__lte=SCORE_MAX),
                name="customerfeedback_score_0_to_10",
            ),
        ]

    def clean(self):
        super().clean()
        survey = self.feedback_type == self.FeedbackType.SURVEY_SCORE
        if survey and self.score is None:
            raise ValidationError({"score": "Give the survey score, from 0 to 10."})
        if not survey and self.score is not None:
            raise ValidationError(
                {"score": "Only a survey score has a score: clear it, or change the type."}
            )
        if self.nonconformity_id and self.feedback_type != self.FeedbackType.COMPLAINT:
            raise ValidationError(
                {"nonconformity": "Only a complaint can be linked to a nonconformity."}
            )
