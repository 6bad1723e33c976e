"""A held review's agenda and minutes show the figures as they stood at the meeting: a meeting
recorded days later does not pick up the values, decisions and closures that came after it, and
nothing done after sign-off changes what the signed minutes say, on the page, the printable
minutes, the signed PDF, the API or the evidence pack (issue 21)."""

from __future__ import annotations

import datetime
import json
import subprocess
import zipfile
from decimal import Decimal

import pytest
import time_machine
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from leadership.services.resources import allocation_decide, allocation_request
from objectives import rollups
from objectives.services import measurement_record
from qms.core.actions.models import Action
from qms.core.actions.services import action_close
from qms.core.immutable import TransitionError
from reviews.models import ManagementReview
from reviews.services import management_reviews as s
from tests.objectives.factories import make_objective

pytestmark = pytest.mark.django_db

D = datetime.date
MEETING = D(2027, 2, 20)  # the second review's meeting day
RECORDED = D(2027, 3, 5)  # when the quality manager got round to recording it
AFTER_SIGN_OFF = D(2027, 3, 20)


def _at(day: datetime.date, hour: int = 10):
    moment = datetime.datetime.combine(day, datetime.time(hour))
    return time_machine.travel(timezone.make_aware(moment), tick=False)


def _record(objective, period_end: str, value: str, quinn, correcting=False) -> None:
    measurement_record(
        objective=objective,
        period_end=D.fromisoformat(period_end),
        value=Decimal(value),
        actor=quinn,
        reason="Corrected figure from the line." if correcting else "",
    )
    rollups.recompute_all(objective.organization_id, today=timezone.localdate())


@pytest.fixture
def signed(cast, members):
    """MR-002, held on 20 Feb 2027 and recorded on 5 Mar, after OBJ-01's January value was
    corrected, February's arrived, the resource request was approved and the first review's
    action was closed; signed off; then more changed."""
    quinn, alice, carl = members["quinn"], members["alice"], members["carl"]
    with _at(D(2027, 1, 10)):
        objective = make_objective(cast, code="OBJ-01", due_date=D(2027, 12, 31))
        first = s.review_plan(membership=quinn, planned_on=D(2027, 1, 10), title="Q4 review")
        s.review_hold(review=first, membership=quinn, held_on=D(2027, 1, 10))
        s.review_decision_add(
            review=first, membership=quinn, kind="improvement", text="Gauge line 2.",
            action_title="Fit gauges on line 2", owner=carl, accountable_executive=alice,
            due_date=D(2027, 4, 30),
        )  # fmt: skip
    with _at(D(2027, 2, 5)):
        _record(objective, "2027-01-31", "96", cast.quinn)  # green
        allocation = allocation_request(
            membership=quinn, kind="budget", title="Gauges", amount=Decimal("5000"),
            objective=objective, period_start=D(2027, 1, 1), period_end=D(2027, 12, 31),
        )  # fmt: skip
    review = s.review_plan(membership=quinn, planned_on=MEETING, title="Q1 review")
    with _at(RECORDED):
        # After the meeting, before it was recorded.
        _record(objective, "2027-01-31", "80", cast.quinn, correcting=True)  # red
        _record(objective, "2027-02-28", "70", cast.quinn)  # arrived: red
        allocation_decide(allocation=allocation, approver=alice, approve=True)
        gauges = Action.objects.get(title="Fit gauges on line 2")
        action_close(action=gauges, actor=carl, note="Fitted.")
        s.review_hold(review=review, membership=quinn, held_on=MEETING)
        s.review_record_update(review=review, membership=quinn, minutes="Discussed.")
        s.review_attendance_set(
            review=review, membership=quinn, attendee=alice, attendance="attended"
        )
        s.review_decision_add(
            review=review, membership=quinn, kind="improvement", text="Train the new team.",
            action_title="Train the new operators", owner=carl, accountable_executive=alice,
            due_date=D(2027, 5, 31),
        )  # fmt: skip
        s.review_sign_off(review=review, membership=alice)
    with _at(AFTER_SIGN_OFF):
        trained = Action.objects.get(title="Train the new operators")
        action_close(action=trained, actor=carl, note="Trained.")
        _record(objective, "2027-02-28", "60", cast.quinn, correcting=True)
    return ManagementReview.objects.get(pk=review.pk)


def _inputs(review) -> dict:
    return {i.key: i.data for i in review.inputs.all()}


def test_the_frozen_inputs_are_the_figures_of_the_meeting_day(signed):
    inputs = _inputs(signed)
    (row,) = inputs["c_objectives"]["objectives"]
    # January's value as entered before the meeting, not its later correction or February's.
    assert (row["value_text"], row["status"], row["period_end"]) == ("96.0%", "green", "2027-01-31")
    (measured,) = inputs["c_measurement"]["objectives"]
    assert measured["last_text"] == "96.0%"
    # The request was still waiting for its decision at the meeting.
    assert inputs["d_resources"]["pending_requests"] == 1
    assert inputs["d_resources"]["totals"][0]["approved"] == "0"
    # The first review's action was closed after the meeting: it was open then.
    (action,) = inputs["a_actions"]["actions"]
    assert (action["title"], action["status"]) == ("Fit gauges on line 2", "Open")


def test_the_page_print_view_and_api_show_the_meeting_day_figures(client, api_client, cast, signed):
    client.force_login(cast.alice)
    for name in ("detail", "print"):
        page = client.get(reverse(f"reviews:{name}", args=["acme-test", signed.number]))
        text = page.content.decode()
        assert "96.0%" in text and "70.0%" not in text and "80.0%" not in text, name
        assert "1 request awaiting a decision" in text, name
    # The page says what the signed minutes say, and where the action went since.
    page = client.get(reverse("reviews:detail", args=["acme-test", signed.number])).content.decode()
    assert "Open at sign-off, now done" in page
    api_client.force_authenticate(cast.alice)
    body = api_client.get(
        f"/api/v1/organizations/acme-test/management-reviews/{signed.number}/"
    ).json()
    objectives = next(i for i in body["inputs"] if i["key"] == "c_objectives")
    assert objectives["data"]["objectives"][0]["value_text"] == "96.0%"


def test_the_signed_pdf_reads_as_signed_whatever_happened_since(client, cast, signed, tmp_path):
    client.force_login(cast.alice)
    pdf = client.get(reverse("reviews:minutes-pdf", args=["acme-test", signed.number]))
    assert pdf.status_code == 200
    (tmp_path / "minutes.pdf").write_bytes(pdf.content)
    text = subprocess.run(
        ["pdftotext", "-layout", str(tmp_path / "minutes.pdf"), "-"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert "96.0%" in text and "70.0%" not in text and "60.0%" not in text
    # The action decided at the meeting, closed after sign-off, as it stood when signed.
    assert "Train the new operators" in text
    line = next(ln for ln in text.splitlines() if "Train the new operators" in ln)
    assert "(open)" in line and "(done)" not in line


def test_the_evidence_pack_carries_the_meeting_day_inputs(cast, signed, tmp_path):
    from qms.evidence import builder
    from qms.evidence.sections import Scope

    scope = Scope(cast.org_a, None, D(2027, 1, 1), AFTER_SIGN_OFF)
    with override_settings(
        MEDIA_ROOT=tmp_path / "media", EVIDENCE_SIGNING_KEY_FILE=str(tmp_path / "key.pem")
    ):
        built = builder.build(scope, tmp_path / "pack.zip", created_by="Test")
    with zipfile.ZipFile(built.path) as archive:
        inputs = json.loads(archive.read(f"9.3-management-reviews/{signed.reference}/inputs.json"))
    objectives = next(i for i in inputs if i["key"] == "c_objectives")
    assert objectives["data"]["objectives"][0]["value_text"] == "96.0%"


def test_a_signed_review_is_never_compiled_again(api_client, cast, members, signed):
    before = _inputs(signed)
    with pytest.raises(TransitionError):
        s.review_prepare(review=signed, membership=members["quinn"])
    api_client.force_authenticate(cast.quinn)
    refused = api_client.post(
        f"/api/v1/organizations/acme-test/management-reviews/{signed.number}/prepare/"
    )
    assert refused.status_code == 409
    assert _inputs(ManagementReview.objects.get(pk=signed.pk)) == before


def test_a_review_recorded_on_its_meeting_day_sees_everything_entered_that_day(cast, members):
    """As of the end of the meeting day: a value entered on the morning of the meeting is one
    the meeting saw, as the live status has it."""
    quinn = members["quinn"]
    with _at(D(2027, 2, 20), hour=9):
        objective = make_objective(cast, code="OBJ-02", due_date=D(2027, 12, 31))
        _record(objective, "2027-01-31", "90", cast.quinn)  # amber
        review = s.review_plan(membership=quinn, planned_on=MEETING)
    with _at(D(2027, 2, 20), hour=17):
        s.review_hold(review=review, membership=quinn, held_on=MEETING)
    (row,) = _inputs(review)["c_objectives"]["objectives"]
    objective.refresh_from_db()
    assert (
        (row["status"], row["value_text"])
        == (objective.current_status, "90.0%")
        == (
            "amber",
            "90.0%",
        )
    )


def test_the_demos_past_reviews_read_as_of_their_meeting_day():
    """The demo replays its history in one run: its signed reviews showed October's values in
    minutes of July, and the year's resource requests, decided and spent later, as if seen."""
    import re

    from leadership.models import ResourceSpend
    from objectives.as_of import end_of_day
    from tests.seeded import seeded_demo

    context = seeded_demo()
    signed = ManagementReview.objects.filter(
        organization=context.organization, status="signed_off"
    ).order_by("held_on")
    assert signed.count() == 6  # quarterly since mid-2025
    for review in signed:
        inputs = _inputs(review)
        meeting_end = end_of_day(review.held_on)
        rows = inputs["c_objectives"]["objectives"]
        assert rows and all(
            r["period_end"] is None or D.fromisoformat(r["period_end"]) < review.held_on
            for r in rows
        ), review.reference
        cited = set(re.findall(r"ACT-\d+", json.dumps(inputs)))
        later = Action.objects.filter(
            organization=context.organization,
            number__in=[int(c[4:]) for c in cited],
            created_at__gt=meeting_end,
        )
        assert not later.exists(), (review.reference, list(later))
        spent_by_then = ResourceSpend.objects.filter(
            organization=context.organization, date__lte=review.held_on
        ).exists()
        spent = [Decimal(t["spent"]) for t in inputs["d_resources"]["totals"]]
        assert spent_by_then or not any(spent), review.reference


def test_registers_in_a_held_review_are_as_they_stood_on_the_meeting_day(cast, members):
    """Past minutes showed today's state of the registers (try-out finding): a risk closed, a
    complaint closed and a process retired after the meeting read as closed and retired in
    minutes of a meeting where they were open and in use, and a process added since was listed."""
    from leadership.models import Process, Risk
    from qms.core.registers.definition import get_register
    from qms.core.registers.services import record_create, record_update
    from tests.reviews.factories import make_feedback

    quinn = members["quinn"]

    def add(key, record):
        return record_create(register=get_register(key), membership=quinn, record=record)

    def change(key, record, **fields):
        for name, value in fields.items():
            setattr(record, name, value)
        return record_update(register=get_register(key), membership=quinn, record=record)

    with _at(D(2027, 1, 10)):
        risk = add("risks", Risk(title="Programmer leaves", kind="risk", likelihood=3, impact=5,
                                 identified_on=D(2027, 1, 5)))  # fmt: skip
        complaint = make_feedback(cast, received_on=D(2027, 1, 8))
        machining = add("processes", Process(title="Machining", owner=members["carl"]))
        review = s.review_plan(membership=quinn, planned_on=MEETING, title="Q1 review")
    with _at(RECORDED):  # after the meeting, before it was recorded
        change(
            "risks", risk, status=Risk.Status.CLOSED, likelihood=1, reviewed_on=D(2027, 3, 1),
            effectiveness=Risk.Effectiveness.EFFECTIVE,
        )  # fmt: skip
        change("customer-feedback", complaint, status="closed")
        change("processes", machining, status=Process.Status.RETIRED)
        add("processes", Process(title="Dispatch"))
        s.review_hold(review=review, membership=quinn, held_on=MEETING)
    inputs = _inputs(review)
    assert inputs["e_risks"]["open_high"] == 1
    assert [r["title"] for r in inputs["e_risks"]["high_without_action"]] == ["Programmer leaves"]
    (listed,) = inputs["c_customers"]["complaint_list"]
    assert (listed["title"], listed["status"]) == ("Late delivery", "Open")
    assert [p["title"] for p in inputs["c_processes"]["processes"]] == ["Machining"]

    # The coming review, compiled today, reads the registers as they stand.
    with _at(AFTER_SIGN_OFF):
        coming = s.review_plan(membership=quinn, planned_on=D(2027, 4, 20), title="Q2 review")
        s.review_prepare(review=coming, membership=quinn)
    now = _inputs(ManagementReview.objects.get(pk=coming.pk))
    assert now["e_risks"]["open_high"] == 0
    assert [p["title"] for p in now["c_processes"]["processes"]] == ["Dispatch"]
