"""Actions in their owner's calendar: an all-day event on the due date of each open action."""

from __future__ import annotations

import datetime

from django.urls import reverse

from qms.core.actions.models import Action
from qms.core.calendar.registry import CalendarEvent


def action_events(membership, start: datetime.date, end: datetime.date):
    actions = (
        Action.objects.for_organization(membership.organization_id)
        .open()
        .filter(owner=membership, due_date__gte=start, due_date__lte=end)
        .order_by("due_date", "number")
    )
    slug = membership.organization.slug
    for action in actions:
        yield CalendarEvent(
            uid=f"action-{slug}-{action.number}@qms",
            summary=f"Due: {action.reference} {action.title}",
            start=action.due_date,
            description=f"{action.reference} is due today. Close it with a note once done.",
            url=reverse("core:action-detail", args=[slug, action.number]),
        )
