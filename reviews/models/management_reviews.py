"""Management reviews (ISO 9001 9.3): planned at intervals, prepared from the data (the 9.3.2
inputs, frozen when the review is held), held with top management, recorded (attendance,
minutes, 9.3.3 decisions that raise actions) and signed off, after which nothing changes:
corrections go into addenda."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from qms.core.immutable import ImmutableRecordError
from qms.core.models import BaseModel, Membership, Organization, OrganizationScopedQuerySet, OrgUnit


class ReviewSchedule(BaseModel):
    """A recurrence: a review every `interval_months`, the next one planned when one is held or
    skipped, so the schedule keeps itself going."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    org_unit = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Leave empty for the whole organisation.",
    )
    title = models.CharField(max_length=150, default="Management review")
    interval_months = models.PositiveSmallIntegerField(
        "every (months)",
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(24)],
        help_text="3 for quarterly, 12 for yearly.",
    )
    is_active = models.BooleanField(default=True)

    history = HistoricalRecords()
    objects = OrganizationScopedQuerySet.as_manager()

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        every = {1: "monthly", 3: "quarterly", 6: "half-yearly", 12: "yearly"}.get(
            self.interval_months, f"every {self.interval_months} months"
        )
        return f"{self.title} ({every})"


class ReviewStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    PREPARED = "prepared", "Agenda prepared"
    HELD = "held", "Held, awaiting sign-off"
    SIGNED_OFF = "signed_off", "Signed off"
    SKIPPED = "skipped", "Skipped"


class ManagementReview(BaseModel):
    Status = ReviewStatus

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    number = models.PositiveIntegerField(editable=False)
    schedule = models.ForeignKey(
        ReviewSchedule, on_delete=models.SET_NULL, null=True, blank=True, related_name="reviews"
    )
    org_unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    title = models.CharField(max_length=150)
    planned_on = models.DateField("planned for")
    held_on = models.DateField("held on", null=True, blank=True)
    # The inputs cover what happened from period_start to period_end (inclusive): since the
    # previous review, up to the day the agenda was (last) compiled.
    period_start = models.DateField(null=True, blank=True)
    period_end = models.DateField(null=True, blank=True)
    location = models.CharField(max_length=200, blank=True)
    chair = models.ForeignKey(
        Membership, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PLANNED)
    minutes = models.TextField(blank=True, max_length=50_000)
    skipped_reason = models.CharField(max_length=300, blank=True)
    prepared_at = models.DateTimeField(null=True, blank=True)
    frozen_at = models.DateTimeField("inputs frozen at", null=True, blank=True)
    signed_off_by = models.ForeignKey(
        Membership, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    signed_off_at = models.DateTimeField(null=True, blank=True)
    sign_off_comment = models.CharField(max_length=500, blank=True)

    history = HistoricalRecords()
    objects = OrganizationScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-planned_on", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "number"], name="review_number_unique_per_organization"
            ),
            models.CheckConstraint(
                condition=~Q(status="signed_off")
                | Q(
                    signed_off_by__isnull=False, signed_off_at__isnull=False, held_on__isnull=False
                ),
                name="review_signed_off_has_who_when",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["held", "signed_off"])
                | Q(held_on__isnull=False, frozen_at__isnull=False),
                name="review_held_has_date_and_frozen_inputs",
            ),
        ]
        indexes = [models.Index(fields=["organization", "status", "planned_on"])]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def reference(self) -> str:
        return f"MR-{self.number:03}" if self.number else "MR"

    @property
    def is_locked(self) -> bool:
        return self.status == ReviewStatus.SIGNED_OFF

    def days_late(self, today: datetime.date | None = None) -> int | None:
        """Days after the planned date that it was held (or, not yet held, that it is late by
        `today`); None when on time or early."""
        if self.held_on:
            late = (self.held_on - self.planned_on).days
        elif today and self.status in (ReviewStatus.PLANNED, ReviewStatus.PREPARED):
            late = (today - self.planned_on).days
        else:
            return None
        return late if late > 0 else None

    def timing_text(self, today: datetime.date | None = None) -> str:
        """ "planned 31 Mar 2026, held 14 Apr 2026, 14 days late" """
        planned = f"planned {self.planned_on:%-d %b %Y}"
        if self.status == ReviewStatus.SKIPPED:
            return f"{planned}, skipped"
        if self.held_on:
            late = self.days_late()
            timing = f"{late} day{'s' if late != 1 else ''} late" if late else "on time"
            return f"{planned}, held {self.held_on:%-d %b %Y}, {timing}"
        late = self.days_late(today)
        if late:
            return f"{planned}, not held yet: {late} day{'s' if late != 1 else ''} overdue"
        return planned

    def clean(self):
        super().clean()
        if self.held_on and self.period_start and self.held_on < self.period_start:
            raise ValidationError({"held_on": "A review cannot be held before its period starts."})
        if self.chair_id and self.chair.organization_id != self.organization_id:
            raise ValidationError({"chair": "Choose a member of this organisation."})

    def save(self, *args, **kwargs):
        # Evidence: a signed-off review never changes, whichever path tries (admin, shell, bug).
        if self.pk:
            stored = type(self).objects.filter(pk=self.pk).values_list("status", flat=True).first()
            if stored == ReviewStatus.SIGNED_OFF:
                raise ImmutableRecordError(
                    f"{self.reference} is signed off and can no longer change; add an addendum."
                )
        super().save(*args, **kwargs)


class LockedWithReviewMixin(models.Model):
    """Parts of a review (inputs, attendees, decisions) cannot change once it is signed off."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        status = (
            ManagementReview.objects.filter(pk=self.review_id)
            .values_list("status", flat=True)
            .first()
        )
        if status == ReviewStatus.SIGNED_OFF:
            raise ImmutableRecordError(
                "This review is signed off and can no longer change; add an addendum."
            )
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.review.is_locked:
            raise ImmutableRecordError("This review is signed off; nothing in it can be removed.")
        return super().delete(*args, **kwargs)


class ReviewInput(LockedWithReviewMixin, BaseModel):
    """One 9.3.2 input of the agenda: the numbers compiled from the data (`data`, frozen when
    the review is held) and the quality manager's commentary."""

    review = models.ForeignKey(ManagementReview, on_delete=models.CASCADE, related_name="inputs")
    key = models.CharField(max_length=40)
    clause = models.CharField(max_length=20)  # "9.3.2 c"
    title = models.CharField(max_length=200)
    order = models.PositiveSmallIntegerField(default=0)
    data = models.JSONField(default=dict, blank=True)
    has_data = models.BooleanField(default=False)
    missing = models.CharField(max_length=300, blank=True)  # what the agenda says when empty
    commentary = models.TextField(blank=True, max_length=10_000)
    compiled_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["order"]
        constraints = [
            models.UniqueConstraint(fields=["review", "key"], name="review_input_one_per_key")
        ]

    def __str__(self) -> str:
        return f"{self.clause} {self.title}"


class ReviewAttendee(LockedWithReviewMixin, BaseModel):
    class Attendance(models.TextChoices):
        INVITED = "invited", "Invited"
        ATTENDED = "attended", "Attended"
        APOLOGIES = "apologies", "Sent apologies"
        ABSENT = "absent", "Absent"

    review = models.ForeignKey(ManagementReview, on_delete=models.CASCADE, related_name="attendees")
    membership = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="+")
    attendance = models.CharField(
        max_length=10, choices=Attendance.choices, default=Attendance.INVITED
    )
    # Kept as it was at the meeting: a later change of role does not rewrite who was there.
    is_top_management = models.BooleanField(default=False)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-is_top_management", "membership__user__first_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["review", "membership"], name="review_attendee_once_per_review"
            )
        ]

    def __str__(self) -> str:
        return f"{self.membership.display_name}: {self.get_attendance_display()}"


class ReviewDecision(LockedWithReviewMixin, BaseModel):
    """An output of the review (9.3.3); each raises one or more actions (source = the decision),
    which the next review's input (a) lists with their status."""

    class Kind(models.TextChoices):
        IMPROVEMENT = "improvement", "Opportunity for improvement (9.3.3 a)"
        QMS_CHANGE = "qms_change", "Change to the QMS (9.3.3 b)"
        RESOURCE = "resource", "Resource need (9.3.3 c)"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    review = models.ForeignKey(ManagementReview, on_delete=models.CASCADE, related_name="decisions")
    number = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=12, choices=Kind.choices)
    text = models.TextField("decision", max_length=5_000)

    history = HistoricalRecords()
    objects = OrganizationScopedQuerySet.as_manager()

    class Meta:
        ordering = ["review", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["review", "number"], name="review_decision_number_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.review.reference} decision {self.number}: {self.text[:60]}"

    @property
    def title(self) -> str:
        return self.text[:120]


class ReviewAddendum(BaseModel):
    """A correction or note added after sign-off; never changed once written."""

    review = models.ForeignKey(ManagementReview, on_delete=models.CASCADE, related_name="addenda")
    text = models.TextField(max_length=10_000)
    author = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="+")

    history = HistoricalRecords()

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"Addendum to {self.review.reference}"

    def save(self, *args, **kwargs):
        if self.pk:
            raise ImmutableRecordError("An addendum cannot be changed; add another one.")
        super().save(*args, **kwargs)
