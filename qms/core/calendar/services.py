"""The calendar feed's token: created on first use, reset on request."""

from __future__ import annotations

from django.utils import timezone

from qms.core.calendar.models import CalendarFeed, new_token
from qms.core.models import Membership


def feed_for(membership: Membership) -> CalendarFeed:
    feed, _ = CalendarFeed.objects.get_or_create(membership=membership)
    return feed


def feed_reset(*, membership: Membership) -> CalendarFeed:
    """A new secret: the old URL answers 404 from now on."""
    feed = feed_for(membership)
    feed.token = new_token()
    feed.reset_at = timezone.now()
    feed.save(update_fields=["token", "reset_at"])
    return feed
