"""Closing the loop on red: the owner explains, the executive decides on a corrective action,
values wait for the explanation; periods a review used are corrected only by a quality manager
with a reason, and the next review is told."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from objectives.imports import validate_rows
from objectives.models import LockedCorrection, ObjectiveRules, RedFollowUp
from objectives.periods import latest_due_period_end, previous_period_end
from objectives.red_follow_ups import (
    periods_lock,
    red_follow_up_accept,
    red_follow_up_dismiss,
    red_follow_up_explain,
)
from objectives.services import measurement_record
from qms.core.actions.models import Action
from qms.core.immutable import NotAllowed, TransitionError
from qms.core.models import Membership
from qms.core.notifications.models import Notification
from tests.objectives.factories import make_objective

pytestmark = pytest.mark.django_db


@pytest.fixture
def m(cast):
    return {u: Membership.objects.get(user=getattr(cast, u), organization=cast.org_a)
            for u in ("alice", "quinn", "carl", "adam")}  # fmt: skip


@pytest.fixture
def objective(cast, m):
    return make_objective(cast, code="OBJ-01", owner=m["carl"], accountable_executive=m["alice"],
                          start_date=datetime.date(2025, 1, 1))  # fmt: skip


def _ends():
    latest = latest_due_period_end("monthly", 10, timezone.localdate())
    return previous_period_end("monthly", latest), latest


def _record(capture, objective, end, value, actor, reason=""):
    with capture(execute=True):
        return measurement_record(objective=objective, period_end=end, value=Decimal(value),
                                  actor=actor, reason=reason)  # fmt: skip


def test_turning_red_asks_the_owner_and_proposes_an_action_once(
    cast, m, objective, django_capture_on_commit_callbacks
):
    earlier, latest = _ends()
    _record(django_capture_on_commit_callbacks, objective, latest, "70", cast.carl)
    follow_up = RedFollowUp.objects.get()
    assert (follow_up.period_end, follow_up.value, follow_up.consecutive) == (latest, 70, False)
    kinds = set(Notification.objects.values_list("recipient__user__username", "kind"))
    assert kinds >= {("carl", "objective_red_explain"), ("alice", "objective_corrective_proposal")}
    # Not explained yet: the next value waits, in a sentence.
    with pytest.raises(ValidationError, match="explains why"):
        _record(django_capture_on_commit_callbacks, objective, earlier, "96", cast.carl)
    red_follow_up_explain(follow_up=follow_up, membership=m["carl"],
                          explanation="Supplier strike", next_step="Second source")  # fmt: skip
    _record(django_capture_on_commit_callbacks, objective, earlier, "96", cast.carl)
    assert RedFollowUp.objects.count() == 1  # still red, same period: nothing new


def test_the_rule_can_be_switched_off_by_an_administrator(
    cast, m, objective, django_capture_on_commit_callbacks
):
    earlier, latest = _ends()
    _record(django_capture_on_commit_callbacks, objective, latest, "70", cast.carl)
    ObjectiveRules.objects.create(organization=cast.org_a, red_explanation_required=False)
    _record(django_capture_on_commit_callbacks, objective, earlier, "96", cast.carl)


def test_red_again_in_a_new_period_is_followed_up_again(
    cast, m, objective, django_capture_on_commit_callbacks
):
    earlier, latest = _ends()
    # The day the earlier period's value fell due, it was the latest one due.
    due_day = earlier + datetime.timedelta(days=objective.data_due_days)
    with time_machine.travel(datetime.datetime.combine(due_day, datetime.time(12), datetime.UTC)):
        assert latest_due_period_end("monthly", 10, timezone.localdate()) == earlier
        _record(django_capture_on_commit_callbacks, objective, earlier, "70", cast.carl)
    first = RedFollowUp.objects.get()
    assert (first.period_end, first.consecutive) == (earlier, False)
    red_follow_up_explain(follow_up=first, membership=m["carl"],
                          explanation="Strike", next_step="Wait")  # fmt: skip
    _record(django_capture_on_commit_callbacks, objective, latest, "71", cast.carl)
    again = RedFollowUp.objects.get(period_end=latest)
    assert again.consecutive is True


def test_the_executive_accepts_an_action_or_dismisses_with_a_reason(
    cast, m, objective, django_capture_on_commit_callbacks
):
    _, latest = _ends()
    _record(django_capture_on_commit_callbacks, objective, latest, "70", cast.carl)
    follow_up = RedFollowUp.objects.get()
    due = timezone.localdate() + datetime.timedelta(days=20)
    with pytest.raises(NotAllowed):
        red_follow_up_accept(follow_up=follow_up, membership=m["quinn"], title="X",
                             owner=m["carl"], due_date=due)  # fmt: skip
    with pytest.raises(ValidationError):
        red_follow_up_dismiss(follow_up=follow_up, membership=m["alice"], reason="  ")
    red_follow_up_accept(follow_up=follow_up, membership=m["alice"], title="Qualify a supplier",
                         owner=m["carl"], due_date=due)  # fmt: skip
    follow_up.refresh_from_db()
    action = Action.objects.get()
    assert follow_up.action == action and action.source == objective
    assert (action.accountable_executive, action.owner) == (m["alice"], m["carl"])
    with pytest.raises(TransitionError):
        red_follow_up_dismiss(follow_up=follow_up, membership=m["alice"], reason="Changed mind")


def test_a_period_a_review_used_is_corrected_only_by_a_quality_manager_with_a_reason(
    cast, m, objective, django_capture_on_commit_callbacks
):
    earlier, latest = _ends()
    _record(django_capture_on_commit_callbacks, objective, earlier, "95", cast.carl)
    periods_lock(organization=cast.org_a, through=earlier, review_reference="MR-004")
    with pytest.raises(
        ValidationError,
        match=r"seen by review MR-004 on .*; changing it needs a quality manager and a reason",
    ):
        _record(django_capture_on_commit_callbacks, objective, earlier, "96", cast.carl)
    with pytest.raises(ValidationError, match="say why it is corrected"):
        _record(django_capture_on_commit_callbacks, objective, earlier, "96", cast.quinn)
    _record(django_capture_on_commit_callbacks, objective, earlier, "96", cast.quinn,
            reason="Meter recalibrated")  # fmt: skip
    correction = LockedCorrection.objects.get()
    assert (correction.before, correction.after, correction.reason) == (
        Decimal("95"),
        Decimal("96"),
        "Meter recalibrated",
    )
    _record(django_capture_on_commit_callbacks, objective, latest, "97", cast.carl)  # not locked


def test_an_import_may_repeat_a_locked_value_but_not_change_it(
    cast, m, objective, django_capture_on_commit_callbacks
):
    earlier, latest = _ends()
    _record(django_capture_on_commit_callbacks, objective, earlier, "95", cast.carl)
    periods_lock(organization=cast.org_a, through=earlier, review_reference="MR-004")
    rows = [
        (2, {"objective_code": "OBJ-01", "period_end": earlier.isoformat(), "value": "95"}),
        (3, {"objective_code": "OBJ-01", "period_end": latest.isoformat(), "value": "96"}),
    ]
    valid, errors, count = validate_rows(organization=cast.org_a, rows=rows)
    assert count == 0 and len(valid) == 2
    rows[0] = (2, {"objective_code": "OBJ-01", "period_end": earlier.isoformat(), "value": "90"})
    valid, errors, count = validate_rows(organization=cast.org_a, rows=rows)
    assert count == 1
    assert "was seen by review MR-004" in errors[0]["message"] and errors[0]["row"] == 2


def test_the_objective_page_explains_and_decides(
    client, cast, m, objective, django_capture_on_commit_callbacks
):
    _, latest = _ends()
    _record(django_capture_on_commit_callbacks, objective, latest, "70", cast.carl)
    follow_up = RedFollowUp.objects.get()
    page = reverse("objectives:detail", args=["acme-test", "OBJ-01"])
    client.force_login(cast.carl)
    assert "Record the explanation" in client.get(page).content.decode()
    explain = reverse("objectives:red-explain", args=["acme-test", "OBJ-01", follow_up.pk])
    client.post(explain, {"explanation": "", "next_step": ""})
    follow_up.refresh_from_db()
    assert follow_up.explanation == ""
    client.post(explain, {"explanation": "Strike", "next_step": "Second source"})
    follow_up.refresh_from_db()
    assert follow_up.explanation == "Strike"
    accept = reverse("objectives:red-accept", args=["acme-test", "OBJ-01", follow_up.pk])
    due = (timezone.localdate() + datetime.timedelta(days=9)).isoformat()
    data = {"title": "Second source", "owner": m["carl"].pk, "due_date": due}
    assert client.post(accept, data).status_code == 403  # a contributor does not decide
    client.force_login(cast.alice)
    client.post(accept, data)
    assert Action.objects.filter(title="Second source").exists()
    client.force_login(cast.bob)
    assert client.post(accept, data).status_code == 404


def test_only_administrators_switch_the_rule(client, cast):
    url = reverse("objectives:rules", args=["acme-test"])
    client.force_login(cast.quinn)
    assert client.get(url).status_code == 403
    client.force_login(cast.adam)
    client.post(url, {})  # unticked: off
    assert ObjectiveRules.objects.get(organization=cast.org_a).red_explanation_required is False


def test_no_action_is_proposed_when_one_is_already_open_on_the_objective(
    client, cast, m, objective, django_capture_on_commit_callbacks
):
    from qms.core.actions.services import action_create

    raised = action_create(
        organization=cast.org_a, raised_by=m["quinn"], title="Second source for resin",
        owner=m["carl"], accountable_executive=m["alice"],
        due_date=timezone.localdate() + datetime.timedelta(days=30), source=objective,
    )  # fmt: skip
    _, latest = _ends()
    _record(django_capture_on_commit_callbacks, objective, latest, "70", cast.carl)
    follow_up = RedFollowUp.objects.get()
    assert (follow_up.proposal_status, follow_up.action) == ("covered", raised)
    kinds = set(Notification.objects.values_list("recipient__user__username", "kind"))
    assert ("carl", "objective_red_explain") in kinds  # the owner still says why
    assert ("alice", "objective_corrective_proposal") not in kinds
    page = reverse("objectives:detail", args=["acme-test", "OBJ-01"])
    client.force_login(cast.alice)
    text = client.get(page).content.decode()
    assert "An action is already open on this objective" in text
    assert "Accept the corrective action" not in text


def test_a_red_value_corrected_to_on_track_closes_the_waiting_proposal(
    cast, m, objective, django_capture_on_commit_callbacks
):
    """Found by the try-out: a red October corrected to "at risk" kept "Corrective action
    proposed" in the executive's bell, digest and the next agenda's "Off track" list."""
    _, latest = _ends()
    _record(django_capture_on_commit_callbacks, objective, latest, "70", cast.carl)
    follow_up = RedFollowUp.objects.get()
    red_follow_up_explain(follow_up=follow_up, membership=m["carl"],
                          explanation="Miscounted", next_step="Recount")  # fmt: skip
    _record(django_capture_on_commit_callbacks, objective, latest, "96", cast.quinn,
            reason="Recount")  # fmt: skip
    follow_up.refresh_from_db()
    assert follow_up.proposal_status == RedFollowUp.ProposalStatus.DISMISSED
    assert "no longer off track" in follow_up.dismissal_reason
    assert follow_up.explanation == "Miscounted"  # the owner's explanation stays on record
    waiting = Notification.objects.filter(
        recipient=m["alice"], kind="objective_corrective_proposal", read_at__isnull=True
    )
    assert not waiting.exists()
