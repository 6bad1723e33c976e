"""Outgoing webhooks: an organisation's endpoints and every delivery made to them."""

from __future__ import annotations

import secrets
import uuid

from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from qms.core.models import BaseModel, Organization, OrganizationScopedQuerySet

# The events an endpoint may subscribe to, and what each means.
EVENTS = {
    "objective.status_changed": "An objective's status (on track, at risk, off track, no data) "
    "changed",
    "action.overdue": "An action passed its due date without being done",
    "review.signed_off": "A management review was signed off",
    "policy.published": "A quality policy version was published",
    "evidence_pack.ready": "An evidence pack finished building",
}


def new_secret() -> str:
    return secrets.token_hex(32)


class Webhook(BaseModel):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    url = models.URLField(max_length=500)
    events = models.JSONField(default=list)
    secret = models.CharField(max_length=128, default=new_secret)
    description = models.CharField(max_length=200, blank=True)
    is_active = models.BooleanField(default=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    disabled_reason = models.CharField(max_length=300, blank=True)

    history = HistoricalRecords(excluded_fields=["secret", "consecutive_failures"])
    objects = OrganizationScopedQuerySet.as_manager()

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.url


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SUCCEEDED = "succeeded", "Delivered"
    FAILED = "failed", "Failed"


class WebhookDelivery(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    event = models.CharField(max_length=50)
    # An event about one thing is delivered once per endpoint (e.g. "action:12:overdue").
    dedupe_key = models.CharField(max_length=200)
    payload = models.JSONField()
    status = models.CharField(
        max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    response_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_attempt_at = models.DateTimeField(null=True, blank=True)

    objects = OrganizationScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["webhook", "event", "dedupe_key"], name="webhook_delivery_once"
            )
        ]
        indexes = [models.Index(fields=["webhook", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.event} to {self.webhook_id} ({self.status})"
