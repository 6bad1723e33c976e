"""Management reviews (ISO 9001 9.3): schedule, agenda compiled from the data and frozen when
held, decisions raising actions, sign-off lock and addenda."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError

from qms.core.actions.models import Action
from qms.core.immutable import ImmutableRecordError, NotAllowed, TransitionError
from reviews.models import ManagementReview, ReviewDecision, ReviewInput
from reviews.services import management_reviews as s
from tests.objectives.factories import make_objective
from tests.reviews.factories import make_feedback, make_nc

pytestmark = pytest.mark.django_db

D = datetime.date


Q1_PLANNED, Q1_HELD = D(2026, 3, 31), D(2026, 4, 14)


def _held(members, *, planned=Q1_PLANNED, held=Q1_HELD):
    review = s.review_plan(membership=members["quinn"], planned_on=planned, title="Q1 review")
    s.review_prepare(review=review, membership=members["quinn"], today=held)
    return s.review_hold(review=review, membership=members["quinn"], held_on=held, today=held)


def _signable(review, members):
    s.review_record_update(review=review, membership=members["quinn"], minutes="Discussed.")
    s.review_attendance_set(
        review=review, membership=members["quinn"], attendee=members["alice"],
        attendance="attended",
    )  # fmt: skip


def test_late_review_says_how_late(members):
    review = _held(members)
    assert review.timing_text() == "planned 31 Mar 2026, held 14 Apr 2026, 14 days late"
    on_time = s.review_plan(membership=members["quinn"], planned_on=D(2026, 6, 30))
    assert on_time.timing_text(D(2026, 7, 3)) == (
        "planned 30 Jun 2026, not held yet: 3 days overdue"
    )


def test_agenda_builds_itself_from_the_data_of_the_period(cast, members):
    make_objective(cast, code="OBJ-01")
    make_nc(cast, detected_on=D(2026, 2, 10), severity="major")
    make_nc(cast, title="Before the period", detected_on=D(2025, 10, 1), severity="minor")
    make_feedback(cast, received_on=D(2026, 2, 1))
    review = s.review_plan(membership=members["quinn"], planned_on=D(2026, 3, 31))
    s.review_prepare(review=review, membership=members["quinn"], today=D(2026, 3, 20))
    review.refresh_from_db()
    # No earlier review: the period is one quarter back from the planned date.
    assert (review.period_start, review.period_end) == (D(2026, 1, 1), D(2026, 3, 20))
    inputs = {i.key: i for i in review.inputs.all()}
    assert [i.clause for i in review.inputs.all()][:2] == ["9.3.2 a", "9.3.2 b"]
    assert inputs["c_nonconformities"].data["raised"] == 1
    assert inputs["c_nonconformities"].data["by_severity"]["major"] == 1
    assert inputs["c_customers"].data["complaints"] == 1
    assert inputs["c_objectives"].data["objectives"][0]["code"] == "OBJ-01"
    # Missing data is said, not hidden.
    assert not inputs["b_context"].has_data
    assert "register of internal and external issues" in inputs["b_context"].missing
    # Top management and the quality manager are invited.
    assert {a.membership.user.username for a in review.attendees.all()} == {"alice", "quinn"}


def test_the_next_review_covers_the_time_since_the_previous_one(members):
    _held(members)  # period ends on 14 Apr 2026
    review = s.review_plan(membership=members["quinn"], planned_on=D(2026, 6, 30))
    s.review_prepare(review=review, membership=members["quinn"], today=D(2026, 6, 25))
    review.refresh_from_db()
    assert review.period_start == D(2026, 4, 15)


def test_held_inputs_are_frozen_as_they_were(cast, members):
    make_nc(cast, detected_on=D(2026, 2, 10))
    review = _held(members)
    frozen = review.inputs.get(key="c_nonconformities").data
    make_nc(cast, title="Raised after", detected_on=D(2026, 2, 11))  # data changes later
    with pytest.raises(TransitionError, match="frozen"):
        s.review_prepare(review=review, membership=members["quinn"], today=D(2026, 5, 1))
    assert review.inputs.get(key="c_nonconformities").data == frozen
    assert frozen["raised"] == 1


def test_decisions_raise_actions_that_the_next_review_lists(members):
    review = _held(members)
    s.review_decision_add(
        review=review, membership=members["quinn"], kind="improvement",
        text="Add in-process gauging", action_title="Buy two bore gauges",
        owner=members["carl"], accountable_executive=members["alice"],
        due_date=D(2026, 5, 30), today=D(2026, 4, 14),
    )  # fmt: skip
    action = Action.objects.get()
    assert action.source == ReviewDecision.objects.get()
    nxt = s.review_plan(membership=members["quinn"], planned_on=D(2026, 6, 30))
    s.review_prepare(review=nxt, membership=members["quinn"], today=D(2026, 6, 1))
    previous = nxt.inputs.get(key="a_actions").data
    assert [a["title"] for a in previous["actions"]] == ["Buy two bore gauges"]
    assert previous["overdue"] == 1  # due 30 May, still open on 1 June
    assert (previous["total"], previous["open"]) == (1, 1)


def test_sign_off_locks_the_review_and_addenda_follow(members):
    review = _held(members)
    with pytest.raises(TransitionError, match="minutes"):
        s.review_sign_off(review=review, membership=members["alice"])
    _signable(review, members)
    with pytest.raises(NotAllowed):
        s.review_sign_off(review=review, membership=members["quinn"])
    s.review_sign_off(review=review, membership=members["alice"], comment="Agreed")
    review.refresh_from_db()
    assert review.is_locked and review.signed_off_by == members["alice"]
    with pytest.raises(TransitionError, match="signed off"):
        s.review_record_update(review=review, membership=members["quinn"], minutes="Changed")
    # Even bypassing the services, the database record does not change.
    review.minutes = "Changed"
    with pytest.raises(ImmutableRecordError):
        review.save()
    item = ReviewInput.objects.filter(review=review).first()
    item.commentary = "Changed"
    with pytest.raises(ImmutableRecordError):
        item.save()
    assert ManagementReview.objects.get(pk=review.pk).minutes == "Discussed."
    s.review_addendum_add(review=review, membership=members["quinn"], text="Typo in item 3.")
    assert review.addenda.count() == 1


def test_sign_off_needs_top_management_present(members):
    review = _held(members)
    s.review_record_update(review=review, membership=members["quinn"], minutes="Discussed.")
    with pytest.raises(TransitionError, match="top management attended"):
        s.review_sign_off(review=review, membership=members["alice"])


def test_a_schedule_plans_the_next_review_when_one_is_held_or_skipped(members):
    schedule = s.schedule_create(
        membership=members["quinn"], title="Quarterly review", interval_months=3,
        first_planned_on=D(2026, 1, 31),
    )  # fmt: skip
    first = schedule.reviews.get()
    s.review_prepare(review=first, membership=members["quinn"], today=D(2026, 2, 2))
    s.review_hold(
        review=first, membership=members["quinn"], held_on=D(2026, 2, 2), today=D(2026, 2, 2)
    )
    second = schedule.reviews.get(planned_on=D(2026, 4, 30))  # 31 Jan + 3 months, month end
    s.review_skip(review=second, membership=members["quinn"], reason="Site move")
    assert schedule.reviews.filter(planned_on=D(2026, 7, 30)).exists()
    assert schedule.reviews.count() == 3


@pytest.mark.parametrize("username", ["carl", "audrey"])
def test_contributors_and_auditors_cannot_run_reviews(members, username):
    with pytest.raises(NotAllowed):
        s.review_plan(membership=members[username], planned_on=D(2026, 3, 31))


def test_a_review_cannot_be_held_in_the_future(members):
    review = s.review_plan(membership=members["quinn"], planned_on=D(2026, 3, 31))
    with (
        time_machine.travel(datetime.datetime(2026, 3, 1, 12, tzinfo=datetime.UTC)),
        pytest.raises(ValidationError),
    ):
        s.review_hold(review=review, membership=members["quinn"], held_on=D(2026, 3, 31))


def test_a_units_review_looks_at_its_subtree(cast, members):
    from qms.core.models import OrgUnit

    plant = OrgUnit.objects.get(organization=cast.org_a, code="A1")
    root = OrgUnit.objects.get(organization=cast.org_a, code="A")
    make_objective(cast, code="OBJ-PLANT", unit=plant)
    make_objective(cast, code="OBJ-HQ", unit=root)
    make_nc(cast, detected_on=D(2026, 2, 10), org_unit=plant)
    make_nc(cast, title="At head office", detected_on=D(2026, 2, 11), org_unit=root)
    review = s.review_plan(membership=members["quinn"], planned_on=D(2026, 3, 31), org_unit=plant)
    s.review_prepare(review=review, membership=members["quinn"], today=D(2026, 3, 20))
    inputs = {i.key: i.data for i in review.inputs.all()}
    assert [o["code"] for o in inputs["c_objectives"]["objectives"]] == ["OBJ-PLANT"]
    assert inputs["c_nonconformities"]["raised"] == 1
    # The whole organisation's review sees both.
    whole = s.review_plan(membership=members["quinn"], planned_on=D(2026, 3, 31))
    s.review_prepare(review=whole, membership=members["quinn"], today=D(2026, 3, 20))
    assert whole.inputs.get(key="c_nonconformities").data["raised"] == 2
