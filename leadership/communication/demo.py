"""Demo communication records for Acme: a communication plan whose due dates were mostly kept
(one late, one missed), announcements with read receipts (one unit reading less than the
others), and executives' leadership activities with a follow-up action. Idempotent: nothing is
added once the organisation has a plan."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from leadership.communication import services, services_activities
from leadership.communication.models import (
    ActivityKind,
    Announcement,
    AnnouncementRecipient,
    Channel,
    CommunicationPlanItem,
    PlanOccurrence,
    Recurrence,
)
from leadership.models import PolicyVersion
from qms.core.demo import on_the_day
from qms.core.roles import Role


def _backdate(model, pk, **fields) -> None:
    """Demo only: move timestamps into the past (bypasses the audit trail on purpose)."""
    model.objects.filter(pk=pk).update(**fields)


def _at(day: datetime.date, hour: int = 9) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


@transaction.atomic
def seed_communication(context) -> None:
    organization = context.organization
    if CommunicationPlanItem.objects.filter(organization=organization).exists():
        return
    members, units, today = context.members, context.units, context.today
    ceo, quality = members["executive"], members["quality"]
    ops = members.get("ops.director", ceo)
    cs_director = members.get("cs.director", ceo)
    first_of_month = today.replace(day=1)
    # A year back, on the 5th of a month, so that several due dates have passed.
    year_ago = (first_of_month - datetime.timedelta(days=330)).replace(day=5)

    quarterly = services.plan_item_create(
        actor=quality,
        topic="Quarterly quality results and objectives status",
        description="Objectives' status, customer KPIs and the review's decisions, to everyone.",
        recurrence=Recurrence.QUARTERLY,
        starts_on=_results_day(year_ago),
        channel=Channel.ANNOUNCEMENT,
        communicator=ceo,
    )
    briefing = services.plan_item_create(
        actor=quality,
        topic="Monthly quality briefing on the shop floor",
        description="Nonconformities of the month, lessons learned, the unit's objectives.",
        recurrence=Recurrence.MONTHLY,
        starts_on=(first_of_month - datetime.timedelta(days=150)).replace(day=10),
        channel=Channel.MEETING,
        communicator=ops,
        audience_units=[units["SHF"], units["LDS"]],
    )
    customer = services.plan_item_create(
        actor=quality,
        topic="Customer feedback summary",
        recurrence=Recurrence.MONTHLY,
        starts_on=(first_of_month - datetime.timedelta(days=120)).replace(day=20),
        channel=Channel.NOTICEBOARD,
        communicator=cs_director,
        audience_units=[units["CUS"]],
        audience_roles=[Role.CONTRIBUTOR, Role.QUALITY_MANAGER],
    )
    services.plan_item_create(
        actor=quality,
        topic="Quality policy at induction",
        description="Every new starter reads and acknowledges the policy in their first week.",
        recurrence=Recurrence.YEARLY,
        starts_on=year_ago + datetime.timedelta(days=30),
        channel=Channel.OTHER,
        communicator=quality,
    )

    # Briefings: all done on time except one late; the customer summary missed once.
    past = [d for d in briefing.due_dates(year_ago, today) if d < today]
    for index, due_on in enumerate(past):
        late = index == len(past) - 2  # recent enough to show on the plan page
        services.plan_occurrence_mark_done(
            item=briefing,
            due_on=due_on,
            actor=ops,
            note="Briefing at shift change, both sites" + (" (moved a week)" if late else ""),
            done_on=due_on + datetime.timedelta(days=7 if late else 0),
        )
    customer_past = [d for d in customer.due_dates(year_ago, today) if d < today]
    for due_on in customer_past[:-2] + customer_past[-1:]:
        services.plan_occurrence_mark_done(
            item=customer,
            due_on=due_on,
            actor=cs_director,
            note="Posted on the customer service board and discussed at the team huddle",
            done_on=due_on,
        )

    # Quarterly announcements: the ones already due, each published on its due date (ten days
    # after a quarter ended) about the quarter that had just ended.
    quarter_dues = [d for d in quarterly.due_dates(year_ago, today) if d < today]
    texts = [
        "Q{n} results: on-time delivery at target for the second month running; scrap rate "
        "still amber at Sheffield. Thank you all for the right-first-time push.",
        "Q{n} results: customer satisfaction up two points. The management review approved "
        "a second CMM for Leeds to cut inspection queues.",
        "Q{n} results: all objectives but one on track. Sheffield's scrap rate is the focus "
        "for next quarter; see the actions on the board.",
        "Q{n} results: complaints closed within 10 days in 94% of cases. Well done, Customer "
        "Service.",
    ]
    for index, due_on in enumerate(quarter_dues):
        ended = _quarter_ended_before(due_on)
        quarter = (ended.month - 1) // 3 + 1
        with on_the_day(organization, _at(due_on)):
            announcement = services.announcement_publish(
                author=ceo,
                title=f"Quality results, Q{quarter} {ended.year} "
                f"(quarter ending {ended.day} {ended:%B %Y})",
                body=texts[index % len(texts)].format(n=quarter),
                plan_item=quarterly,
                plan_due_on=due_on,
            )
        occurrence = announcement.plan_occurrence
        _backdate(PlanOccurrence, occurrence.pk, done_on=due_on)
        _read_some(announcement, due_on, skip_unit=units["LDS"])
    # Announced the day the policy's version 2 was published (the policy page's date).
    in_force = (
        PolicyVersion.objects.filter(organization=organization, published_at__isnull=False)
        .order_by("-published_at")
        .values_list("published_at", flat=True)
        .first()
    )
    in_force_on = timezone.localdate(in_force) if in_force else today - datetime.timedelta(days=12)
    with on_the_day(organization, _at(in_force_on, 11)):
        staff = services.announcement_publish(
            author=quality,
            title="Quality policy version 2 is in force",
            body="Top management approved version 2 of the quality policy. It adds on-time "
            "delivery and competence to our commitments.\n\nPlease **read and acknowledge it** "
            "from the Policy page.",
        )
    _read_some(staff, in_force_on, skip_unit=units["SHF"])
    # Left unread: the contributor at Sheffield finds it new on her board.
    services.announcement_publish(
        author=quality,
        title="Sheffield: new first-off inspection checklist",
        body="From Monday the first-off inspection uses checklist QF-112. Supervisors brief "
        "their teams at the start of shift.",
        target_units=[units["SHF"]],
    )

    # Leadership activities: a quality walk with a follow-up, a customer visit, a town hall.
    walk = services_activities.activity_log(
        executive=ceo,
        kind=ActivityKind.QUALITY_WALK,
        occurred_on=today - datetime.timedelta(days=20),
        org_unit=units["SHF"],
        title="Gemba walk on the 5-axis line",
        notes="Spoke with the night shift about scrap causes; tool-change records are kept "
        "on paper and not reviewed.",
    )
    # The follow-up was raised the day after the walk, not on the day the demo was seeded.
    with on_the_day(organization, _at(today - datetime.timedelta(days=19), 10)):
        services_activities.activity_follow_up(
            activity=walk,
            actor=ceo,
            title="Move tool-change records into the line's daily review",
            owner=members["contributor"],
            due_date=today + datetime.timedelta(days=30),
        )
    services_activities.activity_log(
        executive=cs_director,
        kind=ActivityKind.CUSTOMER_VISIT,
        occurred_on=today - datetime.timedelta(days=45),
        title="Visit to Northern Rail Systems",
        notes="Reviewed their scorecard with their supplier quality engineer; they ask for "
        "8D reports within 10 days.",
    )
    services_activities.activity_log(
        executive=ceo,
        kind=ActivityKind.TOWN_HALL,
        occurred_on=today - datetime.timedelta(days=75),
        org_unit=units["ACME"],
        title="Half-year town hall: quality and delivery",
        notes="Presented the objectives and the results; 9 questions taken, answers posted.",
    )
    services_activities.activity_log(
        executive=ops,
        kind=ActivityKind.TRAINING,
        occurred_on=today - datetime.timedelta(days=8),
        org_unit=units["LDS"],
        title="Problem-solving (8D) session for team leads",
        notes="Two hours with six team leads; worked through last month's complaint as the case.",
    )
    services_activities.activity_log(
        executive=ops,
        kind=ActivityKind.SUPPLIER_VISIT,
        occurred_on=today - datetime.timedelta(days=100),
        title="Audit visit to the heat-treatment supplier",
        notes="Furnace calibration records fine; agreed a quarterly review of rejects.",
    )


def _results_day(around: datetime.date) -> datetime.date:
    """The 10th of the first month of the quarter around `around`: results are announced ten
    days after the quarter they report on has ended."""
    return datetime.date(around.year, (around.month - 1) // 3 * 3 + 1, 10)


def _quarter_ended_before(day: datetime.date) -> datetime.date:
    """The last day of the last calendar quarter that ended before `day`."""
    first_of_quarter = datetime.date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    return first_of_quarter - datetime.timedelta(days=1)


def _read_some(announcement: Announcement, day: datetime.date, *, skip_unit) -> None:
    """Everyone was told on the day it was published (so the demo's first start does not
    e-mail months-old news); most recipients read it within days; a third of those in
    `skip_unit` never did."""
    receipts = list(AnnouncementRecipient.objects.filter(announcement=announcement).order_by("pk"))
    AnnouncementRecipient.objects.filter(announcement=announcement).update(notified_at=_at(day))
    for index, receipt in enumerate(receipts):
        if receipt.org_unit_id == skip_unit.pk and index % 3 == 0:
            continue
        read_at = min(_at(day + datetime.timedelta(days=index % 4), hour=10), timezone.now())
        AnnouncementRecipient.objects.filter(pk=receipt.pk).update(read_at=read_at)
