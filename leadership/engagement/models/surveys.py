"""Quality-culture pulse surveys (ISO 9001 7.3): a handful of 1 to 5 statements the organisation
edits and one comment field, asked in rounds that a scheduled task opens at an interval.

Anonymity is built into the tables, not only into the pages:

- `SurveyResponse` holds the answers with no link to the member: no member field, no timestamp,
  and a random (UUID) key, so neither a column nor the order of keys ties a response to a
  person. It keeps only the member's unit at the time, which results need, and results are
  shown only for groups of at least `MIN_GROUP` respondents (smaller units fold into their
  parent; see `leadership.engagement.selectors.surveys`).
- `SurveyParticipation` records *that* a member answered a round (for reminders and "already
  answered"), with no link to the response. It is saved in the same transaction as the response
  and holds no answer.
- Neither is in the audit trail: a history row carries who and when, which is exactly the link
  anonymity forbids (and the participation's history would order members against responses).
"""

from __future__ import annotations

import uuid

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from qms.core.models import BaseModel, Membership, Organization, OrganizationScopedQuerySet, OrgUnit

# Results are shown only for groups with at least this many respondents.
MIN_GROUP = 5
SCORE_MIN, SCORE_MAX = 1, 5


class SurveyStatementQuerySet(OrganizationScopedQuerySet):
    def active(self):
        return self.filter(is_active=True)


class SurveyStatement(BaseModel):
    """A statement members rate from 1 (strongly disagree) to 5 (strongly agree)."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    text = models.CharField(max_length=300)
    order = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True, help_text="Asked in the next rounds.")

    history = HistoricalRecords()
    objects = SurveyStatementQuerySet.as_manager()

    class Meta:
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.text


class SurveyRoundQuerySet(OrganizationScopedQuerySet):
    def open_on(self, day):
        return self.filter(opens_on__lte=day, closes_on__gte=day)


class SurveyRound(BaseModel):
    """One asking of the survey. The statements are copied in when it opens (`questions`), so
    later edits to the statements do not change what this round asked."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    number = models.PositiveIntegerField()
    opens_on = models.DateField()
    closes_on = models.DateField()
    # [{"key": "<statement id>", "text": "..."}], in the order asked.
    questions = models.JSONField(default=list)

    history = HistoricalRecords()
    objects = SurveyRoundQuerySet.as_manager()

    class Meta:
        ordering = ["-opens_on", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "number"], name="surveyround_number_unique"
            ),
            models.CheckConstraint(
                condition=Q(closes_on__gte=F("opens_on")), name="surveyround_closes_after_open"
            ),
        ]

    def __str__(self) -> str:
        return f"Pulse survey {self.number} ({self.opens_on:%d %b %Y})"

    def is_open(self, day) -> bool:
        return self.opens_on <= day <= self.closes_on

    def clean(self) -> None:
        if self.opens_on and self.closes_on and self.closes_on < self.opens_on:
            raise ValidationError({"closes_on": "A round closes on or after the day it opens."})


class SurveyParticipation(models.Model):
    """That a member answered a round (not what). No timestamp finer than the round itself."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    round = models.ForeignKey(SurveyRound, on_delete=models.CASCADE, related_name="participations")
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")

    objects = OrganizationScopedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["round", "membership"], name="surveyparticipation_once_per_round"
            )
        ]

    def __str__(self) -> str:
        return f"round {self.round_id}: member {self.membership_id}"


class SurveyResponse(models.Model):
    """One anonymous set of answers: `scores` maps each question key to 1 to 5. No member, no time,
    a random key (see the module docstring)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    round = models.ForeignKey(SurveyRound, on_delete=models.CASCADE, related_name="responses")
    org_unit = models.ForeignKey(
        OrgUnit, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    scores = models.JSONField(default=dict)
    comment = models.TextField(blank=True, max_length=2000)

    objects = OrganizationScopedQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["round", "org_unit"])]

    def __str__(self) -> str:
        return f"a response to round {self.round_id}"


def valid_score(value) -> bool:
    return (
        isinstance(value, int) and not isinstance(value, bool) and SCORE_MIN <= value <= SCORE_MAX
    )
