"""Training (ISO 9001 7.2 c): sessions and workshops planned from competence gaps, who was
invited and who attended, and whether it worked, evaluated per attendee after a set delay."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from leadership.models.competence import ATTACHMENT_VALIDATORS, LEVELS, ONE_TO_FOUR, Competence
from leadership.models.resources import ResourceAllocation
from qms.core.models import BaseModel, Membership, Organization, OrganizationScopedQuerySet, OrgUnit


class TrainingSession(BaseModel):
    class Kind(models.TextChoices):
        SESSION = "session", "Training session"
        WORKSHOP = "workshop", "Workshop"
        COURSE = "course", "External course"
        ON_THE_JOB = "on_the_job", "On-the-job training"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    topic = models.CharField(max_length=200)
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.SESSION)
    competences = models.ManyToManyField(
        Competence,
        related_name="training_sessions",
        help_text="The competences it builds (Ctrl/Cmd-click for several).",
    )
    target_level = models.PositiveSmallIntegerField(
        choices=LEVELS,
        validators=ONE_TO_FOUR,
        default=2,
        help_text="The level an attendee reaches when the training proves effective.",
    )
    trainer = models.CharField(max_length=120, help_text="Name of the trainer or provider.")
    held_on = models.DateField("date")
    duration_hours = models.DecimalField(
        "duration (hours)",
        max_digits=6,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.25")), MaxValueValidator(Decimal("1000"))],
    )
    org_unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    resource_allocation = models.ForeignKey(
        ResourceAllocation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="training_sessions",
        help_text="The approved knowledge-and-training allocation that pays for it.",
    )
    materials = models.FileField(
        upload_to="training/%Y/%m/", blank=True, validators=ATTACHMENT_VALIDATORS
    )
    evaluation_due_on = models.DateField(
        "effectiveness evaluation due",
        help_text="When to check that it worked, e.g. three months after the session.",
    )

    history = HistoricalRecords()
    objects = OrganizationScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-held_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(evaluation_due_on__gte=models.F("held_on")),
                name="training_evaluation_after_session",
            )
        ]

    def __str__(self) -> str:
        return f"{self.topic} ({self.held_on:%d %b %Y})"


class TrainingAttendance(BaseModel):
    """One invited member; `attended` once the register is taken; the evaluation after."""

    class Result(models.TextChoices):
        EFFECTIVE = "effective", "Effective"
        PARTLY = "partly", "Partly effective"
        NOT_EFFECTIVE = "not_effective", "Not effective"

    class Method(models.TextChoices):
        OBSERVATION = "observation", "Observation at work"
        TEST = "test", "Test or exam"
        REVIEW = "review", "Review of work output"
        INTERVIEW = "interview", "Interview with the manager"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    session = models.ForeignKey(
        TrainingSession, on_delete=models.CASCADE, related_name="attendances"
    )
    membership = models.ForeignKey(
        Membership, on_delete=models.PROTECT, related_name="training_attendances"
    )
    attended = models.BooleanField(null=True, help_text="Empty until the register is taken.")
    result = models.CharField(max_length=14, choices=Result.choices, blank=True)
    method = models.CharField(max_length=12, choices=Method.choices, blank=True)
    evaluation_note = models.CharField(max_length=500, blank=True)
    evaluated_by = models.ForeignKey(
        Membership, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    evaluated_on = models.DateField(null=True, blank=True)

    history = HistoricalRecords()
    objects = OrganizationScopedQuerySet.as_manager()

    class Meta:
        ordering = ["session", "membership__user__first_name", "membership__user__username"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "membership"], name="training_attendance_once"
            ),
            models.CheckConstraint(
                condition=Q(result="") | (Q(evaluated_by__isnull=False) & Q(attended=True)),
                name="training_evaluation_of_attendee_by_someone",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.membership.display_name} at {self.session}"
