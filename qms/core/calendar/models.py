"""A member's private calendar feed: the secret in its URL."""

from __future__ import annotations

import secrets

from django.db import models
from django.utils import timezone


def new_token() -> str:
    return secrets.token_urlsafe(32)


class CalendarFeed(models.Model):
    """One per membership. The token is the feed's only credential (calendar apps cannot sign
    in), so it is long and random, and resetting it ends every existing subscription."""

    membership = models.OneToOneField(
        "core.Membership", on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token = models.CharField(max_length=64, unique=True, default=new_token)
    created_at = models.DateTimeField(default=timezone.now)
    reset_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Calendar feed of {self.membership}"
