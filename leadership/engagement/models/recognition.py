"""Milestones detected from the data and the recognitions executives give for them (5.1, 7.3).

A milestone is proposed once: its `key` names what was achieved (which objective, streak, unit
and quarter) and is unique per organisation, so the detecting task can run any number of times.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from objectives.models import QualityObjective
from qms.core.models import BaseModel, Membership, Organization, OrganizationScopedQuerySet, OrgUnit


class MilestoneKind(models.TextChoices):
    TARGET_REACHED = "target_reached", "Objective reached its target"
    GREEN_STREAK = "green_streak", "Objective on track period after period"
    ACTIONS_ON_TIME = "actions_on_time", "Unit closed all its actions on time in a quarter"


class MilestoneQuerySet(OrganizationScopedQuerySet):
    def awaiting_recognition(self):
        return self.filter(recognitions__isnull=True, dismissed_at__isnull=True)


class Milestone(BaseModel):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=MilestoneKind.choices)
    key = models.CharField(max_length=100, help_text="What was achieved; unique per organisation.")
    title = models.CharField(max_length=300)
    objective = models.ForeignKey(
        QualityObjective, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    org_unit = models.ForeignKey(
        OrgUnit, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    period_end = models.DateField(help_text="The period in which it was achieved.")
    executive = models.ForeignKey(
        Membership,
        on_delete=models.PROTECT,
        related_name="proposed_milestones",
        help_text="The accountable executive it is proposed to.",
    )
    # Who achieved it, suggested for the recognition: the objective's owner, or none (a team).
    achieved_by = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    dismissed_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()
    objects = MilestoneQuerySet.as_manager()

    class Meta:
        ordering = ["-period_end", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "key"], name="milestone_once_per_key")
        ]

    def __str__(self) -> str:
        return self.title


class RecognitionQuerySet(OrganizationScopedQuerySet):
    pass


class Recognition(BaseModel):
    """An executive's short note recognising a person or a team, usually for a milestone."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    milestone = models.ForeignKey(
        Milestone, on_delete=models.PROTECT, null=True, blank=True, related_name="recognitions"
    )
    given_by = models.ForeignKey(
        Membership, on_delete=models.PROTECT, related_name="recognitions_given"
    )
    recipient = models.ForeignKey(
        Membership,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="recognitions_received",
        help_text="A person…",
    )
    team = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="…or a team (a unit).",
    )
    note = models.CharField(max_length=500)
    given_on = models.DateField()

    history = HistoricalRecords()
    objects = RecognitionQuerySet.as_manager()

    class Meta:
        ordering = ["-given_on", "-id"]
        indexes = [models.Index(fields=["organization", "given_on"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(recipient__isnull=False) | Q(team__isnull=False),
                name="recognition_has_recipient_or_team",
            )
        ]

    def __str__(self) -> str:
        return f"Recognition of {self.recipient_label}"

    @property
    def recipient_label(self) -> str:
        if self.recipient_id:
            return self.recipient.display_name
        return str(self.team) if self.team_id else ""

    def clean(self) -> None:
        errors = {}
        if not self.recipient_id and not self.team_id:
            errors["recipient"] = "Recognise a person or a team."
        if self.organization_id:
            if self.recipient_id and self.recipient.organization_id != self.organization_id:
                errors["recipient"] = "Choose a member of this organisation."
            if self.team_id and self.team.organization_id != self.organization_id:
                errors["team"] = "Choose a unit of this organisation."
        if errors:
            raise ValidationError(errors)
