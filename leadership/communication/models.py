"""Communication (7.4) and awareness (7.3): the communication plan and its occurrences,
announcements with their recipients (read receipts), and executives' leadership activities (5.1).

An announcement's audience is resolved once, when it is published, into one recipient row per
member: that row is both the delivery record and the read receipt, and its unit (the member's
unit at publication) is what the reach rate per unit counts. A published announcement is
evidence and never changes; a correction is a new announcement that names the one it corrects.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from objectives.periods import add_months
from qms.core.immutable import FrozenFieldsMixin
from qms.core.models import (
    BaseModel,
    Membership,
    Organization,
    OrganizationScopedQuerySet,
    OrgUnit,
)
from qms.core.roles import Role


def _clean_roles(roles, field: str) -> list[str]:
    """A list of role codes in the roles' order without repeats, or ValidationError naming the
    unknown ones."""
    if roles in (None, ""):
        return []
    if not isinstance(roles, list | tuple) or not all(isinstance(r, str) for r in roles):
        raise ValidationError({field: 'Give the roles as a list, e.g. ["contributor"].'})
    unknown = sorted(set(roles) - set(Role.values))
    if unknown:
        known = ", ".join(Role.values)
        noun = "role" if len(unknown) == 1 else "roles"
        raise ValidationError({field: f"Unknown {noun}: {', '.join(unknown)}. Use {known}."})
    return [r for r in Role.values if r in roles]


def _roles_display(roles) -> str:
    labels = dict(Role.choices)
    return ", ".join(str(labels.get(role, role)).lower() for role in roles or [])


class Channel(models.TextChoices):
    ANNOUNCEMENT = "announcement", "Announcement in the app (and e-mail)"
    MEETING = "meeting", "Team meeting or briefing"
    TOWN_HALL = "town_hall", "Town hall"
    NOTICEBOARD = "noticeboard", "Noticeboard or screen"
    NEWSLETTER = "newsletter", "Newsletter"
    OTHER = "other", "Other"


class Recurrence(models.TextChoices):
    ONCE = "once", "Once"
    WEEKLY = "weekly", "Every week"
    MONTHLY = "monthly", "Every month"
    QUARTERLY = "quarterly", "Every quarter"
    YEARLY = "yearly", "Every year"


_MONTHS = {Recurrence.MONTHLY: 1, Recurrence.QUARTERLY: 3, Recurrence.YEARLY: 12}


class CommunicationPlanItemQuerySet(OrganizationScopedQuerySet):
    def active(self):
        return self.filter(is_active=True)


class CommunicationPlanItem(BaseModel):
    """One line of the communication plan (7.4): what is communicated, when, to whom, how and
    by whom. Its due dates follow from `starts_on` and `recurrence`."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    topic = models.CharField("what", max_length=200)
    description = models.TextField(blank=True)
    recurrence = models.CharField(
        "when", max_length=10, choices=Recurrence.choices, default=Recurrence.MONTHLY
    )
    starts_on = models.DateField(help_text="The first due date; later ones follow the recurrence.")
    ends_on = models.DateField(null=True, blank=True, help_text="Leave empty for no end.")
    audience_units = models.ManyToManyField(
        OrgUnit,
        blank=True,
        related_name="+",
        help_text="Units (with the units beneath them); none means the whole organisation.",
    )
    audience_roles = models.JSONField(
        default=list, blank=True, help_text="Roles; none means every role."
    )
    channel = models.CharField("how", max_length=20, choices=Channel.choices)
    communicator = models.ForeignKey(
        Membership, on_delete=models.PROTECT, related_name="communication_plan_items"
    )
    is_active = models.BooleanField(default=True)
    # When it was taken out of the plan: its due dates up to that day still count (a missed
    # communication cannot be made to disappear by deactivating the item), later ones do not.
    deactivated_on = models.DateField(null=True, blank=True, editable=False)

    history = HistoricalRecords(m2m_fields=[audience_units])
    objects = CommunicationPlanItemQuerySet.as_manager()

    class Meta:
        ordering = ["topic", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="communicationplanitem_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return self.topic

    def clean(self) -> None:
        self.audience_roles = _clean_roles(self.audience_roles, "audience_roles")
        if self.ends_on and self.starts_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": "The end date must be on or after the start date."})

    @property
    def audience_roles_display(self) -> str:
        return _roles_display(self.audience_roles)

    def due_dates(self, start: datetime.date, end: datetime.date) -> list[datetime.date]:
        """The item's due dates between `start` and `end` (both included)."""
        last = min(d for d in (end, self.ends_on, self.deactivated_on) if d is not None)
        dates: list[datetime.date] = []
        if self.recurrence == Recurrence.ONCE:
            return [self.starts_on] if start <= self.starts_on <= last else []
        if self.recurrence == Recurrence.WEEKLY:
            skip = max(0, (start - self.starts_on).days // 7)
            day = self.starts_on + datetime.timedelta(weeks=skip)
            while day <= last:
                if day >= start:
                    dates.append(day)
                day += datetime.timedelta(weeks=1)
            return dates
        step = _MONTHS[self.recurrence]
        months_before = (start.year - self.starts_on.year) * 12 + start.month - self.starts_on.month
        index = max(0, months_before // step - 1)
        while True:
            day = add_months(self.starts_on, index * step)
            if day > last:
                return dates
            if day >= start:
                dates.append(day)
            index += 1


class OccurrenceStatus(models.TextChoices):
    UPCOMING = "upcoming", "Upcoming"
    DUE = "due", "Due today"
    ON_TIME = "on_time", "Done on time"
    LATE = "late", "Done late"
    MISSED = "missed", "Missed"


class PlanOccurrenceQuerySet(OrganizationScopedQuerySet):
    pass


class PlanOccurrence(BaseModel):
    """A due date of a plan item that has been fulfilled: by an announcement linked to it, or
    marked done with a note. Due dates nobody acted on have no row (they are computed)."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    item = models.ForeignKey(
        CommunicationPlanItem, on_delete=models.CASCADE, related_name="occurrences"
    )
    due_on = models.DateField()
    done_on = models.DateField()
    note = models.CharField(max_length=500, blank=True)
    done_by = models.ForeignKey(
        Membership, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    history = HistoricalRecords()
    objects = PlanOccurrenceQuerySet.as_manager()

    class Meta:
        ordering = ["item", "due_on"]
        constraints = [
            models.UniqueConstraint(fields=["item", "due_on"], name="planoccurrence_once_per_due")
        ]

    def __str__(self) -> str:
        return f"{self.item} due {self.due_on:%Y-%m-%d}"

    @property
    def on_time(self) -> bool:
        return self.done_on <= self.due_on


def occurrence_status(
    due_on: datetime.date, done_on: datetime.date | None, today: datetime.date
) -> OccurrenceStatus:
    """On time means done on or before the due date; not done after it means missed."""
    if done_on is not None:
        return OccurrenceStatus.ON_TIME if done_on <= due_on else OccurrenceStatus.LATE
    if due_on > today:
        return OccurrenceStatus.UPCOMING
    if due_on == today:
        return OccurrenceStatus.DUE
    return OccurrenceStatus.MISSED


class AnnouncementQuerySet(OrganizationScopedQuerySet):
    pass


class Announcement(FrozenFieldsMixin, BaseModel):
    """A quality update an executive or quality manager published to units and/or roles.
    Created published: evidence from the first save, never edited afterwards."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    title = models.CharField(max_length=200)
    body = models.TextField(help_text="Markdown: headings, lists, emphasis and links.")
    author = models.ForeignKey(
        Membership, on_delete=models.PROTECT, related_name="announcements_published"
    )
    published_at = models.DateTimeField()
    target_units = models.ManyToManyField(
        OrgUnit,
        blank=True,
        related_name="+",
        help_text="Units (with the units beneath them); none means the whole organisation.",
    )
    target_roles = models.JSONField(default=list, blank=True, help_text="None means every role.")
    plan_occurrence = models.ForeignKey(
        PlanOccurrence,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="announcements",
        help_text="The communication-plan due date this announcement fulfils.",
    )
    corrects = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrections",
        help_text="The earlier announcement this one corrects.",
    )
    recipients_count = models.PositiveIntegerField(default=0)

    frozen_fields = ("title", "body", "author_id", "published_at", "target_roles", "corrects_id")
    # Target units are set once, in the transaction that publishes, and never change, so their
    # history would only repeat the creation; the page and the evidence pack show them.
    history = HistoricalRecords()
    objects = AnnouncementQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-id"]
        indexes = [models.Index(fields=["organization", "-published_at"])]

    def __str__(self) -> str:
        return self.title

    def is_frozen(self) -> bool:
        return True

    def clean(self) -> None:
        self.target_roles = _clean_roles(self.target_roles, "target_roles")

    @property
    def target_roles_display(self) -> str:
        return _roles_display(self.target_roles)


class AnnouncementRecipient(models.Model):
    """One member an announcement was published to: delivery record and read receipt.
    Not in the audit trail (thousands per announcement; `read_at` is itself the record)."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    announcement = models.ForeignKey(
        Announcement, on_delete=models.CASCADE, related_name="recipients"
    )
    membership = models.ForeignKey(
        Membership, on_delete=models.CASCADE, related_name="announcements_received"
    )
    # The member's unit when the announcement was published: reach per unit counts this.
    org_unit = models.ForeignKey(
        OrgUnit, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    read_at = models.DateTimeField(null=True, blank=True)
    notified_at = models.DateTimeField(null=True, blank=True)

    objects = OrganizationScopedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["announcement", "membership"], name="announcementrecipient_once"
            )
        ]
        indexes = [models.Index(fields=["membership", "announcement"])]

    def __str__(self) -> str:
        return f"{self.announcement_id} to {self.membership_id}"


class ActivityKind(models.TextChoices):
    QUALITY_WALK = "quality_walk", "Quality walk / gemba visit"
    TOWN_HALL = "town_hall", "Town hall"
    CUSTOMER_VISIT = "customer_visit", "Customer visit"
    SUPPLIER_VISIT = "supplier_visit", "Supplier visit"
    TRAINING = "training", "Training given"
    OTHER = "other", "Other"


class LeadershipActivityQuerySet(OrganizationScopedQuerySet):
    pass


class LeadershipActivity(BaseModel):
    """Something an executive did to lead the QMS visibly (5.1), with its follow-up actions
    (actions whose source is this activity)."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    executive = models.ForeignKey(
        Membership, on_delete=models.PROTECT, related_name="leadership_activities"
    )
    kind = models.CharField(max_length=20, choices=ActivityKind.choices)
    occurred_on = models.DateField("date")
    org_unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    title = models.CharField(max_length=200)
    notes = models.TextField(blank=True)

    history = HistoricalRecords()
    objects = LeadershipActivityQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_on", "-id"]
        verbose_name_plural = "leadership activities"
        indexes = [models.Index(fields=["organization", "occurred_on"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.title}"
