"""The notification record and members' mute preferences.

The unique constraint on (recipient, kind, subject_key, occasion) is what makes reminders
idempotent: a rule that asks for the same notification twice, or two workers racing, leave one
row. E-mail is sent by whoever moves the row out of "pending" with a conditional UPDATE, so a
row is e-mailed at most once whatever runs concurrently.
"""

from __future__ import annotations

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models

from qms.core.models import Membership, Organization, OrganizationScopedQuerySet
from qms.core.notifications.registry import (
    KIND_MAX_LENGTH,
    OCCASION_MAX_LENGTH,
    SUBJECT_KEY_MAX_LENGTH,
    get_kind,
)


class EmailStatus(models.TextChoices):
    PENDING = "pending", "To be sent"
    SENDING = "sending", "Being sent"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed (retried on the next run)"
    NOT_SENT = "not_sent", "Not sent (no e-mail address)"


class NotificationQuerySet(OrganizationScopedQuerySet):
    def for_recipient(self, membership: Membership):
        return self.filter(recipient=membership)

    def unread(self):
        return self.filter(read_at__isnull=True)

    def unresolved(self):
        return self.filter(resolved_at__isnull=True)


class Notification(models.Model):
    """One thing a member was told, in the app and (when they have an address) by e-mail."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    recipient = models.ForeignKey(
        Membership, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=KIND_MAX_LENGTH)
    # What it is about: the record (when there is one) and a stable key that takes part in the
    # unique constraint ("" when about nothing in particular, e.g. a weekly digest).
    subject_type = models.ForeignKey(
        ContentType, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    subject_id = models.PositiveBigIntegerField(null=True, blank=True)
    subject = GenericForeignKey("subject_type", "subject_id")
    subject_key = models.CharField(max_length=SUBJECT_KEY_MAX_LENGTH, blank=True, default="")
    occasion = models.CharField(
        max_length=OCCASION_MAX_LENGTH,
        help_text='Why now, e.g. "due-2026-11-30" or "week-2026-W48"; a new occasion is a new '
        "notification about the same subject.",
    )
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=500, blank=True)
    is_critical = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    # A decision that waited for the recipient (a sign-off, an approval, a triage) was taken, by
    # them or by anyone else entitled: the notification leaves the unread count and the digest.
    resolved_at = models.DateTimeField(null=True, blank=True)
    email_status = models.CharField(
        max_length=10, choices=EmailStatus.choices, default=EmailStatus.PENDING
    )
    email_attempts = models.PositiveSmallIntegerField(default=0)
    emailed_at = models.DateTimeField(null=True, blank=True)
    email_error = models.TextField(blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        app_label = "core"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "kind", "subject_key", "occasion"],
                name="notification_once_per_recipient_kind_subject_occasion",
            ),
        ]
        indexes = [
            # The unread badge: one COUNT over this index.
            models.Index(fields=["recipient", "read_at"], name="notification_unread_idx"),
            models.Index(fields=["recipient", "-created_at"], name="notification_list_idx"),
            # Delivery picks up pending and failed e-mails per organisation.
            models.Index(fields=["organization", "email_status"], name="notification_email_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} to {self.recipient_id}: {self.title}"

    @property
    def kind_label(self) -> str:
        return get_kind(self.kind).label

    @property
    def is_read(self) -> bool:
        return self.read_at is not None

    @property
    def is_resolved(self) -> bool:
        return self.resolved_at is not None


class NotificationPreference(models.Model):
    """A member's choice for one kind; only muting exists for now. Critical kinds ignore it."""

    membership = models.ForeignKey(
        Membership, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(max_length=KIND_MAX_LENGTH)
    muted = models.BooleanField(default=False)

    class Meta:
        app_label = "core"
        constraints = [
            models.UniqueConstraint(
                fields=["membership", "kind"], name="notificationpreference_one_per_kind"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.membership_id} {self.kind}: {'muted' if self.muted else 'on'}"
