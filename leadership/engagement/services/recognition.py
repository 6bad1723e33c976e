"""Recognition: an executive recognises a person or a team, for a proposed milestone or not."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from leadership.engagement import permissions
from leadership.engagement.models import Milestone, Recognition
from qms.core.immutable import NotAllowed, TransitionError
from qms.core.models import Membership, OrgUnit
from qms.core.notifications.services import waiting_refresh


@transaction.atomic
def recognition_give(
    *,
    executive: Membership,
    note: str,
    recipient: Membership | None = None,
    team: OrgUnit | None = None,
    milestone: Milestone | None = None,
    today: datetime.date | None = None,
) -> Recognition:
    if not permissions.can_recognise(executive):
        raise NotAllowed("Only executives (top management) give recognition.")
    if milestone is not None:
        if milestone.organization_id != executive.organization_id:
            raise NotAllowed("There is no such milestone in this organisation.")
        if milestone.dismissed_at is not None:
            raise TransitionError("This milestone was set aside; it cannot be recognised.")
    recognition = Recognition(
        organization_id=executive.organization_id,
        milestone=milestone,
        given_by=executive,
        recipient=recipient,
        team=team,
        note=(note or "").strip(),
        given_on=today or timezone.localdate(),
    )
    recognition._history_user = executive.user
    recognition.full_clean()
    recognition.save()
    if milestone is not None:  # the proposal leaves the executive's notifications
        waiting_refresh(organization=executive.organization, about=recognition)
    return recognition


@transaction.atomic
def milestone_dismiss(*, milestone: Milestone, executive: Membership) -> Milestone:
    """Set a proposal aside without recognising it (it is not proposed again)."""
    if not permissions.can_recognise(executive) or (
        executive.organization_id != milestone.organization_id
    ):
        raise NotAllowed("Only executives decide on milestones.")
    locked = Milestone.objects.select_for_update().get(pk=milestone.pk)
    if locked.recognitions.exists():
        raise TransitionError("This milestone has been recognised already.")
    locked.dismissed_at = timezone.now()
    locked._history_user = executive.user
    locked.save()
    waiting_refresh(organization=executive.organization, about=locked)
    return locked
