"""The communication plan: due dates from the recurrence, on-time status, the readiness summary,
recording a due date as done, and reminders to the communicator exactly once."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError

from leadership.communication import reminders, services
from leadership.communication.models import (
    Channel,
    CommunicationPlanItem,
    OccurrenceStatus,
    Recurrence,
    occurrence_status,
)
from leadership.communication.selectors import plan_for_evidence, plan_on_time_summary
from leadership.communication.selectors_plan import plan_rows
from qms.core.immutable import NotAllowed, TransitionError
from qms.core.notifications.models import Notification
from qms.core.notifications.services import reminders_run
from tests.factories import make_unit

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.mark.parametrize(
    ("recurrence", "starts_on", "expected"),
    [
        (Recurrence.ONCE, D(2026, 3, 1), [D(2026, 3, 1)]),
        (
            Recurrence.WEEKLY,
            D(2026, 2, 20),
            [D(2026, 3, 6), D(2026, 3, 13), D(2026, 3, 20), D(2026, 3, 27)],
        ),
        (Recurrence.MONTHLY, D(2025, 10, 31), [D(2026, 2, 28), D(2026, 3, 31)]),
        (Recurrence.QUARTERLY, D(2025, 9, 15), [D(2026, 3, 15)]),
        (Recurrence.YEARLY, D(2020, 3, 10), [D(2026, 3, 10)]),
    ],
)
def test_due_dates_follow_the_recurrence(recurrence, starts_on, expected):
    item = CommunicationPlanItem(recurrence=recurrence, starts_on=starts_on)
    assert item.due_dates(D(2026, 2, 28), D(2026, 3, 31)) == expected


def test_due_dates_stop_at_the_end_date():
    item = CommunicationPlanItem(
        recurrence=Recurrence.MONTHLY, starts_on=D(2026, 1, 5), ends_on=D(2026, 3, 4)
    )
    assert item.due_dates(D(2026, 1, 1), D(2026, 12, 31)) == [D(2026, 1, 5), D(2026, 2, 5)]


def test_status_of_a_due_date():
    today = D(2026, 3, 10)
    assert occurrence_status(D(2026, 3, 10), D(2026, 3, 10), today) == OccurrenceStatus.ON_TIME
    assert occurrence_status(D(2026, 3, 1), D(2026, 3, 2), today) == OccurrenceStatus.LATE
    assert occurrence_status(D(2026, 3, 1), None, today) == OccurrenceStatus.MISSED
    assert occurrence_status(D(2026, 3, 10), None, today) == OccurrenceStatus.DUE
    assert occurrence_status(D(2026, 3, 11), None, today) == OccurrenceStatus.UPCOMING


def test_on_time_summary_and_evidence_rows_on_known_data(cast, members, plan_item):
    # Monthly from 15 Jan 2026: Jan on time, Feb late, Mar missed, Apr upcoming on 1 Apr.
    services.plan_occurrence_mark_done(
        item=plan_item,
        due_on=D(2026, 1, 15),
        actor=members["carl"],
        note="Briefed",
        done_on=D(2026, 1, 15),
    )
    services.plan_occurrence_mark_done(
        item=plan_item,
        due_on=D(2026, 2, 15),
        actor=members["carl"],
        note="Late",
        done_on=D(2026, 2, 20),
    )
    summary = plan_on_time_summary(
        organization=cast.org_a, start=D(2026, 1, 1), end=D(2026, 4, 30), today=D(2026, 4, 1)
    )
    assert summary == (3, 1, 1, 1)
    assert (summary.due, summary.on_time, summary.late, summary.missed) == (3, 1, 1, 1)
    assert summary.rate == pytest.approx(1 / 3)
    rows = plan_for_evidence(
        organization=cast.org_a, start=D(2026, 1, 1), end=D(2026, 4, 30), today=D(2026, 4, 1)
    )
    assert [(r["due_on"], r["status"], r["done_on"]) for r in rows] == [
        ("2026-01-15", "Done on time", "2026-01-15"),
        ("2026-02-15", "Done late", "2026-02-20"),
        ("2026-03-15", "Missed", ""),
        ("2026-04-15", "Upcoming", ""),
    ]
    assert rows[0]["communicator"] == "Carl Test" and rows[0]["audience_units"] == "Everyone"


def test_nothing_due_gives_no_rate(cast):
    summary = plan_on_time_summary(organization=cast.org_a, start=D(2026, 1, 1), end=D(2026, 3, 1))
    assert summary.due == 0 and summary.rate is None


def test_evidence_for_a_unit_keeps_items_for_everyone_and_for_that_unit(cast, members, units):
    common = {
        "actor": members["quinn"],
        "recurrence": Recurrence.ONCE,
        "starts_on": D(2026, 2, 1),
        "channel": Channel.MEETING,
        "communicator": members["quinn"],
    }
    services.plan_item_create(topic="Everyone", **common)
    services.plan_item_create(topic="Plant", audience_units=[units["A1"]], **common)
    services.plan_item_create(topic="Company", audience_units=[units["A"]], **common)
    other = make_unit(cast.org_a, "Office", parent=units["A"], code="A2")
    services.plan_item_create(topic="Office", audience_units=[other], **common)
    units["A1"].refresh_from_db()  # sibling paths are kept in name order
    rows = plan_for_evidence(
        organization=cast.org_a, unit=units["A1"], start=D(2026, 1, 1), end=D(2026, 3, 1)
    )
    assert [r["topic"] for r in rows] == ["Company", "Everyone", "Plant"]


def test_recording_a_due_date_checks_role_date_and_note(members, plan_item):
    with pytest.raises(NotAllowed):
        services.plan_occurrence_mark_done(
            item=plan_item, due_on=D(2026, 1, 15), actor=members["audrey"], note="x"
        )
    with pytest.raises(ValidationError, match="not a due date"):
        services.plan_occurrence_mark_done(
            item=plan_item, due_on=D(2026, 1, 16), actor=members["carl"], note="x"
        )
    with pytest.raises(ValidationError, match="Say how"):
        services.plan_occurrence_mark_done(
            item=plan_item, due_on=D(2026, 1, 15), actor=members["carl"], note="  "
        )
    services.plan_occurrence_mark_done(
        item=plan_item, due_on=D(2026, 1, 15), actor=members["carl"], note="Done"
    )
    with pytest.raises(TransitionError, match="already recorded"):
        services.plan_occurrence_mark_done(
            item=plan_item, due_on=D(2026, 1, 15), actor=members["quinn"], note="Again"
        )


def test_only_plan_editors_create_items_and_the_communicator_must_be_staff(members):
    fields = {
        "topic": "x",
        "recurrence": Recurrence.MONTHLY,
        "starts_on": D(2026, 1, 1),
        "channel": Channel.MEETING,
    }
    with pytest.raises(NotAllowed):
        services.plan_item_create(actor=members["carl"], communicator=members["carl"], **fields)
    with pytest.raises(ValidationError, match="not an auditor"):
        services.plan_item_create(actor=members["quinn"], communicator=members["audrey"], **fields)
    assert not CommunicationPlanItem.objects.exists()


def test_the_communicator_is_reminded_before_a_due_date_and_when_missed_exactly_once(
    cast, members, plan_item
):
    # Due 15 Mar: reminded from 12 Mar (3 days before), once; missed on 16 Mar, once.
    for day in (D(2026, 3, 11), D(2026, 3, 12), D(2026, 3, 13), D(2026, 3, 15)):
        reminders_run(today=day, organization=cast.org_a)
    due = Notification.objects.filter(kind=reminders.DUE, recipient=members["carl"])
    assert list(due.values_list("occasion", flat=True)) == ["due-2026-03-15"]
    for day in (D(2026, 3, 16), D(2026, 3, 17)):
        reminders_run(today=day, organization=cast.org_a)
    missed = Notification.objects.filter(kind=reminders.MISSED, recipient=members["carl"])
    # 1 and 15 Feb were missed too (within the look-back window of the first run on 11 Mar).
    assert "missed-2026-03-15" in set(missed.values_list("occasion", flat=True))
    assert missed.filter(occasion="missed-2026-03-15").count() == 1


def test_a_due_date_done_early_is_not_reminded(cast, members, plan_item):
    services.plan_occurrence_mark_done(
        item=plan_item,
        due_on=D(2026, 3, 15),
        actor=members["carl"],
        note="Early",
        done_on=D(2026, 1, 1),
    )
    reminders_run(today=D(2026, 3, 13), organization=cast.org_a)
    reminders_run(today=D(2026, 3, 16), organization=cast.org_a)
    occasions = set(
        Notification.objects.filter(recipient=members["carl"]).values_list("occasion", flat=True)
    )
    assert not {"due-2026-03-15", "missed-2026-03-15"} & occasions


def test_plan_rows_use_a_fixed_number_of_queries(cast, members, django_assert_max_num_queries):
    for index in range(10):
        services.plan_item_create(
            actor=members["quinn"],
            topic=f"Item {index}",
            recurrence=Recurrence.WEEKLY,
            starts_on=D(2026, 1, 1),
            channel=Channel.MEETING,
            communicator=members["carl"],
        )
    with django_assert_max_num_queries(5):
        rows = plan_rows(organization=cast.org_a, start=D(2026, 1, 1), end=D(2026, 6, 30))
        assert sum(len(r.occurrences) for r in rows) == 10 * 26


def test_an_executives_digest_lists_the_communications_they_are_to_make(cast, members):
    from qms.core.notifications.digest import digest_body

    services.plan_item_create(
        actor=members["quinn"],
        topic="Quarter results",
        recurrence=Recurrence.MONTHLY,
        starts_on=D(2026, 1, 20),
        channel=Channel.TOWN_HALL,
        communicator=members["alice"],
    )
    body = digest_body(members["alice"], D(2026, 3, 16))
    assert "Communications you are to make" in body
    assert "Quarter results: due 20 Mar (Town hall)" in body
    assert "Quarter results: missed on 20 Feb" not in body  # beyond the look-back
    assert "Quarter results: missed on 20 Mar" in digest_body(members["alice"], D(2026, 3, 30))


def test_taking_an_item_out_of_the_plan_keeps_its_missed_dates_and_stops_later_ones(
    cast, members, plan_item
):
    # Monthly from 15 Jan; taken out on 20 Mar: Jan, Feb and Mar missed remain, April never due.
    with time_machine.travel(datetime.datetime(2026, 3, 20, 10, tzinfo=datetime.UTC), tick=False):
        services.plan_item_update(item=plan_item, actor=members["quinn"], is_active=False)
    plan_item.refresh_from_db()
    assert plan_item.deactivated_on == D(2026, 3, 20)
    summary = plan_on_time_summary(
        organization=cast.org_a, start=D(2026, 1, 1), end=D(2026, 6, 30), today=D(2026, 6, 30)
    )
    assert summary == (3, 0, 0, 3)
    assert not plan_rows(organization=cast.org_a, start=D(2026, 1, 1), end=D(2026, 6, 30))
    services.plan_item_update(item=plan_item, actor=members["quinn"], is_active=True)
    plan_item.refresh_from_db()
    assert plan_item.deactivated_on is None
