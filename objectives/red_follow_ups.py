"""Closing the loop on red (ISO 9001 10.2): when an objective turns red, or is red again in a
new period, its owner is asked why and what comes next (required before further values are
accepted, unless an administrator switched the rule off), and a corrective action is proposed
to the accountable executive, who accepts it (an action is raised) or dismisses it with a
reason. Both show on the objective and in the next management review's input.

Also here: periods locked once a management review used them (a value of a locked period is
corrected only by a quality manager, with a reason, and the next review is told).
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from objectives.models import (
    LockedCorrection,
    ObjectiveRules,
    PeriodLock,
    QualityObjective,
    Rag,
    RedFollowUp,
)
from objectives.periods import describe
from qms.core.immutable import NotAllowed, TransitionError
from qms.core.models import Membership, Organization
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
        if change.after != Rag.RED or objective.current_period_end is None:
            continue
        new_period = change.before_period != objective.current_period_end
        if change.before == Rag.RED and not new_period:
            continue  # still red, same period: already followed up
        follow_up_open(objective, consecutive=change.before == Rag.RED)


def follow_up_open(objective: QualityObjective, *, consecutive: bool) -> RedFollowUp | None:
    """Open the follow-up of the objective's current (red) period and tell the owner and the
    accountable executive; None when it exists already."""
    from qms.core.notifications.services import notifications_create

    try:
        with transaction.atomic():
            follow_up = RedFollowUp.objects.create(
                organization_id=objective.organization_id,
                objective=objective,
                period_end=objective.current_period_end,
                value=objective.current_value,
                consecutive=consecutive,
            )
    except IntegrityError:
        return None
    notifications_create(
        organization=objective.organization, specs=_specs(follow_up), today=timezone.localdate()
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
            "you will do next; further values are accepted once you have.",
            url=url,
        ),
        NotificationSpec(
            recipient=objective.accountable_executive,
            kind=PROPOSAL_KIND,
            subject=follow_up,
            occasion="proposal",
            title=f"Corrective action proposed: {objective.code} off track{again}",
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


def pending_explanations(organization: Organization) -> set[int]:
    """Objectives (ids) whose values are refused until their owner explains (for imports)."""
    if not rules_for(organization).red_explanation_required:
        return set()
    return set(
        RedFollowUp.objects.filter(organization=organization, explanation="").values_list(
            "objective_id", flat=True
        )
    )


def _locked(follow_up: RedFollowUp) -> RedFollowUp:
    return RedFollowUp.objects.select_for_update().select_related("objective").get(pk=follow_up.pk)


@transaction.atomic
def may_explain(membership: Membership, follow_up: RedFollowUp) -> bool:
    return membership.pk == follow_up.objective.owner_id or membership.role == Role.QUALITY_MANAGER


def may_decide(membership: Membership) -> bool:
    return membership.role == Role.EXECUTIVE


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
    return follow_up


# --- locked periods ------------------------------------------------------------------------------


def periods_lock(*, organization: Organization, through: datetime.date, review_reference: str):
    """A management review used the periods up to `through` (called when it is held)."""
    return PeriodLock.objects.create(
        organization=organization, through=through, review_reference=review_reference
    )


def lock_for(organization_id: int, period_end: datetime.date) -> PeriodLock | None:
    return (
        PeriodLock.objects.filter(organization_id=organization_id, through__gte=period_end)
        .order_by("through", "id")
        .first()
    )


def latest_lock(organization: Organization) -> PeriodLock | None:
    return PeriodLock.objects.filter(organization=organization).order_by("-through").first()


def check_value_allowed(
    *, objective: QualityObjective, period_end: datetime.date, actor, reason: str
) -> PeriodLock | None:
    """Refuse a value the rules do not allow now; returns the lock a correction falls under."""
    pending = explanation_pending(objective)
    if pending is not None:
        raise ValidationError(
            {"value": f"{objective.code} is off track for "
             f"{describe(objective.frequency, pending.period_end)}: its owner explains why, and "
             "the next step, on this page before further values are accepted."}
        )  # fmt: skip
    lock = lock_for(objective.organization_id, period_end)
    if lock is None:
        return None
    membership = Membership.objects.filter(
        user=actor, organization_id=objective.organization_id
    ).first()
    if membership is None or membership.role not in CORRECTOR_ROLES:
        raise ValidationError(
            {"period_end": f"{describe(objective.frequency, period_end)} was used by "
             f"{lock.review_reference}: only a quality manager corrects it, with a reason."}
        )  # fmt: skip
    if not reason.strip():
        raise ValidationError(
            {"reason": f"Say why {describe(objective.frequency, period_end)} is corrected after "
             f"{lock.review_reference} used it."}
        )  # fmt: skip
    return lock


def correction_record(*, objective, period_end, before, after, reason: str, actor) -> None:
    membership = Membership.objects.get(user=actor, organization_id=objective.organization_id)
    LockedCorrection.objects.create(
        organization_id=objective.organization_id, objective=objective, period_end=period_end,
        before=before, after=after, reason=reason.strip()[:500], corrected_by=membership,
    )  # fmt: skip
