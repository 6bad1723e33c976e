"""The calendar page (a member's feed URL, and a button to reset it) and the feed itself."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from qms.core.calendar import ics, registry, services
from qms.core.calendar.models import CalendarFeed
from qms.core.notifications.services import absolute_url

# What a feed shows: recent past and the year ahead (calendar apps poll the whole feed).
PAST_DAYS, FUTURE_DAYS = 90, 400


@require_safe
def calendar_page(request: HttpRequest, org_slug: str) -> HttpResponse:
    feed = services.feed_for(request.membership)
    path = reverse("calendar-feed", args=[feed.token])
    return render(
        request,
        "core/calendar.html",
        {"feed_url": absolute_url(path) or request.build_absolute_uri(path), "feed": feed},
    )


@require_POST
def calendar_reset(request: HttpRequest, org_slug: str) -> HttpResponse:
    services.feed_reset(membership=request.membership)
    messages.success(request, "A new address was made: subscribe again with it; the old one "
                     "no longer works.")  # fmt: skip
    return redirect("core:calendar", org_slug)


@require_safe
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """No login (calendar apps cannot sign in): the token is the credential. Unknown tokens,
    reset ones, and those of members who left or whose access expired answer 404."""
    feed = (
        CalendarFeed.objects.select_related("membership__organization", "membership__user")
        .filter(token=token)
        .first()
    )
    today = timezone.localdate()
    if feed is None or not feed.membership.is_active or not feed.membership.user.is_active:
        raise Http404("No such calendar.")
    expires = feed.membership.access_expires_on
    if expires is not None and expires < today:
        raise Http404("No such calendar.")
    start = today - datetime.timedelta(days=PAST_DAYS)
    end = today + datetime.timedelta(days=FUTURE_DAYS)
    events = [
        event for source in registry.sources() for event in source(feed.membership, start, end)
    ]
    name = f"QMS: {feed.membership.organization.name}"
    response = HttpResponse(ics.feed(name, events), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="qms.ics"'
    response["Cache-Control"] = "private, max-age=900"
    return response
