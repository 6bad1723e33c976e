"""What goes in a member's calendar: each app registers a source of events (reviews, actions'
due dates, KPI values due, audits...) from its AppConfig.ready(), so the feed in the core never
imports the apps above it."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class CalendarEvent:
    uid: str  # stable across feeds and e-mails: a moved event updates, never duplicates
    summary: str
    start: datetime.date | datetime.datetime
    end: datetime.date | datetime.datetime | None = None  # all-day events: the next day
    description: str = ""
    url: str = ""  # a path in the app; made absolute with QMS_BASE_URL
    location: str = ""
    sequence: int = 0  # increases each time the event moves
    cancelled: bool = False


# (membership, window start, window end) -> events of that member in the window
Source = Callable[..., Iterable[CalendarEvent]]
_SOURCES: dict[str, Source] = {}


def register_calendar_source(name: str, source: Source) -> None:
    _SOURCES[name] = source


def sources() -> list[Source]:
    return list(_SOURCES.values())
