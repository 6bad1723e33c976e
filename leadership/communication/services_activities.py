"""Writes of leadership activities (5.1): an executive logs what they did to lead the quality
system visibly, and raises follow-up actions from it (the app's one action model)."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from leadership.communication import permissions
from leadership.communication.models import LeadershipActivity
from qms.core.actions.models import Action
from qms.core.actions.services import action_create
from qms.core.immutable import NotAllowed
from qms.core.models import Membership

ACTIVITY_FIELDS = {"kind", "occurred_on", "org_unit", "title", "notes"}
ONLY_THE_LOGGER_CHANGES = "Only the executive who logged an activity changes it."


def _check(activity: LeadershipActivity) -> None:
    if activity.org_unit_id and activity.org_unit.organization_id != activity.organization_id:
        raise ValidationError({"org_unit": "Choose a unit of this organisation."})
    if isinstance(activity.occurred_on, datetime.date) and (
        activity.occurred_on > timezone.localdate()
    ):
        raise ValidationError(
            {"occurred_on": "Log activities that have taken place; the date is in the future."}
        )


@transaction.atomic
def activity_log(*, executive: Membership, **fields) -> LeadershipActivity:
    """An executive records an activity of their own."""
    if not permissions.can_log_activity(executive):
        raise NotAllowed("Only executives (top management) log leadership activities.")
    unknown = set(fields) - ACTIVITY_FIELDS
    if unknown:
        raise ValueError(f"Unknown fields: {', '.join(sorted(unknown))}")
    activity = LeadershipActivity(
        organization_id=executive.organization_id, executive=executive, **fields
    )
    activity.full_clean()
    _check(activity)
    activity._history_user = executive.user
    activity.save()
    return activity


@transaction.atomic
def activity_update(
    *, activity: LeadershipActivity, actor: Membership, **changes
) -> LeadershipActivity:
    """The executive who logged it corrects it; the audit trail keeps what it said before."""
    if not permissions.can_change_activity(actor, activity):
        raise NotAllowed(ONLY_THE_LOGGER_CHANGES)
    unknown = set(changes) - ACTIVITY_FIELDS
    if unknown:
        raise ValueError(f"Unknown fields: {', '.join(sorted(unknown))}")
    locked = LeadershipActivity.objects.select_for_update().get(pk=activity.pk)
    for name, value in changes.items():
        setattr(locked, name, value)
    locked.full_clean()
    _check(locked)
    locked._history_user = actor.user
    locked.save()
    return locked


def activity_follow_up(
    *,
    activity: LeadershipActivity,
    actor: Membership,
    title: str,
    owner: Membership,
    due_date: datetime.date,
    description: str = "",
) -> Action:
    """Raise a follow-up action from the activity; the executive who logged it answers for it."""
    if activity.executive_id != actor.id:
        raise NotAllowed("Only the executive who logged the activity raises its follow-ups.")
    return action_create(
        organization=activity.organization,
        raised_by=actor,
        title=title,
        description=description,
        owner=owner,
        accountable_executive=actor,
        due_date=due_date,
        source=activity,
    )
