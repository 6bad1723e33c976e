"""iCalendar (RFC 5545) documents, written with the `icalendar` library: the feed of a member,
and single-event invitations sent by e-mail."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event, vText

from qms.core.calendar.registry import CalendarEvent
from qms.core.notifications.services import absolute_url

PRODID = "-//QMS leadership dashboard//EN"


def _calendar(name: str, method: str | None = None) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    if method:
        calendar.add("method", method)
    return calendar


def _event(item: CalendarEvent, stamp: datetime.datetime) -> Event:
    event = Event()
    event.add("uid", item.uid)
    event.add("dtstamp", stamp)
    event.add("summary", item.summary)
    event.add("dtstart", item.start)
    end = item.end
    if end is None:
        end = (
            item.start + datetime.timedelta(days=1)
            if not isinstance(item.start, datetime.datetime)
            else item.start + datetime.timedelta(hours=1)
        )
    event.add("dtend", end)
    event.add("sequence", item.sequence)
    if item.description:
        event.add("description", item.description)
    if item.url:
        event.add("url", absolute_url(item.url))
    if item.location:
        event["location"] = vText(item.location)
    if item.cancelled:
        event.add("status", "CANCELLED")
    return event


def feed(name: str, events: Iterable[CalendarEvent]) -> bytes:
    calendar = _calendar(name)
    stamp = timezone.now()
    for item in sorted(events, key=lambda e: (str(e.start), e.uid)):
        calendar.add_component(_event(item, stamp))
    return calendar.to_ical()


def invitation(item: CalendarEvent, *, organizer_email: str = "") -> bytes:
    """One event as an invitation (METHOD:REQUEST, or CANCEL when cancelled): calendar
    programs update the entry with the same UID when its SEQUENCE grows."""
    calendar = _calendar(item.summary, "CANCEL" if item.cancelled else "REQUEST")
    event = _event(item, timezone.now())
    event.add("organizer", f"mailto:{organizer_email or settings.DEFAULT_FROM_EMAIL}")
    calendar.add_component(event)
    return calendar.to_ical()
