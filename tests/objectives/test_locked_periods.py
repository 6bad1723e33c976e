"""A held management review protects what it saw: a value it saw is changed only by a quality
manager with a reason; a value it saw as missing is still accepted from its owner, by the form,
the API and an import alike. Only periods that have ended take a value, and an owner may
correct or withdraw a value no review has seen yet."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from objectives.imports import measurements_import
from objectives.models import LockedCorrection, Measurement, RedFollowUp
from objectives.red_follow_ups import periods_lock
from objectives.rollups import recompute_objective
from objectives.services import measurement_record
from qms.core.models import Membership
from tests.objectives.factories import add_values, make_objective
from tests.page_forms import log_kpi_value

pytestmark = pytest.mark.django_db

D = datetime.date
# Today is 10 November 2026: November has not ended. Review MR-3 was held on 15 October over
# the periods to that day: it saw August's value, and September's as missing (not yet due).
TODAY = D(2026, 11, 10)
AUG, SEP, OCT, NOV = D(2026, 8, 31), D(2026, 9, 30), D(2026, 10, 31), D(2026, 11, 30)
SEEN = "The August 2026 value of OBJ-07 was seen by review MR-3 on 15 Oct 2026"


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(datetime.datetime(2026, 11, 10, 12, tzinfo=datetime.UTC), tick=False):
        yield


@pytest.fixture
def objective(cast):
    objective = make_objective(
        cast, code="OBJ-07", owner=Membership.objects.get(user=cast.carl, organization=cast.org_a)
    )
    add_values(objective, {"2026-07-31": 96, "2026-08-31": 96})
    periods_lock(organization=cast.org_a, through=D(2026, 10, 15), review_reference="MR-3",
                 held_on=D(2026, 10, 15))  # fmt: skip
    return objective


def log_url(code="OBJ-07"):
    return reverse("objectives:log", args=["acme-test", code])


def api_url():
    return reverse("measurement-list", kwargs={"org_slug": "acme-test"})


def _import(cast, text, user=None):
    rows = [
        (number, dict(zip(["objective_code", "period_end", "value"], line.split(","), strict=True)))
        for number, line in enumerate(text.strip().splitlines(), start=2)
    ]
    return measurements_import(organization=cast.org_a, rows=rows, user=user or cast.carl)


# --- a value the review saw as missing is accepted --------------------------------------------


def test_owner_logs_in_the_form_a_value_the_review_saw_as_missing(client, cast, objective):
    client.force_login(cast.carl)
    response = client.post(log_url(), {"period_end": SEP.isoformat(), "value": "97"})
    assert response.status_code == 302
    assert Measurement.objects.get(objective=objective, period_end=SEP).value == Decimal("97")


def test_owner_sends_through_the_api_a_value_the_review_saw_as_missing(api_client, cast, objective):
    api_client.force_authenticate(cast.carl)
    response = api_client.post(
        api_url(), {"objective": "OBJ-07", "period_end": SEP.isoformat(), "value": "97"}
    )
    assert response.status_code == 201, response.json()


def test_a_new_objectives_history_imports_for_periods_an_earlier_review_covered(cast, objective):
    make_objective(cast, code="OBJ-20")
    result = _import(cast, "OBJ-20,2026-07-31,90\nOBJ-20,2026-08-31,91\nOBJ-07,2026-09-30,97")
    assert result.error_count == 0, result.errors
    assert result.created == 3


def test_the_owner_corrects_a_value_that_arrived_after_the_review(client, cast, objective):
    client.force_login(cast.carl)
    client.post(log_url(), {"period_end": SEP.isoformat(), "value": "97"})
    correction = {"period_end": SEP.isoformat(), "value": "98", "reason": "Typo"}
    response = log_kpi_value(client, "acme-test", "OBJ-07", correction)
    assert response.status_code == 302
    assert Measurement.objects.get(objective=objective, period_end=SEP).value == Decimal("98")
    assert not LockedCorrection.objects.exists()  # no review saw it: not a correction of one


# --- a value the review saw is changed only by a quality manager, with a reason ----------------


def test_the_form_refuses_the_owner_a_change_of_a_value_the_review_saw(client, cast, objective):
    client.force_login(cast.carl)
    response = client.post(log_url(), {"period_end": AUG.isoformat(), "value": "90"})
    assert response.status_code == 400
    assert f"{SEEN}; changing it needs a quality manager and a reason." in (
        response.content.decode().replace("&#x27;", "'")
    )
    assert Measurement.objects.get(objective=objective, period_end=AUG).value == Decimal("96")


def test_the_api_refuses_the_owner_and_lets_a_quality_manager_correct_with_a_reason(
    api_client, cast, objective
):
    body = {"objective": "OBJ-07", "period_end": AUG.isoformat(), "value": "90"}
    api_client.force_authenticate(cast.carl)
    refused = api_client.post(api_url(), body)
    assert refused.status_code == 400
    assert refused.json()["period_end"] == [
        f"{SEEN}; changing it needs a quality manager and a reason."
    ]
    api_client.force_authenticate(cast.quinn)
    assert api_client.post(api_url(), body).json()["reason"] == [
        f"{SEEN}; say why it is corrected."
    ]
    # A correction names the value it corrects: its ETag, from GET of the value.
    seen = Measurement.objects.get(objective=objective, period_end=AUG)
    etag = api_client.get(f"{api_url()}{seen.pk}/")["ETag"]
    corrected = api_client.post(api_url(), {**body, "reason": "Recount"}, HTTP_IF_MATCH=etag)
    assert corrected.status_code == 200
    correction = LockedCorrection.objects.get()
    assert (correction.before, correction.after, correction.reason) == (96, 90, "Recount")


def test_an_import_refuses_a_change_of_a_value_the_review_saw(cast, objective):
    result = _import(cast, "OBJ-07,2026-08-31,90\nOBJ-07,2026-09-30,97", user=cast.quinn)
    assert result.created == 0
    assert [e["row"] for e in result.errors] == [2]
    assert SEEN in result.errors[0]["message"]


def test_the_next_review_sees_what_arrived_after_and_protects_it_from_then(cast, objective):
    measurement_record(objective=objective, period_end=SEP, value=Decimal("97"), actor=cast.carl)
    periods_lock(organization=cast.org_a, through=D(2026, 11, 10), review_reference="MR-4",
                 held_on=TODAY)  # fmt: skip
    assert Measurement.objects.get(period_end=SEP).seen_in.review_reference == "MR-4"
    with pytest.raises(Exception, match="seen by review MR-4 on 10 Nov 2026"):
        measurement_record(
            objective=objective, period_end=SEP, value=Decimal("91"), actor=cast.carl
        )


# --- only ended periods; the form offers the one waiting for its value -------------------------


def test_the_form_offers_only_ended_periods_and_preselects_the_latest_missing_one(
    client, cast, objective
):
    add_values(objective, {"2026-10-31": 96})
    client.force_login(cast.carl)
    page = client.get(reverse("objectives:detail", args=["acme-test", "OBJ-07"])).content.decode()
    assert 'value="2026-11-30"' not in page
    # October has its value; September is the latest ended period without one.
    assert '<option value="2026-09-30" selected>September 2026</option>' in page
    assert '<option value="2026-10-31">October 2026 (has a value)</option>' in page


def test_the_form_refuses_a_period_that_has_not_ended(client, cast, objective):
    client.force_login(cast.carl)
    response = client.post(log_url(), {"period_end": NOV.isoformat(), "value": "97"})
    assert response.status_code == 400
    assert "Choose one of the periods offered" in response.content.decode()
    assert not Measurement.objects.filter(period_end=NOV).exists()


def test_the_api_refuses_a_period_that_has_not_ended(api_client, cast, objective):
    api_client.force_authenticate(cast.carl)
    response = api_client.post(
        api_url(), {"objective": "OBJ-07", "period_end": NOV.isoformat(), "value": "97"}
    )
    assert response.status_code == 400
    assert response.json()["period_end"] == [
        "November 2026 has not ended yet: the value of OBJ-07 for it can be recorded from "
        "1 Dec 2026."
    ]


def test_an_import_refuses_a_period_that_has_not_ended(cast, objective):
    result = _import(cast, "OBJ-07,2026-10-31,97\nOBJ-07,2026-11-30,97")
    assert result.created == 0
    assert [e["row"] for e in result.errors] == [3]
    assert "November 2026 has not ended yet" in result.errors[0]["message"]


# --- withdrawing a value no review has seen ---------------------------------------------------


def test_the_owner_withdraws_an_early_red_value_and_logs_the_real_previous_one(
    client, cast, objective, django_capture_on_commit_callbacks
):
    # Logged before this rule existed: November's value, red, for a month not over.
    add_values(objective, {"2026-11-30": 50})
    RedFollowUp.objects.create(organization=cast.org_a, objective=objective, period_end=NOV,
                               value=Decimal("50"))  # fmt: skip
    recompute_objective(objective.id)
    objective.refresh_from_db()
    # September's and October's values are overdue: the early November value does not hide
    # them (overdue is per period, issue 21), so the objective reads "no data", not red.
    assert (objective.current_period_end, objective.current_status) == (NOV, "no_data")
    client.force_login(cast.carl)
    refused = client.post(log_url(), {"period_end": NOV.isoformat(), "withdraw": "1"})
    assert refused.status_code == 400
    assert "Say why the November 2026 value is withdrawn." in refused.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            log_url(),
            {"period_end": NOV.isoformat(), "withdraw": "1", "reason": "Month not over"},
        )
    assert response.status_code == 302
    assert not Measurement.objects.filter(period_end=NOV).exists()
    assert not RedFollowUp.objects.exists()
    gone = Measurement.history.get(period_end=NOV, history_type="-")
    assert (gone.value, gone.history_user, gone.history_change_reason) == (
        Decimal("50"),
        cast.carl,
        "Withdrawn: Month not over",
    )
    # The audit trail names the withdrawn value as people call it, not "measurement #541".
    from qms.core import audit

    named = {e.object_repr for e in audit.organization_trail(cast.org_a.pk, limit=50)}
    assert "OBJ-07 November 2026: 50.0%" in named, named
    objective.refresh_from_db()
    assert objective.current_period_end == AUG
    # The real previous value is accepted again.
    assert client.post(log_url(), {"period_end": OCT.isoformat(), "value": "96"}).status_code == 302


def test_a_value_the_review_saw_cannot_be_withdrawn(client, cast, objective):
    client.force_login(cast.carl)
    response = client.post(
        log_url(), {"period_end": AUG.isoformat(), "withdraw": "1", "reason": "Wrong"}
    )
    assert response.status_code == 400
    assert f"{SEEN}: it cannot be withdrawn" in response.content.decode().replace("&#x27;", "'")
    assert Measurement.objects.filter(period_end=AUG).exists()


def test_the_owner_corrects_or_withdraws_the_red_value_waiting_for_an_explanation(
    client, cast, objective, django_capture_on_commit_callbacks
):
    """Found by the try-out: an owner's typo that turned the objective red (with an action
    already open on it, so no proposal: "covered") could be neither corrected nor withdrawn
    and logged again: every value waited for an explanation of a value that was gone."""
    from objectives.models import ProposalStatus

    add_values(objective, {OCT.isoformat(): 50})
    covered = {"proposal_status": ProposalStatus.COVERED, "value": Decimal("50")}
    RedFollowUp.objects.create(
        organization=cast.org_a, objective=objective, period_end=OCT, **covered
    )
    client.force_login(cast.carl)
    with django_capture_on_commit_callbacks(execute=True):
        corrected = log_kpi_value(
            client, "acme-test", "OBJ-07", {"period_end": OCT.isoformat(), "value": "95"}
        )
    assert corrected.status_code == 302
    assert Measurement.objects.get(period_end=OCT).value == 95
    assert not RedFollowUp.objects.filter(period_end=OCT).exists()
    # The same with a withdrawal, then the right value logged again.
    Measurement.objects.filter(period_end=OCT).update(value=50)
    RedFollowUp.objects.create(
        organization=cast.org_a, objective=objective, period_end=OCT, **covered
    )
    with django_capture_on_commit_callbacks(execute=True):
        withdrawn = client.post(
            log_url(), {"period_end": OCT.isoformat(), "withdraw": "1", "reason": "Typo"}
        )
    assert withdrawn.status_code == 302 and not RedFollowUp.objects.filter(period_end=OCT)
    logged = client.post(log_url(), {"period_end": OCT.isoformat(), "value": "95"})
    assert logged.status_code == 302
    # Another period still waits for the explanation while one is pending.
    RedFollowUp.objects.create(organization=cast.org_a, objective=objective, period_end=OCT,
                               value=Decimal("50"))  # fmt: skip
    refused = client.post(log_url(), {"period_end": NOV.isoformat(), "value": "96"})
    assert refused.status_code == 400


def test_withdrawing_the_red_value_marks_its_notifications_done(
    client, cast, objective, django_capture_on_commit_callbacks
):
    """Found by the try-out: after the owner withdrew the value that made a month red, "OBJ-04
    is off track again: say why" still waited on the notifications page, for a value gone."""
    from qms.core.notifications.models import Notification

    client.force_login(cast.carl)
    with django_capture_on_commit_callbacks(execute=True):
        logged = client.post(log_url(), {"period_end": OCT.isoformat(), "value": "50"})
    assert logged.status_code == 302
    follow_up = RedFollowUp.objects.get(objective=objective, period_end=OCT)
    asked = Notification.objects.filter(subject_id=follow_up.pk, kind__startswith="objective")
    assert asked.filter(resolved_at__isnull=True).count() >= 1
    with django_capture_on_commit_callbacks(execute=True):
        withdrawn = client.post(
            log_url(), {"period_end": OCT.isoformat(), "withdraw": "1", "reason": "Typo"}
        )
    assert withdrawn.status_code == 302
    assert asked.exists() and not asked.filter(resolved_at__isnull=True).exists()
    page = client.get(reverse("core:notifications", args=["acme-test"])).content.decode()
    assert "Done" in page
