"""Reminders and escalations about actions, and the "overdue actions" part of the executives'
weekly digest. Registered from CoreConfig.ready() through `register()`.

- due within `ACTION_DUE_SOON_DAYS` (default 3) → the owner ("due-<due date>");
- overdue → the owner ("overdue-<due date>");
- overdue for more than `ACTION_ESCALATION_DAYS` (default 7) → the accountable executive,
  critical ("overdue-escalated-<due date>").
The due date is part of each occasion: an action whose due date moves later is reminded again.

A waiting decision (resolved once taken): an action done and awaiting its effectiveness check →
its accountable executive, or the quality managers when the executive owns it themselves (the
owner never checks their own action) ("checked-<closed at>": closed again after a failed check,
it is asked again).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator

from django.conf import settings
from django.urls import reverse
from django.utils import formats, timezone

from qms.core.actions.models import Action, ActionStatus
from qms.core.models import Membership, Organization
from qms.core.notifications.registry import (
    NotificationSpec,
    register_digest_section,
    register_kind,
    register_rule,
    register_waiting,
)
from qms.core.roles import Role

DUE_SOON = "action-due-soon"
OVERDUE = "action-overdue"
OVERDUE_ESCALATED = "action-overdue-escalated"
EFFECTIVENESS_DUE = "action-effectiveness-check"


def due_soon_days() -> int:
    return getattr(settings, "ACTION_DUE_SOON_DAYS", 3)


def escalation_days() -> int:
    return getattr(settings, "ACTION_ESCALATION_DAYS", 7)


def _day(value: datetime.date) -> str:
    return formats.date_format(value, "j M Y")


def _url(action: Action) -> str:
    return reverse(
        "core:action-detail",
        kwargs={"org_slug": action.organization.slug, "number": action.number},
    )


def action_reminders(
    organization: Organization, today: datetime.date
) -> Iterator[NotificationSpec]:
    soon = today + datetime.timedelta(days=due_soon_days())
    actions = (
        Action.objects.for_organization(organization)
        .open()
        .filter(due_date__lte=soon)
        .select_related("organization", "owner__user", "accountable_executive__user")
    )
    for action in actions:
        url = _url(action)
        due = _day(action.due_date)
        if action.due_date >= today:
            days = (action.due_date - today).days
            when = "today" if days == 0 else f"in {days} day{'s' if days != 1 else ''}"
            yield NotificationSpec(
                recipient=action.owner,
                kind=DUE_SOON,
                subject=action,
                occasion=f"due-{action.due_date.isoformat()}",
                title=f"{action.reference} is due {when}: {action.title}",
                body=f"{action.reference} “{action.title}” is due on {due}. Close it when done, "
                "or agree a new due date.",
                url=url,
            )
            continue
        late = (today - action.due_date).days
        # An owner who is also the accountable executive is not told it will be escalated to
        # themselves, nor told twice (try-out finding: two notices, one naming its reader).
        own = action.owner_id == action.accountable_executive_id
        escalation = (
            ""
            if own
            else f"; after {escalation_days()} days overdue it is escalated to "
            f"{action.accountable_executive.display_name}"
        )
        yield NotificationSpec(
            recipient=action.owner,
            kind=OVERDUE,
            subject=action,
            occasion=f"overdue-{action.due_date.isoformat()}",
            title=f"{action.reference} is overdue: {action.title}",
            body=f"{action.reference} “{action.title}” was due on {due}. Close it, or agree a new "
            f"due date{escalation}.",
            url=url,
        )
        if late > escalation_days() and not own:
            yield NotificationSpec(
                recipient=action.accountable_executive,
                kind=OVERDUE_ESCALATED,
                subject=action,
                occasion=f"overdue-escalated-{action.due_date.isoformat()}",
                title=f"{action.reference} is {late} days overdue: {action.title}",
                body=f"{action.reference} “{action.title}”, owned by "
                f"{action.owner.display_name}, was due on {due} and is still "
                f"{action.get_status_display().lower()}. You are accountable for it.",
                url=url,
            )


def effectiveness_checks_waiting(
    organization: Organization, today: datetime.date
) -> Iterator[NotificationSpec]:
    actions = list(
        Action.objects.for_organization(organization)
        .filter(status=ActionStatus.DONE)
        .select_related("organization", "owner__user", "accountable_executive__user")
        .order_by("number")
    )
    if not actions:
        return
    quality_managers = list(
        Membership.objects.for_organization(organization)
        .current(today)
        .with_role(Role.QUALITY_MANAGER)
        .select_related("user")
    )
    for action in actions:
        if action.accountable_executive_id != action.owner_id:
            checkers = [action.accountable_executive]
        else:
            checkers = [m for m in quality_managers if m.pk != action.owner_id]
        closed = action.closed_at or action.updated_at
        closed_on = _day(timezone.localtime(closed).date()) if closed else "recently"
        note = action.closing_note.strip()
        if note and note[-1] not in ".!?":
            note += "."
        for checker in checkers:
            yield NotificationSpec(
                recipient=checker,
                kind=EFFECTIVENESS_DUE,
                subject=action,
                occasion=f"checked-{closed:%Y%m%dT%H%M%S}" if closed else "checked",
                title=f"Check whether {action.reference} worked: {action.title}",
                body=f"{action.owner.display_name} closed {action.reference} on {closed_on}: "
                f"“{note}” Record whether it was effective, with the evidence; not effective "
                "reopens it.",
                url=_url(action),
            )


def overdue_actions_section(
    membership: Membership, today: datetime.date
) -> tuple[str, list[str]] | None:
    """Digest: open actions past their due date that this executive is accountable for."""
    actions = (
        Action.objects.for_organization(membership.organization_id)
        .overdue(today)
        .filter(accountable_executive=membership)
        .select_related("owner__user")
        .order_by("due_date", "number")
    )
    lines = [
        f"{a.reference} {a.title}: due {_day(a.due_date)}, owner {a.owner.display_name}"
        for a in actions
    ]
    return ("Overdue actions you are accountable for", lines) if lines else None


def register() -> None:
    register_kind(
        DUE_SOON,
        "Action due soon",
        description="An action you own is due within a few days.",
    )
    register_kind(
        OVERDUE,
        "Action overdue",
        description="An action you own is past its due date.",
    )
    register_kind(
        OVERDUE_ESCALATED,
        "Overdue action escalated",
        critical=True,
        description="An action you are accountable for has been overdue for more than a week.",
    )
    register_kind(
        EFFECTIVENESS_DUE,
        "Action effectiveness check",
        description="An action you answer for is done: check whether it worked (resolved once "
        "someone has checked it).",
    )
    register_rule(action_reminders)
    register_waiting(EFFECTIVENESS_DUE, effectiveness_checks_waiting, models=[Action])
    register_digest_section(overdue_actions_section, order=20)
