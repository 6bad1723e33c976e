"""The management review's workflow (ISO 9001 9.3): plan → prepare (the agenda compiles itself)
→ hold (inputs frozen) → record attendance, minutes and decisions (each raising actions) →
sign off (locked; later corrections are addenda). Skipping is recorded, not hidden. Holding or
skipping a scheduled review plans the next one."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from objectives.periods import add_months
from objectives.red_follow_ups import periods_lock
from qms.core.actions.services import action_create
from qms.core.immutable import NotAllowed, TransitionError
from qms.core.models import Membership, OrgUnit
from qms.core.notifications.services import waiting_refresh
from qms.core.outbox import enqueue
from qms.core.roles import APPROVER_ROLES, QUALITY_EDITOR_ROLES, Role
from qms.core.webhooks.services import emit
from reviews.agenda import compile_agenda
from reviews.models import (
    ManagementReview,
    ReviewAddendum,
    ReviewAttendee,
    ReviewDecision,
    ReviewInput,
    ReviewSchedule,
    ReviewStatus,
)

# Who prepares and records reviews: the quality team, and top management itself.
ORGANISER_ROLES = QUALITY_EDITOR_ROLES | APPROVER_ROLES
DEFAULT_PERIOD_MONTHS = 3


def _check_organiser(membership: Membership) -> None:
    if membership.role not in ORGANISER_ROLES:
        raise NotAllowed("Only the quality team and top management prepare and record reviews.")


def _check_open(review: ManagementReview) -> None:
    if review.is_locked:
        raise TransitionError(
            f"{review.reference} is signed off and can no longer change; add an addendum instead."
        )


def _save(record, membership: Membership, reason: str = "") -> None:
    record._history_user = membership.user
    if reason:
        record._change_reason = reason[:100]
    record.save()
    # A review waiting for sign-off reaches the executives once, and leaves them once signed.
    waiting_refresh(organization=membership.organization, about=record)


def _locked(review: ManagementReview) -> ManagementReview:
    return ManagementReview.objects.select_for_update().get(pk=review.pk)


# --- planning -------------------------------------------------------------------------------


@transaction.atomic
def review_plan(
    *,
    membership: Membership,
    planned_on: datetime.date,
    title: str = "",
    schedule: ReviewSchedule | None = None,
    org_unit: OrgUnit | None = None,
    chair: Membership | None = None,
    location: str = "",
) -> ManagementReview:
    _check_organiser(membership)
    organization = membership.organization
    for other, label in ((schedule, "schedule"), (org_unit, "unit"), (chair, "chair")):
        if other is not None and other.organization_id != organization.id:
            raise ValidationError({label: f"Choose a {label} of this organisation."})
    if chair is not None and chair.role != Role.EXECUTIVE:
        raise ValidationError({"chair": "The chair is a member of top management (executive)."})
    # Numbers count up per organisation; locking the organisation row serialises planners.
    type(organization).objects.select_for_update().filter(pk=organization.pk).first()
    last = ManagementReview.objects.filter(organization=organization).aggregate(n=Max("number"))
    review = ManagementReview(
        organization=organization,
        number=(last["n"] or 0) + 1,
        schedule=schedule,
        org_unit=org_unit or (schedule.org_unit if schedule else None),
        title=(title or (schedule.title if schedule else "Management review")).strip(),
        planned_on=planned_on,
        chair=chair,
        location=location,
    )
    review.full_clean()
    _save(review, membership, "Planned")
    _invite(review)
    return review


def _invite(review: ManagementReview) -> None:
    """Calendar invitations go out once the change is committed (a rolled-back plan sends
    nothing)."""
    from reviews.tasks import send_invitation

    enqueue(send_invitation, review.pk)


@transaction.atomic
def review_reschedule(
    *,
    review: ManagementReview,
    membership: Membership,
    planned_on: datetime.date,
    today: datetime.date | None = None,
) -> ManagementReview:
    """Move a review not yet held to another day; invitees get the updated invitation (same
    calendar entry, a higher sequence)."""
    _check_organiser(membership)
    review = _locked(review)
    _check_open(review)
    if review.status not in (ReviewStatus.PLANNED, ReviewStatus.PREPARED):
        raise TransitionError(f"{review.reference} is {review.get_status_display().lower()}.")
    today = today or timezone.localdate()
    if not isinstance(planned_on, datetime.date) or planned_on < today:
        raise ValidationError({"planned_on": "Move the review to today or a later day."})
    if planned_on == review.planned_on:
        raise ValidationError({"planned_on": "That is already the planned day."})
    before = review.planned_on
    review.planned_on = planned_on
    review.full_clean()
    _save(review, membership, f"Moved from {before:%Y-%m-%d} to {planned_on:%Y-%m-%d}")
    _invite(review)
    return review


@transaction.atomic
def schedule_create(
    *,
    membership: Membership,
    title: str,
    interval_months: int,
    first_planned_on: datetime.date,
    org_unit: OrgUnit | None = None,
) -> ReviewSchedule:
    """A recurrence and its first planned review."""
    _check_organiser(membership)
    if org_unit is not None and org_unit.organization_id != membership.organization_id:
        raise ValidationError({"org_unit": "Choose a unit of this organisation."})
    schedule = ReviewSchedule(
        organization=membership.organization,
        org_unit=org_unit,
        title=title.strip() or "Management review",
        interval_months=interval_months,
    )
    schedule.full_clean()
    _save(schedule, membership, "Schedule set up")
    review_plan(membership=membership, planned_on=first_planned_on, schedule=schedule)
    return schedule


def _plan_next(review: ManagementReview, membership: Membership) -> ManagementReview | None:
    """After a scheduled review is held or skipped: the next one, unless already planned."""
    schedule = review.schedule
    if schedule is None or not schedule.is_active:
        return None
    later = ManagementReview.objects.filter(schedule=schedule, planned_on__gt=review.planned_on)
    if later.exists():
        return None
    return review_plan(
        membership=membership,
        planned_on=add_months(review.planned_on, schedule.interval_months),
        schedule=schedule,
        chair=review.chair,
        location=review.location,
    )


# --- preparing ------------------------------------------------------------------------------


def previous_review(review: ManagementReview) -> ManagementReview | None:
    """The last review held before this one, of the same organisation and unit."""
    return (
        ManagementReview.objects.filter(
            organization_id=review.organization_id,
            org_unit_id=review.org_unit_id,
            status__in=[ReviewStatus.HELD, ReviewStatus.SIGNED_OFF],
            held_on__lt=review.held_on or review.planned_on,
        )
        .exclude(pk=review.pk)
        .order_by("-held_on")
        .first()
    )


def review_period(
    review: ManagementReview, end: datetime.date
) -> tuple[datetime.date, datetime.date]:
    """Since the previous review (the day after its period ended), or one interval back."""
    previous = previous_review(review)
    if previous is not None and previous.period_end:
        start = previous.period_end + datetime.timedelta(days=1)
    else:
        months = review.schedule.interval_months if review.schedule else DEFAULT_PERIOD_MONTHS
        start = add_months(review.planned_on, -months) + datetime.timedelta(days=1)
    return min(start, end), end


def _compile(
    review: ManagementReview,
    end: datetime.date,
    today: datetime.date,
    as_of: datetime.date | None = None,
) -> None:
    start, end = review_period(review, end)
    now = timezone.now()
    existing = {i.key: i for i in review.inputs.all()}
    for order, compiled in enumerate(
        compile_agenda(
            organization=review.organization, start=start, end=end, review_id=review.pk,
            today=today, unit=review.org_unit, as_of=as_of,
        )
    ):  # fmt: skip
        item = existing.get(compiled.key) or ReviewInput(review=review, key=compiled.key)
        item.clause, item.title, item.order = compiled.clause, compiled.title, order
        item.data, item.has_data = compiled.data, compiled.has_data
        item.missing = "" if compiled.has_data else compiled.missing
        item.compiled_at = now
        item.save()
    review.period_start, review.period_end = start, end


def _invite_top_management(review: ManagementReview) -> None:
    if review.attendees.exists():
        return
    members = (
        Membership.objects.for_organization(review.organization_id)
        .current()
        .filter(role__in=[Role.EXECUTIVE, Role.QUALITY_MANAGER])
    )
    ReviewAttendee.objects.bulk_create(
        [
            ReviewAttendee(review=review, membership=m, is_top_management=m.role == Role.EXECUTIVE)
            for m in members
        ]
    )


@transaction.atomic
def review_prepare(
    *, review: ManagementReview, membership: Membership, today: datetime.date | None = None
) -> ManagementReview:
    """Compile (or recompile) the 9.3.2 inputs for the period since the previous review, and
    invite top management and the quality managers if nobody is invited yet."""
    _check_organiser(membership)
    review = _locked(review)
    _check_open(review)
    if review.status not in (ReviewStatus.PLANNED, ReviewStatus.PREPARED):
        raise TransitionError(
            f"{review.reference} has been held: its inputs are frozen as they were then."
        )
    today = today or timezone.localdate()
    _compile(review, end=today, today=today)
    _invite_top_management(review)
    review.status = ReviewStatus.PREPARED
    review.prepared_at = timezone.now()
    _save(review, membership, "Agenda compiled")
    return review


@transaction.atomic
def review_input_comment(
    *, review_input: ReviewInput, membership: Membership, commentary: str
) -> ReviewInput:
    _check_organiser(membership)
    _check_open(review_input.review)
    review_input.commentary = commentary.strip()
    review_input.full_clean(exclude=["review"])
    _save(review_input, membership, "Commentary")
    return review_input


# --- holding --------------------------------------------------------------------------------


@transaction.atomic
def review_hold(
    *,
    review: ManagementReview,
    membership: Membership,
    held_on: datetime.date,
    today: datetime.date | None = None,
) -> ManagementReview:
    """Record that the meeting took place: the inputs are compiled one last time, as they
    stood at the end of the meeting day, and frozen; a scheduled review plans the next one."""
    _check_organiser(membership)
    review = _locked(review)
    _check_open(review)
    if review.status not in (ReviewStatus.PLANNED, ReviewStatus.PREPARED):
        raise TransitionError(f"{review.reference} is already {review.get_status_display()}.")
    today = today or timezone.localdate()
    if not isinstance(held_on, datetime.date) or held_on > today:
        raise ValidationError({"held_on": "A review is recorded as held on a day that has come."})
    # As of the end of the meeting day, however long after it the meeting is recorded: the
    # frozen inputs are what the meeting saw, never a value, action or decision that came later.
    _compile(review, end=held_on, today=held_on, as_of=held_on)
    _invite_top_management(review)
    review.held_on = held_on
    review.frozen_at = timezone.now()
    review.status = ReviewStatus.HELD
    review.full_clean()
    _save(review, membership, "Held; inputs frozen")
    # The values this review saw (its unit subtree's, for a unit's review) are now evidence:
    # later changes need a quality manager and a reason, and the next review is told
    # (objectives.red_follow_ups). A value it saw as missing
    # may still arrive; the next review lists it as arrived after this one.
    if review.period_end is not None:
        periods_lock(
            organization=review.organization, through=review.period_end,
            review_reference=review.reference, held_on=held_on, org_unit=review.org_unit,
        )  # fmt: skip
    _plan_next(review, membership)
    return review


@transaction.atomic
def review_skip(
    *, review: ManagementReview, membership: Membership, reason: str
) -> ManagementReview:
    _check_organiser(membership)
    review = _locked(review)
    if review.status not in (ReviewStatus.PLANNED, ReviewStatus.PREPARED):
        raise TransitionError(f"{review.reference} is {review.get_status_display().lower()}.")
    if not reason.strip():
        raise ValidationError({"reason": "Say why the review is skipped: it stays on the record."})
    review.status = ReviewStatus.SKIPPED
    review.skipped_reason = reason.strip()[:300]
    _save(review, membership, "Skipped")
    _invite(review)  # a cancellation of the calendar entry
    _plan_next(review, membership)
    return review


@transaction.atomic
def review_record_update(
    *,
    review: ManagementReview,
    membership: Membership,
    minutes: str | None = None,
    location: str | None = None,
    chair: Membership | None = None,
) -> ManagementReview:
    _check_organiser(membership)
    review = _locked(review)
    _check_open(review)
    if minutes is not None:
        review.minutes = minutes.strip()
    if location is not None:
        review.location = location.strip()
    if chair is not None:
        if chair.organization_id != review.organization_id or chair.role != Role.EXECUTIVE:
            raise ValidationError({"chair": "The chair is an executive of this organisation."})
        review.chair = chair
    review.full_clean()
    _save(review, membership, "Record updated")
    return review


@transaction.atomic
def review_attendance_set(
    *, review: ManagementReview, membership: Membership, attendee: Membership, attendance: str
) -> ReviewAttendee:
    _check_organiser(membership)
    _check_open(review)
    if attendee.organization_id != review.organization_id:
        raise ValidationError({"membership": "Choose a member of this organisation."})
    if attendance not in ReviewAttendee.Attendance.values:
        raise ValidationError({"attendance": "Choose invited, attended, apologies or absent."})
    if attendance in ("attended", "absent") and review.status not in (
        ReviewStatus.HELD,
        ReviewStatus.PREPARED,
        ReviewStatus.PLANNED,
    ):
        raise TransitionError("Attendance is recorded for a planned or held review.")
    row = ReviewAttendee.objects.filter(review=review, membership=attendee).first()
    if row is None:
        row = ReviewAttendee(
            review=review,
            membership=attendee,
            is_top_management=attendee.role == Role.EXECUTIVE,
        )
    row.attendance = attendance
    _save(row, membership, f"Attendance: {attendance}")
    return row


@transaction.atomic
def review_decision_add(
    *,
    review: ManagementReview,
    membership: Membership,
    kind: str,
    text: str,
    action_title: str,
    owner: Membership,
    accountable_executive: Membership,
    due_date: datetime.date,
    today: datetime.date | None = None,
) -> ReviewDecision:
    """A 9.3.3 output of a held review, and the action that carries it out."""
    _check_organiser(membership)
    review = _locked(review)
    _check_open(review)
    if review.status != ReviewStatus.HELD:
        raise TransitionError("Decisions are recorded once the review has been held.")
    number = (review.decisions.aggregate(n=Max("number"))["n"] or 0) + 1
    decision = ReviewDecision(
        organization_id=review.organization_id,
        review=review,
        number=number,
        kind=kind,
        text=(text or "").strip(),
    )
    decision.full_clean()
    _save(decision, membership, "Decided")
    action_create(
        organization=review.organization,
        raised_by=membership,
        title=action_title or decision.text[:200],
        description=f"Decided at {review.reference} ({review.held_on:%-d %b %Y}): {decision.text}",
        owner=owner,
        accountable_executive=accountable_executive,
        due_date=due_date,
        source=decision,
        today=today,
    )
    return decision


# --- signing off ----------------------------------------------------------------------------


@transaction.atomic
def review_sign_off(
    *, review: ManagementReview, membership: Membership, comment: str = ""
) -> ManagementReview:
    """Top management confirms the record; from now on nothing in the review changes."""
    if membership.role not in APPROVER_ROLES:
        raise NotAllowed("Only a member of top management (executive) signs off a review.")
    review = _locked(review)
    _check_open(review)
    if review.status != ReviewStatus.HELD:
        raise TransitionError("A review is signed off after it has been held.")
    if not review.minutes.strip():
        raise TransitionError("Record the minutes before signing off.")
    if not review.attendees.filter(attendance="attended", is_top_management=True).exists():
        raise TransitionError(
            "Record that at least one member of top management attended before signing off."
        )
    review.status = ReviewStatus.SIGNED_OFF
    review.signed_off_by = membership
    review.signed_off_at = timezone.now()
    review.sign_off_comment = comment.strip()[:500]
    review.full_clean()
    _save(review, membership, "Signed off")
    emit(
        review.organization_id,
        "review.signed_off",
        f"review:{review.pk}",
        {"review": review.reference, "title": review.title,
         "held_on": review.held_on.isoformat(), "signed_off_by": membership.display_name,
         "decisions": review.decisions.count()},
    )  # fmt: skip
    return review


@transaction.atomic
def review_addendum_add(
    *, review: ManagementReview, membership: Membership, text: str
) -> ReviewAddendum:
    _check_organiser(membership)
    if not review.is_locked:
        raise TransitionError("While the review is open, change the record itself.")
    if not text.strip():
        raise ValidationError({"text": "Write the addendum."})
    addendum = ReviewAddendum(review=review, text=text.strip(), author=membership)
    addendum.full_clean()
    _save(addendum, membership, "Addendum")
    return addendum
