"""Improvement suggestions from any member (ISO 9001 7.3, 10.3), triaged by a quality manager.

A suggestion may be anonymous, and then nothing links it to its author: no submitter is stored
(the audit trail's creating version has no user either), its times are kept to the day only (so
a sign-in or a page view at 10:31 cannot be matched to it), it names no unit of fewer than
`ANONYMOUS_MIN_GROUP` people, and no one is notified of its outcome. The author follows it with a
private receipt code shown once; only a digest of the code is stored, and it names no one.
"""

from __future__ import annotations

import hashlib

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from qms.core.actions.models import Action
from qms.core.models import BaseModel, Membership, Organization, OrganizationScopedQuerySet, OrgUnit

# An anonymous suggestion may name a unit only if at least this many people work in it (with its
# sub-units): "where" must not point to a person.
ANONYMOUS_MIN_GROUP = 5


def receipt_code_digest(code: str) -> str:
    """What is stored of an anonymous author's receipt code."""
    return hashlib.sha256(code.strip().encode()).hexdigest()


class SuggestionStatus(models.TextChoices):
    NEW = "new", "Awaiting triage"
    ACTION = "action", "Accepted: an action"
    OPPORTUNITY = "opportunity", "Accepted: an opportunity for improvement"
    DECLINED = "declined", "Declined"
    DUPLICATE = "duplicate", "Merged as a duplicate"


ACCEPTED_STATUSES = (SuggestionStatus.ACTION, SuggestionStatus.OPPORTUNITY)
DECIDED_STATUSES = (*ACCEPTED_STATUSES, SuggestionStatus.DECLINED, SuggestionStatus.DUPLICATE)


class SuggestionQuerySet(OrganizationScopedQuerySet):
    def awaiting_triage(self):
        return self.filter(status=SuggestionStatus.NEW)

    def accepted(self):
        return self.filter(status__in=ACCEPTED_STATUSES)


class Suggestion(BaseModel):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    title = models.CharField("what", max_length=200, help_text="The improvement, in one line.")
    description = models.TextField(blank=True, max_length=5000)
    org_unit = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="where",
        help_text="The unit it concerns; leave empty for the whole organisation.",
    )
    expected_benefit = models.TextField(blank=True, max_length=2000)
    is_anonymous = models.BooleanField(
        "anonymous",
        default=False,
        help_text=(
            "We keep no record that it is yours, so nobody can find out, administrators "
            "included. You get a private receipt code to follow the outcome instead of a "
            "notification."
        ),
    )
    # Empty when anonymous: the outcome notification and "my suggestions" are for signed ones.
    submitted_by = models.ForeignKey(
        Membership, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # To the day (midnight, local time), signed or anonymous; so are created_at and updated_at
    # (an anonymous one numbered between two signed ones timed to the second was timed too).
    submitted_at = models.DateTimeField()
    # SHA-256 of the anonymous author's receipt code (the code itself is never stored).
    receipt_digest = models.CharField(max_length=64, blank=True, default="", editable=False)
    status = models.CharField(
        max_length=12, choices=SuggestionStatus.choices, default=SuggestionStatus.NEW
    )
    decision_note = models.TextField(
        blank=True, max_length=2000, help_text="Why it was declined, or how it will be taken up."
    )
    decided_by = models.ForeignKey(
        Membership, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    action = models.ForeignKey(
        Action, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    duplicate_of = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="duplicates"
    )

    history = HistoricalRecords(excluded_fields=["submitted_by", "receipt_digest"])

    @classmethod
    def history_kept_to_the_day(cls, version) -> bool:
        """Every suggestion's creating version is dated to the day only (see
        `suggestion_submit`); later versions are the quality team's, at their real time."""
        return version.history_type == "+"

    @classmethod
    def history_version_is_anonymous(cls, version) -> bool:
        """An anonymous suggestion's creating version has no user and the day only (see
        `suggestion_submit`); later versions are the quality team's, at their real time."""
        return version.history_type == "+" and version.is_anonymous

    objects = SuggestionQuerySet.as_manager()

    class Meta:
        ordering = ["-submitted_at", "-id"]
        indexes = [
            models.Index(fields=["organization", "status"]),
            models.Index(fields=["organization", "submitted_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(is_anonymous=True, submitted_by__isnull=True)
                | Q(is_anonymous=False, submitted_by__isnull=False),
                name="suggestion_anonymous_has_no_submitter",
            ),
            models.UniqueConstraint(
                fields=["receipt_digest"],
                condition=~Q(receipt_digest=""),
                name="suggestion_receipt_digest_unique",
            ),
            models.CheckConstraint(
                condition=Q(status="new") | Q(decided_at__isnull=False),
                name="suggestion_decided_has_date",
            ),
            models.CheckConstraint(
                condition=~Q(status="duplicate") | Q(duplicate_of__isnull=False),
                name="suggestion_duplicate_names_original",
            ),
            models.CheckConstraint(
                condition=~Q(status="action") | Q(action__isnull=False),
                name="suggestion_accepted_action_linked",
            ),
        ]

    def __str__(self) -> str:
        return f"S-{self.pk}: {self.title}" if self.pk else self.title

    @property
    def reference(self) -> str:
        return f"S-{self.pk}"

    @property
    def is_decided(self) -> bool:
        return self.status != SuggestionStatus.NEW

    @property
    def is_accepted(self) -> bool:
        return self.status in ACCEPTED_STATUSES

    def submitter_label(self) -> str:
        """What anyone is shown as the submitter: never the person when anonymous."""
        return "Anonymous" if self.is_anonymous else self.submitted_by.display_name

    def clean(self) -> None:
        errors = {}
        if self.organization_id:
            if self.org_unit_id and self.org_unit.organization_id != self.organization_id:
                errors["org_unit"] = "Choose a unit of this organisation."
            if self.duplicate_of_id:
                if self.duplicate_of.organization_id != self.organization_id:
                    errors["duplicate_of"] = "Choose a suggestion of this organisation."
                elif self.pk and self.duplicate_of_id == self.pk:
                    errors["duplicate_of"] = "A suggestion cannot duplicate itself."
        if errors:
            raise ValidationError(errors)
