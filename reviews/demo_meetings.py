"""Demo management reviews for Acme: a quarterly schedule with six reviews held and signed off
over the last eighteen months (one 14 days late), their decisions and actions (those of the
older reviews closed before the next meeting), and the next one planned in a couple of weeks
with its agenda compiled. Dates are relative to today. Idempotent."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from qms.core.demo import at, move_to_the_day, on_the_day
from reviews.agenda import compile_agenda
from reviews.models import ManagementReview, ReviewAttendee, ReviewInput, ReviewStatus
from reviews.services import management_reviews as s

MINUTES = """1. Actions from the last review: most closed on time; the supplier qualification slipped and was re-planned.
2. Context: steel prices and the customer move to IATF 16949 discussed; no change to scope.
3. Performance: on-time delivery improving; first-pass yield in machining still below target; two major nonconformities, both contained.
4. Resources: CMM calibration contract approved; training budget confirmed.
5. Risks: anodising single source remains the top risk.
6. Improvement: in-process gauging pilot agreed (see decisions)."""

# The first review was planned this many days ago (a year and a half); the schedule plans the
# others 3 months apart, so that the demo's reviews cover 2025 as its objectives' data does.
FIRST_PLANNED_DAYS_AGO = 166 + 365
# (days late, decisions: (kind, text, action, owner, executive, due in days after held))
HELD = [
    (0, [("improvement", "Agree delivery targets with the five main suppliers of Leeds.", "Agree delivery targets with the five main suppliers", "leeds.lead", "ops.director", 60)]),
    (0, [("resource", "Approve a calibration contract for the CMM.", "Sign the CMM calibration contract with Metrology Services UK", "quality", "executive", 30)]),
    (6, [("improvement", "Analyse the complaint trend every quarter.", "Set up the quarterly complaint-trend analysis", "cs.lead", "cs.director", 45)]),
    (0, [("qms_change", "Train all team leads in 8D problem solving.", "Run 8D training for all team leads", "ops.director", "ops.director", 90)]),
    (14, [("improvement", "Pilot in-process gauging on CNC line 2.", "Run the in-process gauging pilot on line 2", "contributor", "ops.director", 60)]),
    (2, [
        ("resource", "Fund a second anodising supplier qualification.", "Qualify a second anodiser", "ops.director", "ops.director", 45),
        ("qms_change", "Add a torque-logging step to the assembly control plan.", "Update the assembly control plan for torque logging", "leeds.lead", "ops.director", 30),
    ]),
]  # fmt: skip
# The actions of all but the last this many reviews were closed before the next meeting.
STILL_OPEN_FROM_LAST = 2


def _backdate(review: ManagementReview, when: datetime.date) -> None:
    """Demo only: the sign-off and freezing happened on the meeting day, not when seeding."""
    moment = datetime.datetime.combine(when, datetime.time(16), tzinfo=datetime.UTC)
    ManagementReview.objects.filter(pk=review.pk).update(
        signed_off_at=moment, frozen_at=moment, prepared_at=moment
    )


@transaction.atomic
def seed_management_reviews(context) -> None:
    organization = context.organization
    if ManagementReview.objects.filter(organization=organization).exists():
        return
    members, today = context.members, context.today
    quality, ceo = members["quality"], members["executive"]
    first_planned = today - datetime.timedelta(days=FIRST_PLANNED_DAYS_AGO)
    replaying_since = timezone.now()
    schedule = s.schedule_create(
        membership=quality,
        title="Quarterly management review",
        interval_months=3,
        first_planned_on=first_planned,
    )
    review = schedule.reviews.get()
    s.review_record_update(
        review=review, membership=quality, chair=ceo, location="Board room, Sheffield"
    )
    previous = None
    for index, (late, decisions) in enumerate(HELD):
        review = schedule.reviews.order_by("-planned_on").first()
        held_on = review.planned_on + datetime.timedelta(days=late)
        if previous is not None and index <= len(HELD) - STILL_OPEN_FROM_LAST:
            _close_actions_before(previous, held_on, members)
            replaying_since = timezone.now()
        s.review_hold(review=review, membership=quality, held_on=held_on, today=held_on)
        for member in ("executive", "ops.director", "cs.director", "quality"):
            s.review_attendance_set(
                review=review,
                membership=quality,
                attendee=members[member],
                attendance=ReviewAttendee.Attendance.APOLOGIES
                if member == "cs.director" and late > 5
                else ReviewAttendee.Attendance.ATTENDED,
            )
        s.review_record_update(review=review, membership=quality, minutes=MINUTES)
        for kind, text, action_title, owner, executive, due_in in decisions:
            s.review_decision_add(
                review=review,
                membership=quality,
                kind=kind,
                text=text,
                action_title=action_title,
                owner=members[owner],
                accountable_executive=members[executive],
                due_date=held_on + datetime.timedelta(days=due_in),
                today=held_on,
            )
        s.review_sign_off(review=review, membership=ceo, comment="Agreed by the board.")
        _backdate(review, held_on)
        # The meeting, its decisions and the actions they raised happened on the meeting day.
        meeting = datetime.datetime.combine(held_on, datetime.time(16), tzinfo=datetime.UTC)
        move_to_the_day(organization, replaying_since, meeting)
        replaying_since = timezone.now()
        previous = review
    # The coming review's agenda is compiled once every demo record exists (a final step):
    # compiled now and again then, its audit trail would show a recompile of the seeding.


def _close_actions_before(review: ManagementReview, meeting: datetime.date, members) -> None:
    """The actions a review raised, done and closed by their owners before they were due (and
    before the next meeting), which found them effective (the quality manager checks, or the chair for the
    quality manager's own): a year-old action is not still awaiting its check."""
    from qms.core.actions.models import Action
    from qms.core.actions.services import action_close, action_start, action_verify

    for decision in review.decisions.all():
        actions = Action.objects.for_organization(review.organization_id).for_source(decision)
        for action in actions.open():
            # On time, as the minutes say most were: a few days before it was due.
            closed_on = min(
                action.due_date - datetime.timedelta(days=3), meeting - datetime.timedelta(days=7)
            )
            with on_the_day(review.organization, at(closed_on, hour=14)):
                action = action_start(action=action, actor=action.owner)
                action = action_close(
                    action=action, actor=action.owner, note="Done; reported at the review."
                )
            checker = members["quality"]
            if action.owner_id == checker.pk:
                checker = members["executive"]
            with on_the_day(review.organization, at(meeting, hour=15)):
                action_verify(
                    action=action,
                    verifier=checker,
                    result="effective",
                    evidence=f"Reviewed at the next management review: {decision.text}",
                    today=meeting,
                )


def recompile_demo_agendas(context) -> None:
    """The agendas not yet held, compiled once every demo record exists, as a quality manager
    would press "Compile" (or "Recompile") before the meeting: the demo schedule's coming
    review, and any other already prepared; and the past reviews' frozen inputs compiled again
    as of their meeting day (below)."""
    quality = context.members["quality"]
    reviews = ManagementReview.objects.for_organization(context.organization)
    coming = (
        reviews.filter(schedule__isnull=False, status=ReviewStatus.PLANNED)
        .order_by("-planned_on")
        .first()
    )
    prepared = list(reviews.filter(status=ReviewStatus.PREPARED))
    for review in ([coming] if coming else []) + prepared:
        s.review_prepare(review=review, membership=quality, today=context.today)
    for review in reviews.filter(status__in=[ReviewStatus.HELD, ReviewStatus.SIGNED_OFF]):
        _refreeze_as_of_meeting(review)


def _refreeze_as_of_meeting(review: ManagementReview) -> None:
    """Demo only. The demo replays months of history in one run, and the records dated before
    a past meeting (actions raised at an audit, say) are seeded after that meeting was replayed:
    the past reviews' inputs are compiled again as of their meeting day, as they would have been
    frozen had the history happened in order. Written past the sign-off lock on purpose (a
    queryset update): this is the seed writing history, not a change to a signed record."""
    compiled = {
        c.key: c
        for c in compile_agenda(
            organization=review.organization, start=review.period_start,
            end=review.period_end, review_id=review.pk, today=review.held_on,
            unit=review.org_unit, as_of=review.held_on,
        )
    }  # fmt: skip
    for item in ReviewInput.objects.filter(review=review):
        c = compiled[item.key]
        ReviewInput.objects.filter(pk=item.pk).update(
            data=c.data, has_data=c.has_data, missing="" if c.has_data else c.missing
        )
