"""Quality-culture pulse surveys (ISO 9001 7.3): a handful of 1 to 5 statements the organisation
edits and one comment field, asked in rounds that a scheduled task opens at an interval.

Anonymity is built into the tables, not only into the pages:

- While a round is open, each answer is a `SealedAnswer`: encrypted (scores, comment and the
  member's unit at the time; `leadership.engagement.sealing`), with a random key, no member and
  no time. Someone with the database, a backup or its logs can count the rows and nothing more.
- `SurveyParticipation` records *that* a member answered a round (for reminders and "already
  answered"), with no link to the answer and no answer in it.
- When the round has closed, its answers are opened once, counted into groups of at least
  `MIN_GROUP` respondents (`leadership.engagement.selectors.surveys`) and frozen in the round's
  `results`; the sealed answers are then deleted. Until then no figure of the round exists
  anywhere but "about how many have answered" (`answered_at_least`), so no one can read the
  results, let one person answer, and read them again.
- None of this is in the audit trail: a history row carries who and when, which is exactly the
  link anonymity forbids. The round's own history keeps its frozen results, which hold no
  individual answer.
"""

from __future__ import annotations

import uuid

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from qms.core.models import BaseModel, Membership, Organization, OrganizationScopedQuerySet

# Results are shown only for groups with at least this many respondents: six, so that even a
# respondent who takes their own answer out of a group's figures is left with at least five
# other people's, never a smaller set.
MIN_GROUP = 6
# While a round is open, how many have answered is told only in steps of this many.
ANSWERED_STEP = 5
SCORE_MIN, SCORE_MAX = 1, 5
# The limits of one answer, which fix the single size every sealed answer is padded to
# (`leadership.engagement.sealing.PLAIN_BYTES`): a round asks at most this many statements...
MAX_STATEMENTS = 10
# ...and a comment has at most this many characters (after stripping the ends).
COMMENT_MAX_CHARS = 2000


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
    # Counted once after the round closed, then never changed (see the module docstring); null
    # until then. The shape is `leadership.engagement.selectors.surveys.frozen_results`.
    results = models.JSONField(null=True, blank=True, editable=False)
    counted_on = models.DateField(null=True, blank=True, editable=False)

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

    def has_closed(self, day) -> bool:
        return self.closes_on < day

    @property
    def is_counted(self) -> bool:
        return self.results is not None

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


class SealedAnswer(models.Model):
    """One answer to an open round, encrypted: scores, comment and unit are inside `sealed`
    (`leadership.engagement.sealing`). No member, no time, a random key; all of one size, and
    all of a round's rewritten, shuffled and sealed afresh on every answer, so neither size,
    order nor transaction ties one to a participation. Deleted once the round has been
    counted."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    round = models.ForeignKey(SurveyRound, on_delete=models.CASCADE, related_name="sealed_answers")
    sealed = models.BinaryField()

    objects = OrganizationScopedQuerySet.as_manager()

    def __str__(self) -> str:
        return f"a sealed answer to round {self.round_id}"


def valid_score(value) -> bool:
    return (
        isinstance(value, int) and not isinstance(value, bool) and SCORE_MIN <= value <= SCORE_MAX
    )


def comment_as_typed(text: str | None) -> str:
    """A comment as its author typed it: a browser sends each line break as CR LF, counted as the
    one character the author saw, so a comment the form let them type is not refused."""
    return (text or "").replace("\r\n", "\n").strip()


def comment_too_long(length: int) -> str:
    """The error for a comment over the limit, on the form and from the service alike."""
    return f"Your comment is {length:,} characters; the limit is {COMMENT_MAX_CHARS:,}."
