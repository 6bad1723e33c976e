"""Writes to actions: raise, edit, start, close, check effectiveness, cancel. Each runs in a
transaction, checks who may do it (NotAllowed: the API answers 403) and whether the step fits the
action's state (TransitionError: 409), validates (ValidationError: 400) and is recorded in the
audit trail with the member who made it."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from qms.core.actions import permissions
from qms.core.actions.models import (
    Action,
    ActionStatus,
    EffectivenessCheck,
    VerificationResult,
)
from qms.core.actions.sources import check_source
from qms.core.immutable import NotAllowed, TransitionError
from qms.core.models import Membership, Organization
from qms.core.roles import Role
from qms.core.selectors import left_sentence

EDITABLE_FIELDS = ("title", "description", "owner", "accountable_executive", "due_date")


def _save(action: Action, *, actor: Membership, reason: str = "") -> None:
    action._history_user = actor.user
    if reason:
        action._change_reason = reason[:100]
    action.full_clean(exclude=["number"] if not action.number else None)
    action.save()


def _decisions_refresh(action: Action) -> None:
    """The effectiveness check waits for someone once an action is done, and no longer once
    it is checked: tell them, or resolve what they were told."""
    from qms.core.notifications.services import waiting_refresh

    waiting_refresh(organization=action.organization, about=action)


def _locked(action: Action) -> Action:
    return Action.objects.select_for_update().get(pk=action.pk)


def _check_due_date(due_date: datetime.date | None, today: datetime.date) -> None:
    if not isinstance(due_date, datetime.date):
        raise ValidationError({"due_date": "Give the due date as a date, e.g. 2026-03-31."})
    if due_date < today:
        raise ValidationError({"due_date": "The due date cannot be in the past."})


def _check_people(action: Action, names) -> None:
    """The owner must be a current member who is not an auditor; the accountable executive a
    current executive. Checked when either is set, so later role changes block nothing."""
    errors: dict[str, str] = {}
    owner = action.owner if "owner" in names and action.owner_id else None
    if owner is not None and owner.organization_id == action.organization_id:
        if owner.role == Role.AUDITOR:
            errors["owner"] = "Auditors cannot own actions; choose another member."
        elif owner.has_left:
            errors["owner"] = left_sentence(owner)
        elif not owner.is_active or owner.has_expired():
            errors["owner"] = "This member is no longer active; choose another owner."
    executive = (
        action.accountable_executive
        if "accountable_executive" in names and action.accountable_executive_id
        else None
    )
    if (
        executive is not None
        and executive.organization_id == action.organization_id
        and (executive.role != Role.EXECUTIVE or not executive.is_active)
    ):
        errors["accountable_executive"] = (
            "The accountable person must be an active executive (top management)."
        )
    if errors:
        raise ValidationError(errors)


def _require_text(value: str, field: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: message})
    return value


@transaction.atomic
def action_create(
    *,
    organization: Organization,
    raised_by: Membership,
    title: str,
    owner: Membership,
    accountable_executive: Membership,
    due_date: datetime.date,
    description: str = "",
    source=None,
    today: datetime.date | None = None,
) -> Action:
    """Raise an action, by hand (`source=None`) or from a registered source of the same
    organisation. Editors raise any action; contributors only actions they own themselves."""
    if raised_by.organization_id != organization.id or not permissions.can_raise(raised_by):
        raise NotAllowed("Your role in this organisation does not allow raising actions.")
    if raised_by.role == Role.CONTRIBUTOR and owner.pk != raised_by.pk:
        raise NotAllowed(
            "Contributors raise actions that they own themselves; "
            "ask a quality manager to raise one for someone else."
        )
    _check_due_date(due_date, today or timezone.localdate())
    action = Action(
        organization=organization,
        title=(title or "").strip(),
        description=(description or "").strip(),
        owner=owner,
        accountable_executive=accountable_executive,
        due_date=due_date,
        raised_by=raised_by,
    )
    if source is not None:
        try:
            check_source(source, organization=organization)
        except ValidationError as error:
            raise ValidationError({"source": error.messages}) from error
        action.source = source
    action.full_clean(exclude=["number"])
    _check_people(action, ("owner", "accountable_executive"))
    # Numbers count up per organisation; locking the organisation row serialises concurrent
    # raises so two actions never get the same number.
    Organization.objects.select_for_update().filter(pk=organization.pk).first()
    last = Action.objects.filter(organization=organization).aggregate(n=Max("number"))["n"]
    action.number = (last or 0) + 1
    _save(action, actor=raised_by, reason="Raised" if source is None else "Raised from source")
    return action


@transaction.atomic
def action_update(
    *,
    action: Action,
    actor: Membership,
    reason: str = "",
    today: datetime.date | None = None,
    **changes,
) -> Action:
    """Change what the action is, who owns it, who answers for it, or when it is due. Only
    while it is still open; a moved due date is named in the audit trail."""
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"Cannot change {', '.join(sorted(unknown))} on an action.")
    if not permissions.can_edit(actor, action):
        raise NotAllowed(
            "Only quality managers, administrators and executives edit actions; "
            "the owner starts and closes them."
        )
    locked = _locked(action)
    if not locked.is_open:
        raise TransitionError(
            f"{locked.reference} is {locked.get_status_display().lower()} and can no longer be "
            "edited."
        )
    if "due_date" in changes and changes["due_date"] != locked.due_date:
        _check_due_date(changes["due_date"], today or timezone.localdate())
        if not reason:
            reason = (
                f"Due date moved from {locked.due_date:%Y-%m-%d} to {changes['due_date']:%Y-%m-%d}"
            )
    for name, value in changes.items():
        if name in ("title", "description"):
            value = (value or "").strip()
        setattr(locked, name, value)
    locked.full_clean(exclude=["number"])
    _check_people(locked, changes)
    _save(locked, actor=actor, reason=reason or "Edited")
    return locked


@transaction.atomic
def action_start(*, action: Action, actor: Membership) -> Action:
    """The owner (or an editor) says work has begun."""
    if not permissions.can_work_on(actor, action):
        raise NotAllowed("Only the action's owner, or a quality manager, starts it.")
    locked = _locked(action)
    if locked.status != ActionStatus.OPEN:
        raise TransitionError(
            f"{locked.reference} is {locked.get_status_display().lower()}; only an open action "
            "can be started."
        )
    locked.status = ActionStatus.IN_PROGRESS
    _save(locked, actor=actor, reason="Started")
    return locked


@transaction.atomic
def action_close(*, action: Action, actor: Membership, note: str) -> Action:
    """Mark the work done, saying what was done. Its effectiveness is checked next, by someone
    else."""
    if not permissions.can_work_on(actor, action):
        raise NotAllowed("Only the action's owner, or a quality manager, closes it.")
    note = _require_text(note, "note", "Say what was done before closing the action.")
    locked = _locked(action)
    if not locked.is_open:
        raise TransitionError(
            f"{locked.reference} is already {locked.get_status_display().lower()}."
        )
    locked.status = ActionStatus.DONE
    locked.closing_note = note
    locked.closed_at = timezone.now()
    locked.closed_by = actor
    _save(locked, actor=actor, reason="Closed")
    _decisions_refresh(locked)
    return locked


@transaction.atomic
def action_verify(
    *,
    action: Action,
    verifier: Membership,
    result: str,
    evidence: str,
    new_due_date: datetime.date | None = None,
    today: datetime.date | None = None,
) -> Action:
    """Record whether a done action was effective, with the evidence. Effective: the action is
    verified. Not effective: it goes back to open (optionally with a new due date) so the work
    goes on; the failed check stays on record."""
    if verifier.organization_id != action.organization_id or verifier.role not in (
        permissions.VERIFIER_ROLES
    ):
        raise NotAllowed(
            "Only executives, quality managers and administrators check the effectiveness of "
            "actions."
        )
    if action.owner_id == verifier.id:
        raise NotAllowed(
            "The owner cannot check the effectiveness of their own action; ask another "
            "executive or quality manager."
        )
    if result not in VerificationResult.values:
        raise ValidationError({"result": 'Choose "effective" or "not_effective".'})
    evidence = _require_text(
        evidence, "evidence", "Say what evidence shows whether the action worked."
    )
    locked = _locked(action)
    if locked.status != ActionStatus.DONE:
        raise TransitionError(
            f"{locked.reference} is {locked.get_status_display().lower()}; only a done action "
            "can be checked for effectiveness."
        )
    now = timezone.now()
    EffectivenessCheck.objects.create(
        organization_id=locked.organization_id,
        action=locked,
        result=result,
        evidence=evidence,
        checked_by=verifier,
        checked_at=now,
    )
    locked.verified_by = verifier
    locked.verified_at = now
    locked.verification_result = result
    locked.verification_evidence = evidence
    if result == VerificationResult.EFFECTIVE:
        locked.status = ActionStatus.VERIFIED
        reason = "Verified effective"
    else:
        locked.status = ActionStatus.OPEN
        locked.closed_at = None
        locked.closed_by = None
        locked.closing_note = ""
        reason = "Not effective: reopened"
        if new_due_date is not None and new_due_date != locked.due_date:
            _check_due_date(new_due_date, today or timezone.localdate())
            locked.due_date = new_due_date
            reason += f", due {new_due_date:%Y-%m-%d}"
    _save(locked, actor=verifier, reason=reason)
    _decisions_refresh(locked)
    return locked


@transaction.atomic
def action_cancel(*, action: Action, actor: Membership, reason: str) -> Action:
    """Stop an action that is no longer needed, saying why (kept as its closing note)."""
    if not permissions.can_edit(actor, action):
        raise NotAllowed("Only quality managers, administrators and executives cancel actions.")
    reason = _require_text(reason, "reason", "Say why the action is cancelled.")
    locked = _locked(action)
    if not locked.is_open:
        raise TransitionError(
            f"{locked.reference} is {locked.get_status_display().lower()} and cannot be cancelled."
        )
    locked.status = ActionStatus.CANCELLED
    locked.closing_note = reason
    locked.closed_at = timezone.now()
    locked.closed_by = actor
    _save(locked, actor=actor, reason="Cancelled")
    return locked
