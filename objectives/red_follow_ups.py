"""Closing the loop on red (ISO 9001 10.2): when an objective turns red, or is red again in a
new period, its owner is asked why and what comes next (required before further values are
accepted, unless an administrator switched the rule off), and a corrective action is proposed
to the accountable executive, who accepts it (an action is raised) or dismisses it with a
reason. Both show on the objective and in the next management review's input.

Also here: what a held management review saw is locked (a value it saw is corrected only by a
quality manager, with a reason, and the next review is told; a value it saw as missing may
still arrive, and the next review lists it as arrived after it).
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from objectives.models import (
    LockedCorrection,
    Measurement,
    ObjectiveRules,
    PeriodLock,
    ProposalStatus,
    QualityObjective,
    Rag,
    RedFollowUp,
)
from objectives.periods import describe
from qms.core.immutable import NotAllowed, TransitionError
from qms.core.models import Membership, Organization, OrgUnit
from qms.core.notifications.registry import NotificationSpec
from qms.core.roles import Role

EXPLAIN_KIND = "objective_red_explain"
PROPOSAL_KIND = "objective_corrective_proposal"
CORRECTOR_ROLES = (Role.QUALITY_MANAGER,)


def rules_for(organization: Organization | int) -> ObjectiveRules:
    organization_id = getattr(organization, "pk", organization)
    found = ObjectiveRules.objects.filter(organization_id=organization_id).first()
    return found or ObjectiveRules(organization_id=organization_id)


@transaction.atomic
def rules_set(*, membership: Membership, red_explanation_required: bool) -> ObjectiveRules:
    if membership.role != Role.ADMIN:
        raise NotAllowed("Only administrators change the objective rules.")
    rules = rules_for(membership.organization)
    rules.red_explanation_required = bool(red_explanation_required)
    rules._history_user = membership.user
    rules.save()
    return rules


# --- the follow-up of a red period ---------------------------------------------------------------


def on_status_changes(changes) -> None:
    """Status listener (objectives.status_events): a red period opens a follow-up, once."""
    for change in changes:
        objective = change.objective
        if (
            change.before == Rag.RED
            and change.after != Rag.RED
            and change.before_period is not None
            and change.before_period == objective.current_period_end
        ):
            _no_longer_off_track(objective, change.before_period, change.after)
            continue
        if change.after != Rag.RED or objective.current_period_end is None:
            continue
        new_period = change.before_period != objective.current_period_end
        if change.before == Rag.RED and not new_period:
            continue  # still red, same period: already followed up
        follow_up_open(objective, consecutive=change.before == Rag.RED)


def _no_longer_off_track(objective: QualityObjective, period_end: datetime.date, now: str) -> None:
    """The red period's value was corrected and it is no longer off track: a follow-up nobody
    acted on goes; a proposal still waiting for top management is closed as moot (its record
    and the owner's explanation stay), and leaves the executive's notifications."""
    red_follow_up_withdraw(objective=objective, period_end=period_end, actor=None)
    follow_up = (
        RedFollowUp.objects.select_for_update()
        .filter(objective=objective, period_end=period_end,
                proposal_status=ProposalStatus.PROPOSED)
        .first()
    )  # fmt: skip
    if follow_up is None:
        return
    follow_up.proposal_status = ProposalStatus.DISMISSED
    follow_up.dismissal_reason = (
        f"The value was corrected: {describe(objective.frequency, period_end)} is no longer "
        f"off track (now {Rag(now).label.lower()})."
    )[:500]
    follow_up.decided_at = timezone.now()
    follow_up._change_reason = "No longer off track after a correction"
    follow_up.save()
    _resolve_notifications(follow_up)


def follow_up_open(objective: QualityObjective, *, consecutive: bool) -> RedFollowUp | None:
    """Open the follow-up of the objective's current (red) period and tell the owner and the
    accountable executive; None when it exists already."""
    from qms.core.actions.models import Action
    from qms.core.notifications.services import notifications_create

    # An action still open on the objective is already the corrective action: proposing a
    # second one would ask the executive to decide again what they decided.
    actions = Action.objects.for_organization(objective.organization_id).for_source(objective)
    open_action = actions.open().order_by("-id").first()
    try:
        with transaction.atomic():
            follow_up = RedFollowUp.objects.create(
                organization_id=objective.organization_id,
                objective=objective,
                period_end=objective.current_period_end,
                value=objective.current_value,
                consecutive=consecutive,
                proposal_status=ProposalStatus.COVERED if open_action else ProposalStatus.PROPOSED,
                action=open_action,
            )
    except IntegrityError:
        return None
    specs = _specs(follow_up)
    if open_action is not None:
        specs = [spec for spec in specs if spec.kind != PROPOSAL_KIND]
    notifications_create(
        organization=objective.organization, specs=specs, today=timezone.localdate()
    )
    return follow_up


def _specs(follow_up: RedFollowUp) -> list[NotificationSpec]:
    objective = follow_up.objective
    period = describe(objective.frequency, follow_up.period_end)
    url = reverse("objectives:detail", args=[objective.organization.slug, objective.code])
    again = " again" if follow_up.consecutive else ""
    return [
        NotificationSpec(
            recipient=objective.owner,
            kind=EXPLAIN_KIND,
            subject=follow_up,
            occasion="explain",
            title=f"{objective.code} is off track{again}: say why, and the next step",
            body=f"{objective.title} is off track for {period}. Write on its page why, and what "
            "you will do next"
            + (
                "; further values are accepted once you have."
                if rules_for(objective.organization_id).red_explanation_required
                else "."
            ),
            url=url,
        ),
        NotificationSpec(
            recipient=objective.accountable_executive,
            kind=PROPOSAL_KIND,
            subject=follow_up,
            occasion="proposal",
            # The kind ("Corrective action proposed") is said beside it, not again here.
            title=f"{objective.code} is off track{again}: accept or dismiss the corrective action",
            body=f"{objective.title} is off track for {period}. Accept the proposed corrective "
            "action (it is raised with an owner and a due date) or dismiss it with a reason.",
            url=url,
        ),
    ]


def explanation_pending(objective: QualityObjective) -> RedFollowUp | None:
    """The red period still awaiting its owner's explanation, when the rule is on."""
    if not rules_for(objective.organization_id).red_explanation_required:
        return None
    return (
        RedFollowUp.objects.filter(objective=objective, explanation="")
        .order_by("-period_end")
        .first()
    )


def pending_explanations(organization: Organization) -> dict[int, str]:
    """Objectives (ids) whose values are refused until their owner explains (for imports),
    each with the period that waits ("October 2026"; the latest, if several)."""
    if not rules_for(organization).red_explanation_required:
        return {}
    waiting = (
        RedFollowUp.objects.filter(organization=organization, explanation="")
        .order_by("period_end")
        .values_list("objective_id", "objective__frequency", "period_end")
    )
    return {pk: describe(frequency, end) for pk, frequency, end in waiting}


def _locked(follow_up: RedFollowUp) -> RedFollowUp:
    return RedFollowUp.objects.select_for_update().select_related("objective").get(pk=follow_up.pk)


@transaction.atomic
def may_explain(membership: Membership, follow_up: RedFollowUp) -> bool:
    return membership.pk == follow_up.objective.owner_id or membership.role == Role.QUALITY_MANAGER


def may_decide(membership: Membership) -> bool:
    return membership.role == Role.EXECUTIVE


def _resolve_notifications(follow_up: RedFollowUp) -> None:
    """A decision taken leaves the notifications of everyone who was asked to take it."""
    from qms.core.notifications.services import waiting_refresh

    waiting_refresh(organization=follow_up.objective.organization, about=follow_up)


def red_follow_up_explain(
    *, follow_up: RedFollowUp, membership: Membership, explanation: str, next_step: str
) -> RedFollowUp:
    follow_up = _locked(follow_up)
    if not may_explain(membership, follow_up):
        raise NotAllowed("The objective's owner (or a quality manager) explains it.")
    errors = {}
    if not explanation.strip():
        errors["explanation"] = "Say why the objective is off track."
    if not next_step.strip():
        errors["next_step"] = "Say what happens next."
    if errors:
        raise ValidationError(errors)
    follow_up.explanation = explanation.strip()[:2000]
    follow_up.next_step = next_step.strip()[:2000]
    follow_up.explained_by = membership
    follow_up.explained_at = timezone.now()
    follow_up._history_user = membership.user
    follow_up.save()
    _resolve_notifications(follow_up)
    return follow_up


@transaction.atomic
def red_follow_up_accept(
    *,
    follow_up: RedFollowUp,
    membership: Membership,
    title: str,
    owner: Membership,
    due_date: datetime.date,
    today: datetime.date | None = None,
) -> RedFollowUp:
    """The executive accepts the proposal: a corrective action is raised from the objective."""
    from qms.core.actions.services import action_create

    follow_up = _locked(follow_up)
    _check_decision(follow_up, membership)
    action = action_create(
        organization=membership.organization,
        raised_by=membership,
        title=title.strip() or f"Bring {follow_up.objective.code} back on track",
        description=follow_up.next_step or "",
        owner=owner,
        accountable_executive=membership,
        due_date=due_date,
        source=follow_up.objective,
        today=today,
    )
    follow_up.proposal_status = RedFollowUp.ProposalStatus.ACCEPTED
    follow_up.action = action
    return _decided(follow_up, membership)


@transaction.atomic
def red_follow_up_dismiss(
    *, follow_up: RedFollowUp, membership: Membership, reason: str
) -> RedFollowUp:
    follow_up = _locked(follow_up)
    _check_decision(follow_up, membership)
    if not reason.strip():
        raise ValidationError({"reason": "Say why no corrective action is needed."})
    follow_up.proposal_status = RedFollowUp.ProposalStatus.DISMISSED
    follow_up.dismissal_reason = reason.strip()[:500]
    return _decided(follow_up, membership)


def _check_decision(follow_up: RedFollowUp, membership: Membership) -> None:
    if not may_decide(membership):
        raise NotAllowed("Top management (an executive) decides on corrective actions.")
    if follow_up.proposal_status != RedFollowUp.ProposalStatus.PROPOSED:
        raise TransitionError("This proposal was already decided.")


def _decided(follow_up: RedFollowUp, membership: Membership) -> RedFollowUp:
    follow_up.decided_by = membership
    follow_up.decided_at = timezone.now()
    follow_up._history_user = membership.user
    follow_up.save()
    _resolve_notifications(follow_up)
    return follow_up


def red_follow_up_withdraw(*, objective: QualityObjective, period_end: datetime.date, actor):
    """The value that made a period red was withdrawn: a follow-up nobody has acted on yet
    (unexplained, undecided) goes with it, so it no longer holds back the values that come
    next; its notifications are marked read. One already acted on stays on the record."""
    from django.contrib.contenttypes.models import ContentType

    from qms.core.notifications.models import Notification

    follow_up = (
        RedFollowUp.objects.select_for_update()
        .filter(objective=objective, period_end=period_end, explanation="",
                proposal_status__in=(ProposalStatus.PROPOSED, ProposalStatus.COVERED))
        .first()
    )  # fmt: skip
    if follow_up is None:
        return
    # Nothing is left to decide: the notifications read as done, like a decision taken (the
    # try-out found "OBJ-04 is off track again" still waiting after the value was withdrawn).
    now = timezone.now()
    Notification.objects.filter(
        subject_type=ContentType.objects.get_for_model(RedFollowUp), subject_id=follow_up.pk,
        resolved_at__isnull=True,
    ).update(resolved_at=now, read_at=Coalesce("read_at", Value(now)))  # fmt: skip
    follow_up._history_user = actor
    follow_up._change_reason = "The value that made the period off track was withdrawn"
    follow_up.delete()


# --- locked periods ------------------------------------------------------------------------------


@transaction.atomic
def periods_lock(
    *,
    organization: Organization,
    through: datetime.date,
    review_reference: str,
    held_on: datetime.date | None = None,
    org_unit: OrgUnit | None = None,
) -> PeriodLock:
    """A management review was held over the periods up to `through`: the values it saw (of
    `org_unit`'s subtree for a unit's review, else every unit's) are marked as seen by it. A
    period it saw as missing stays open for its first value."""
    lock = PeriodLock.objects.create(
        organization=organization, through=through, review_reference=review_reference,
        held_on=held_on or timezone.localdate(), org_unit=org_unit,
    )  # fmt: skip
    values = Measurement.objects.filter(
        organization=organization, period_end__lte=through, seen_in__isnull=True
    )
    if org_unit is not None:
        values = values.filter(objective__org_unit__path__startswith=org_unit.path)
    values.update(seen_in=lock)
    return lock


def latest_lock(
    organization: Organization,
    unit: OrgUnit | None = None,
    held_before: datetime.date | None = None,
) -> PeriodLock | None:
    """The latest lock by a review that saw all of `unit`'s subtree (None: the whole
    organisation): one of the whole organisation, or of `unit` or a unit above it; with
    `held_before`, by a review held before that day."""
    locks = PeriodLock.objects.filter(organization=organization).select_related("org_unit")
    if held_before is not None:
        locks = locks.filter(held_on__lt=held_before)
    for lock in locks.order_by("-through", "-id"):
        if lock.org_unit is None or (unit is not None and unit.path.startswith(lock.org_unit.path)):
            return lock
    return None


def locked_through(organization: Organization) -> datetime.date | None:
    """The latest period end any review of the organisation locked (whatever its unit)."""
    return PeriodLock.objects.filter(organization=organization).aggregate(Max("through"))[
        "through__max"
    ]


def seen_by_text(lock: PeriodLock) -> str:
    """ "review MR-3 on 15 Oct 2026": the review that saw a value, as messages name it."""
    held_on = lock.held_on or timezone.localdate(lock.locked_at)
    return f"review {lock.review_reference} on {held_on:%-d %b %Y}"


def seen_value_problem(
    *,
    objective: QualityObjective,
    period_end: datetime.date,
    seen_in: PeriodLock | None,
    role: str | None,
    reason: str,
) -> tuple[str, str] | None:
    """The one rule of locked periods, for the form, the API and imports: a value a review saw
    is changed only by a quality manager, with a reason. A first value, or one that arrived
    after the review (it saw the period as missing), is not protected. Returns (field,
    sentence) when the change is refused, else None."""
    if seen_in is None:
        return None
    seen = (
        f"The {describe(objective.frequency, period_end)} value of {objective.code} was seen "
        f"by {seen_by_text(seen_in)}"
    )
    if role not in CORRECTOR_ROLES:
        return "period_end", f"{seen}; changing it needs a quality manager and a reason."
    if not reason.strip():
        return "reason", f"{seen}; say why it is corrected."
    return None


def check_value_allowed(
    *,
    objective: QualityObjective,
    measurement: Measurement | None,
    period_end: datetime.date,
    actor,
    reason: str,
) -> PeriodLock | None:
    """Refuse a value the rules do not allow now; returns the review whose seen value this
    corrects (a correction the next review is told of)."""
    pending = explanation_pending(objective)
    # The owner may still correct the very value that made the period red (a typo), as long as
    # no review saw it: the follow-up nobody has acted on goes with it (and comes back if the
    # corrected value is off track too).
    correcting_red_value = (
        pending is not None
        and measurement is not None
        and pending.period_end == period_end
        and measurement.seen_in_id is None
    )
    if pending is not None and not correcting_red_value:
        raise ValidationError(
            {"value": f"{objective.code} is off track for "
             f"{describe(objective.frequency, pending.period_end)}: its owner explains why, and "
             "the next step, on this page before further values are accepted."}
        )  # fmt: skip
    if correcting_red_value:
        red_follow_up_withdraw(objective=objective, period_end=period_end, actor=actor)
    seen_in = measurement.seen_in if measurement is not None else None
    if seen_in is None:
        return None
    role = (
        Membership.objects.filter(user=actor, organization_id=objective.organization_id)
        .values_list("role", flat=True)
        .first()
    )
    problem = seen_value_problem(
        objective=objective, period_end=period_end, seen_in=seen_in, role=role, reason=reason
    )
    if problem is not None:
        raise ValidationError({problem[0]: problem[1]})
    return seen_in


def correction_record(*, objective, period_end, before, after, reason: str, actor) -> None:
    membership = Membership.objects.get(user=actor, organization_id=objective.organization_id)
    LockedCorrection.objects.create(
        organization_id=objective.organization_id, objective=objective, period_end=period_end,
        before=before, after=after, reason=reason.strip()[:500], corrected_by=membership,
    )  # fmt: skip
