"""Suggestions: submit (any member who writes), then one triage decision by a quality manager:
accept as an action, accept as an opportunity for improvement, decline with a reason, or merge
into an earlier suggestion. The submitter of a signed suggestion is told the outcome; the author
of an anonymous one follows it with the receipt code they were given (see the model's docstring
for what anonymity keeps out of the database)."""

from __future__ import annotations

import datetime
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from leadership.engagement import permissions
from leadership.engagement.models import Suggestion, SuggestionStatus
from leadership.engagement.models.suggestions import ANONYMOUS_MIN_GROUP, receipt_code_digest
from leadership.engagement.selectors.suggestions import unit_headcounts
from leadership.engagement.services.notify import notify
from qms.core.actions.services import action_create
from qms.core.immutable import NotAllowed, TransitionError
from qms.core.models import Membership, OrgUnit
from qms.core.notifications.registry import NotificationSpec

OUTCOME_KIND = "suggestion-outcome"


def _text(value) -> str:
    return (value or "").strip()


def _start_of_day(moment: datetime.datetime) -> datetime.datetime:
    day = timezone.localdate(moment)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _check_anonymous_unit(organization, org_unit: OrgUnit | None) -> None:
    """An anonymous suggestion may not name a unit so small that "where" points to a person."""
    if org_unit is None:
        return
    if unit_headcounts(organization).get(org_unit.pk, 0) < ANONYMOUS_MIN_GROUP:
        raise ValidationError(
            {
                "org_unit": (
                    f"Fewer than {ANONYMOUS_MIN_GROUP} people work in {org_unit.name}, so "
                    "naming it on an anonymous suggestion could point to you. Choose a larger "
                    "unit that contains it, or the whole organisation."
                )
            }
        )


@transaction.atomic
def suggestion_submit(
    *,
    membership: Membership,
    title: str,
    description: str = "",
    org_unit: OrgUnit | None = None,
    expected_benefit: str = "",
    is_anonymous: bool = False,
    now: datetime.datetime | None = None,
) -> Suggestion:
    """Record a member's suggestion.

    When anonymous, nothing stored names the member or the minute: no submitter, no user on the
    audit trail's first version, every time (its own, its audit version's) set to the start of
    the day, no unit of fewer than ANONYMOUS_MIN_GROUP people. The returned suggestion then
    carries `receipt_code`, to be shown to the author once: it is their only way back to it."""
    if not permissions.can_suggest(membership):
        raise NotAllowed("Auditors read the system; they do not make suggestions.")
    anonymous = bool(is_anonymous)
    moment = now or timezone.now()
    suggestion = Suggestion(
        organization=membership.organization,
        title=_text(title),
        description=_text(description),
        org_unit=org_unit,
        expected_benefit=_text(expected_benefit),
        is_anonymous=anonymous,
        submitted_by=None if anonymous else membership,
        # Every suggestion, signed or not, is dated to the day: with signed ones timed to the
        # second, an anonymous one between two of them (by number) would be timed too.
        submitted_at=_start_of_day(moment),
    )
    suggestion.full_clean()
    if anonymous:
        _check_anonymous_unit(membership.organization, org_unit)
        code = secrets.token_urlsafe(18)
        suggestion.receipt_digest = receipt_code_digest(code)
    suggestion._history_user = None if anonymous else membership.user
    suggestion._history_date = suggestion.submitted_at
    suggestion.save()
    # created_at/updated_at are stamped by the clock on save (auto_now): put them, and their
    # copies in the audit version just written, back to the day.
    day = suggestion.submitted_at
    Suggestion.objects.filter(pk=suggestion.pk).update(created_at=day, updated_at=day)
    Suggestion.history.filter(id=suggestion.pk).update(
        created_at=day, updated_at=day, history_date=day
    )
    suggestion.created_at = suggestion.updated_at = day
    if anonymous:
        suggestion.receipt_code = code
    return suggestion


def _locked_for_triage(suggestion: Suggestion, actor: Membership) -> Suggestion:
    if not permissions.can_triage(actor) or actor.organization_id != suggestion.organization_id:
        raise NotAllowed("Only quality managers triage suggestions.")
    locked = (
        Suggestion.objects.select_for_update(of=("self",))
        .select_related("submitted_by__user", "organization")
        .get(pk=suggestion.pk)
    )
    if locked.is_decided:
        raise TransitionError(
            f"{locked.reference} was already decided ({locked.get_status_display().lower()})."
        )
    return locked


def _decide(locked: Suggestion, *, actor: Membership, status: str, note: str, now=None) -> None:
    locked.status = status
    locked.decision_note = note
    locked.decided_by = actor
    locked.decided_at = now or timezone.now()
    locked._history_user = actor.user
    locked._change_reason = f"Triage: {locked.get_status_display()}"[:100]
    locked.full_clean()
    locked.save()
    _tell_submitter(locked)
    # The triage reminder the quality managers were sent leaves them all.
    from qms.core.notifications.services import waiting_refresh

    waiting_refresh(organization=locked.organization, about=locked)


def _tell_submitter(suggestion: Suggestion) -> None:
    if suggestion.submitted_by_id is None:  # anonymous: its author reads it with their receipt
        return
    outcome = suggestion.get_status_display().lower()
    body = suggestion.decision_note
    if suggestion.status == SuggestionStatus.ACTION:
        body = f"It became action {suggestion.action.reference}: {suggestion.action.title}. {body}"
    elif suggestion.status == SuggestionStatus.DUPLICATE:
        body = (
            f"It is the same as {suggestion.duplicate_of.reference}, which is followed up. {body}"
        )
    notify(
        NotificationSpec(
            recipient=suggestion.submitted_by,
            kind=OUTCOME_KIND,
            subject=suggestion,
            occasion="outcome",
            title=f"Your suggestion “{suggestion.title[:120]}”: {outcome}",
            body=body.strip(),
            url=reverse(
                "engagement:suggestion", args=[suggestion.organization.slug, suggestion.pk]
            ),
        )
    )


@transaction.atomic
def suggestion_accept_as_action(
    *,
    suggestion: Suggestion,
    actor: Membership,
    title: str,
    owner: Membership,
    accountable_executive: Membership,
    due_date: datetime.date,
    description: str = "",
    note: str = "",
) -> Suggestion:
    """Accept it by raising an action (the app's one action model) whose source it is."""
    locked = _locked_for_triage(suggestion, actor)
    action = action_create(
        organization=locked.organization,
        raised_by=actor,
        title=_text(title) or locked.title,
        owner=owner,
        accountable_executive=accountable_executive,
        due_date=due_date,
        description=_text(description) or locked.description,
        source=locked,
    )
    locked.action = action
    _decide(locked, actor=actor, status=SuggestionStatus.ACTION, note=_text(note))
    return locked


@transaction.atomic
def suggestion_accept_as_opportunity(
    *, suggestion: Suggestion, actor: Membership, note: str = ""
) -> Suggestion:
    """Accept it as an opportunity for improvement: the next management review lists it
    (9.3.2 f)."""
    locked = _locked_for_triage(suggestion, actor)
    _decide(locked, actor=actor, status=SuggestionStatus.OPPORTUNITY, note=_text(note))
    return locked


@transaction.atomic
def suggestion_decline(*, suggestion: Suggestion, actor: Membership, reason: str) -> Suggestion:
    reason = _text(reason)
    if not reason:
        raise ValidationError(
            {"reason": "Say why the suggestion is declined; the submitter reads it."}
        )
    locked = _locked_for_triage(suggestion, actor)
    _decide(locked, actor=actor, status=SuggestionStatus.DECLINED, note=reason)
    return locked


@transaction.atomic
def suggestion_merge(
    *, suggestion: Suggestion, actor: Membership, duplicate_of: Suggestion, note: str = ""
) -> Suggestion:
    """Merge it into an earlier suggestion of the same organisation saying the same."""
    if duplicate_of is None or duplicate_of.organization_id != suggestion.organization_id:
        raise ValidationError({"duplicate_of": "Choose a suggestion of this organisation."})
    if duplicate_of.pk == suggestion.pk:
        raise ValidationError({"duplicate_of": "A suggestion cannot duplicate itself."})
    if duplicate_of.status == SuggestionStatus.DUPLICATE:
        raise ValidationError(
            {"duplicate_of": f"{duplicate_of.reference} is a duplicate; choose the original."}
        )
    locked = _locked_for_triage(suggestion, actor)
    locked.duplicate_of = duplicate_of
    _decide(locked, actor=actor, status=SuggestionStatus.DUPLICATE, note=_text(note))
    return locked
