"""The API withdraws a KPI value as the objective's page does: its owner (or a quality
manager), with a reason, audited, while no management review has seen it."""

import datetime

import pytest
from django.urls import reverse

from objectives.models import Measurement
from objectives.red_follow_ups import periods_lock
from qms.core.models import Membership
from tests.objectives.factories import add_values, make_objective

pytestmark = pytest.mark.django_db


@pytest.fixture
def value(cast):
    objective = make_objective(
        cast, code="OBJ-07", owner=Membership.objects.get(user=cast.carl, organization=cast.org_a)
    )
    add_values(objective, {"2025-03-31": 90})
    return Measurement.objects.get(objective=objective)


def withdraw_url(pk, org="acme-test"):
    return reverse("measurement-withdraw", kwargs={"org_slug": org, "pk": pk})


def test_the_owner_withdraws_a_value_with_a_reason_kept_in_the_trail(api_client, cast, value):
    api_client.force_authenticate(cast.carl)
    response = api_client.post(
        withdraw_url(value.pk), {"reason": "Logged for the wrong month"}, format="json"
    )
    assert response.status_code == 204
    assert not Measurement.objects.filter(pk=value.pk).exists()
    last = Measurement.history.filter(id=value.pk).order_by("-history_date").first()
    assert last.history_type == "-" and last.history_user == cast.carl
    assert last.history_change_reason == "Withdrawn: Logged for the wrong month"


def test_a_withdrawal_needs_a_reason(api_client, cast, value):
    api_client.force_authenticate(cast.carl)
    response = api_client.post(withdraw_url(value.pk), {"reason": ""}, format="json")
    assert response.status_code == 400 and "reason" in response.json()
    assert Measurement.objects.filter(pk=value.pk).exists()


def test_a_value_a_review_saw_is_not_withdrawn(api_client, cast, value):
    periods_lock(organization=cast.org_a, through=datetime.date(2025, 4, 15),
                 review_reference="MR-3", held_on=datetime.date(2025, 4, 15))  # fmt: skip
    api_client.force_authenticate(cast.carl)
    response = api_client.post(withdraw_url(value.pk), {"reason": "Typo"}, format="json")
    assert response.status_code == 409
    detail = response.json()["detail"]
    assert "was seen by review MR-3 on 15 Apr 2025: it cannot be withdrawn" in detail
    assert Measurement.objects.filter(pk=value.pk).exists()


@pytest.mark.parametrize("username", ["alice", "audrey"])
def test_others_may_not_withdraw(api_client, cast, value, username):
    api_client.force_authenticate(getattr(cast, username))
    response = api_client.post(withdraw_url(value.pk), {"reason": "Typo"}, format="json")
    assert response.status_code == 403
    assert Measurement.objects.filter(pk=value.pk).exists()


def test_another_organisations_value_is_404(api_client, cast, value):
    api_client.force_authenticate(cast.bob)
    response = api_client.post(withdraw_url(value.pk, "beta-rival"), {"reason": "x"})
    assert response.status_code == 404
    assert Measurement.objects.filter(pk=value.pk).exists()
