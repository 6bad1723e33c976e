"""Reminders of the communication plan, registered from CommunicationConfig.ready():

- a due date `COMMUNICATION_REMINDER_DAYS` (default 3) days or fewer ahead and not yet done →
  the item's communicator ("due-<date>");
- a due date passed without being done → the communicator, once ("missed-<date>").
The due date is part of each occasion, so each is sent exactly once. Executives' weekly digest
also lists the communications they are due to make in the coming week, and those they missed.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator

from django.conf import settings
from django.urls import reverse
from django.utils import formats

from leadership.communication.models import OccurrenceStatus
from leadership.communication.selectors_plan import plan_rows
from qms.core.models import Organization
from qms.core.notifications.registry import (
    NotificationSpec,
    register_digest_section,
    register_kind,
    register_rule,
)

DUE = "communication-due"
MISSED = "communication-missed"
# A missed date is reported for this many days after it (a reminders run that did not happen on
# the day after still reports it), then no longer.
MISSED_LOOKBACK_DAYS = 14


def reminder_days() -> int:
    return getattr(settings, "COMMUNICATION_REMINDER_DAYS", 3)


def communication_reminders(
    organization: Organization, today: datetime.date
) -> Iterator[NotificationSpec]:
    start = today - datetime.timedelta(days=MISSED_LOOKBACK_DAYS)
    end = today + datetime.timedelta(days=reminder_days())
    url = reverse("communication:plan", args=[organization.slug])
    for row in plan_rows(organization=organization, start=start, end=end, today=today):
        item = row.item
        for occurrence in row.occurrences:
            day = formats.date_format(occurrence.due_on, "j M Y")
            if occurrence.status in (OccurrenceStatus.UPCOMING, OccurrenceStatus.DUE):
                yield NotificationSpec(
                    recipient=item.communicator,
                    kind=DUE,
                    subject=item,
                    occasion=f"due-{occurrence.due_on.isoformat()}",
                    title=f"Communication due {day}: {item.topic}",
                    body=f"Planned: {item.get_channel_display()}. Publish an announcement linked "
                    "to the plan, or record how it was done.",
                    url=url,
                )
            elif occurrence.status == OccurrenceStatus.MISSED:
                yield NotificationSpec(
                    recipient=item.communicator,
                    kind=MISSED,
                    subject=item,
                    occasion=f"missed-{occurrence.due_on.isoformat()}",
                    title=f"Communication missed ({day}): {item.topic}",
                    body="It was due and is not recorded as done. Record it (it will show as "
                    "late) or say why in the plan.",
                    url=url,
                )


def communications_section(membership, today: datetime.date) -> tuple[str, list[str]] | None:
    """The executive's own plan items due in the next 7 days, or missed in the last 14."""
    lines = []
    for row in plan_rows(
        organization=membership.organization,
        start=today - datetime.timedelta(days=MISSED_LOOKBACK_DAYS),
        end=today + datetime.timedelta(days=7),
        today=today,
    ):
        if row.item.communicator_id != membership.id:
            continue
        for occurrence in row.occurrences:
            day = formats.date_format(occurrence.due_on, "j M")
            if occurrence.status in (OccurrenceStatus.UPCOMING, OccurrenceStatus.DUE):
                lines.append(f"{row.item.topic}: due {day} ({row.item.get_channel_display()})")
            elif occurrence.status == OccurrenceStatus.MISSED:
                lines.append(f"{row.item.topic}: missed on {day}")
    return ("Communications you are to make", lines) if lines else None


def register() -> None:
    from leadership.communication.services import ANNOUNCEMENT_KIND

    register_kind(
        ANNOUNCEMENT_KIND,
        "Quality updates (announcements)",
        description="A quality update published to you by top management or the quality manager.",
    )
    register_kind(
        DUE,
        "Communication due",
        description="A communication you are responsible for in the plan is due in a few days.",
    )
    register_kind(
        MISSED,
        "Communication missed",
        description="A communication you are responsible for passed its due date undone.",
    )
    register_rule(communication_reminders)
    register_digest_section(communications_section, order=40)
