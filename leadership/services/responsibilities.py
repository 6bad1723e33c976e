"""Assigning QMS responsibilities (ISO 9001 5.3), audited and dated."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from leadership.models import Responsibility, ResponsibilityAssignment
from leadership.models.responsibilities import STANDARD_RESPONSIBILITIES
from qms.core.models import Membership, Organization


@transaction.atomic
def responsibilities_ensure_standard(*, organization: Organization, actor=None) -> int:
    """Create the five responsibilities of ISO 9001 5.3 a-e that are missing; returns how many."""
    created = 0
    for code, title, description in STANDARD_RESPONSIBILITIES:
        if Responsibility.objects.filter(organization=organization, code=code).exists():
            continue
        responsibility = Responsibility(
            organization=organization,
            code=code,
            title=title,
            description=description,
            is_standard=True,
        )
        responsibility._history_user = actor
        responsibility.save()
        created += 1
    return created


@transaction.atomic
def responsibility_create(
    *, organization: Organization, actor, code: str, title: str, description: str = ""
) -> Responsibility:
    responsibility = Responsibility(
        organization=organization, code=code, title=title, description=description
    )
    responsibility._history_user = actor
    responsibility.full_clean()
    responsibility.save()
    return responsibility


@transaction.atomic
def assignment_create(
    *,
    responsibility: Responsibility,
    membership: Membership,
    valid_from: datetime.date,
    actor,
    valid_to: datetime.date | None = None,
    authority: str = "",
) -> ResponsibilityAssignment:
    if membership.organization_id != responsibility.organization_id:
        raise ValidationError({"membership": "Choose a member of this organisation."})
    assignment = ResponsibilityAssignment(
        organization_id=responsibility.organization_id,
        responsibility=responsibility,
        membership=membership,
        valid_from=valid_from,
        valid_to=valid_to,
        authority=authority,
    )
    assignment._history_user = actor
    assignment.full_clean()
    assignment.save()
    return assignment


@transaction.atomic
def assignment_end(
    *, assignment: ResponsibilityAssignment, valid_to: datetime.date, actor
) -> ResponsibilityAssignment:
    """End an assignment on `valid_to` (its last day); the record stays for the as-of matrix."""
    locked = ResponsibilityAssignment.objects.select_for_update().get(pk=assignment.pk)
    if valid_to < locked.valid_from:
        raise ValidationError({"valid_to": "The last day cannot be before the first."})
    locked.valid_to = valid_to
    locked._history_user = actor
    locked._change_reason = "Assignment ended"
    locked.full_clean()
    locked.save()
    return locked


@transaction.atomic
def assignment_hand_over(
    assignment: ResponsibilityAssignment, new_holder: Membership, *, actor, reason: str
) -> ResponsibilityAssignment:
    """Give a current assignment to someone else from today: the leaver's ends yesterday and
    the new holder's starts today, so the matrix as of any past day still names who held it
    then. One that has not started yet simply changes holder."""
    today = timezone.localdate()
    locked = ResponsibilityAssignment.objects.select_for_update().get(pk=assignment.pk)
    locked._history_user = actor
    locked._change_reason = reason
    if locked.valid_from >= today:
        locked.membership = new_holder
        locked.save()
        return locked
    successor = ResponsibilityAssignment(
        organization_id=locked.organization_id,
        responsibility_id=locked.responsibility_id,
        membership=new_holder,
        valid_from=today,
        valid_to=locked.valid_to,
        authority=locked.authority,
    )
    locked.valid_to = today - datetime.timedelta(days=1)
    locked.save()
    successor._history_user = actor
    successor._change_reason = reason
    successor.save()
    return successor
