"""Demo management reviews for Acme: a quarterly schedule with two reviews held and signed off
(the first 14 days late), their decisions and actions, and the next one planned in a couple of
weeks with its agenda compiled. Dates are relative to today. Idempotent."""

from __future__ import annotations

import datetime

from django.db import transaction

from reviews.models import ManagementReview, ReviewAttendee
from reviews.services import management_reviews as s

MINUTES = """1. Actions from the last review: most closed on time; the supplier qualification slipped and was re-planned.
2. Context: steel prices and the customer move to IATF 16949 discussed; no change to scope.
3. Performance: on-time delivery improving; first-pass yield in machining still below target; two major nonconformities, both contained.
4. Resources: CMM calibration contract approved; training budget confirmed.
5. Risks: anodising single source remains the top risk.
6. Improvement: in-process gauging pilot agreed (see decisions)."""

# The first review was planned this many days ago; the schedule plans the others 3 months apart.
FIRST_PLANNED_DAYS_AGO = 166
# (days late, decisions: (kind, text, action, owner, executive, due in days after held))
HELD = [
    (14, [("improvement", "Pilot in-process gauging on CNC line 2.", "Run the in-process gauging pilot on line 2", "contributor", "ops.director", 60)]),
    (2, [
        ("resource", "Fund a second anodising supplier qualification.", "Qualify a second anodiser", "ops.director", "ops.director", 45),
        ("qms_change", "Add a torque-logging step to the assembly control plan.", "Update the assembly control plan for torque logging", "leeds.lead", "ops.director", 30),
    ]),
]  # fmt: skip


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
    for late, decisions in HELD:
        review = schedule.reviews.order_by("-planned_on").first()
        held_on = review.planned_on + datetime.timedelta(days=late)
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
    upcoming = schedule.reviews.order_by("-planned_on").first()
    s.review_prepare(review=upcoming, membership=quality, today=today)
