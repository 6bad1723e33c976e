"""Objectives API: scoped, role-checked, and clear about bad input."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from objectives.models import Measurement, QualityObjective
from qms.core.models import Membership, OrgUnit
from tests.objectives.factories import add_values, make_objective

pytestmark = pytest.mark.django_db


def url(name, **kwargs):
    return reverse(name, kwargs={"org_slug": "acme-test", **kwargs})


@pytest.fixture
def objective(cast):
    obj = make_objective(cast, code="OBJ-07", owner=Membership.objects.get(user=cast.carl))
    add_values(obj, {"2025-01-31": 90, "2025-02-28": 91})
    return obj


def test_executive_reads_objectives_with_status(api_client, cast, objective):
    api_client.force_authenticate(cast.alice)
    data = api_client.get(url("objective-list")).json()
    assert [o["code"] for o in data["results"]] == ["OBJ-07"]
    assert data["results"][0]["current_status"] == "no_data"
    detail = api_client.get(url("objective-detail", code="OBJ-07")).json()
    assert detail["target"] == "95"


def test_another_organisations_objectives_are_invisible(api_client, cast, objective):
    make_objective(cast, code="OBJ-B1", org=cast.org_b)
    api_client.force_authenticate(cast.alice)
    codes = [o["code"] for o in api_client.get(url("objective-list")).json()["results"]]
    assert codes == ["OBJ-07"]
    assert api_client.get(url("objective-detail", code="OBJ-B1")).status_code == 404
    api_client.force_authenticate(cast.bob)
    assert api_client.get(url("objective-list")).status_code == 404
    assert api_client.get(url("measurement-list")).status_code == 404


def payload(cast, **overrides):
    data = {
        "code": "OBJ-30",
        "title": "Reduce returns",
        "org_unit": OrgUnit.objects.get(organization=cast.org_a, code="A").id,
        "owner": Membership.objects.get(user=cast.carl).id,
        "accountable_executive": Membership.objects.get(user=cast.alice).id,
        "start_date": "2026-01-01",
        "due_date": "2026-12-31",
        "unit": "%",
        "direction": "lower",
        "target": "1",
        "amber_threshold": "1.5",
        "red_threshold": "2",
        "frequency": "monthly",
        "aggregation": "mean",
    }
    data.update(overrides)
    return data


def test_quality_manager_creates_an_objective(api_client, cast):
    api_client.force_authenticate(cast.quinn)
    response = api_client.post(url("objective-list"), payload(cast), format="json")
    assert response.status_code == 201, response.json()
    assert QualityObjective.objects.get(code="OBJ-30").history.get().history_user == cast.quinn


@pytest.mark.parametrize("username", ["alice", "carl", "audrey"])
def test_other_roles_cannot_create_objectives(api_client, cast, username):
    api_client.force_authenticate(getattr(cast, username))
    assert api_client.post(url("objective-list"), payload(cast), format="json").status_code == 403
    assert not QualityObjective.objects.exists()


def test_foreign_unit_or_owner_is_a_400_that_reveals_nothing(api_client, cast):
    api_client.force_authenticate(cast.quinn)
    foreign_unit = OrgUnit.objects.get(organization=cast.org_b).id
    bob = Membership.objects.get(user=cast.bob).id
    response = api_client.post(
        url("objective-list"), payload(cast, org_unit=foreign_unit, owner=bob), format="json"
    )
    assert response.status_code == 400
    body = response.json()
    # Said as for an id that exists nowhere: the other organisation is not named.
    assert body["org_unit"] == [f"No unit {foreign_unit} in this organisation."]
    assert body["owner"] == [f"No member {bob} in this organisation."]
    assert cast.org_b.name not in response.content.decode()
    assert not QualityObjective.objects.exists()


def test_non_executive_accountable_is_refused(api_client, cast):
    api_client.force_authenticate(cast.quinn)
    quinn = Membership.objects.get(user=cast.quinn).id
    response = api_client.post(
        url("objective-list"), payload(cast, accountable_executive=quinn), format="json"
    )
    assert response.status_code == 400
    assert "must be an executive" in response.json()["accountable_executive"][0]


def test_malformed_and_oversized_objective_payloads_are_400(api_client, cast):
    api_client.force_authenticate(cast.quinn)
    assert (
        api_client.post(url("objective-list"), "{nope", content_type="application/json").status_code
        == 400
    )
    response = api_client.post(
        url("objective-list"), payload(cast, title="x" * 5000, target="1e400"), format="json"
    )
    assert response.status_code == 400
    assert set(response.json()) >= {"title", "target"}
    assert not QualityObjective.objects.exists()


def test_objectives_cannot_be_deleted(api_client, cast, objective):
    api_client.force_authenticate(cast.quinn)
    assert api_client.delete(url("objective-detail", code="OBJ-07")).status_code == 405
    assert QualityObjective.objects.filter(code="OBJ-07").exists()


def test_owner_posts_a_value_and_a_correction(api_client, cast, objective):
    api_client.force_authenticate(cast.carl)
    body = {"objective": "OBJ-07", "period_end": "2025-03-31", "value": "92.5"}
    assert api_client.post(url("measurement-list"), body, format="json").status_code == 201
    body.update(value="93.0", reason="Late delivery recount")
    # Without naming the value it corrects, a different value is refused (409).
    assert api_client.post(url("measurement-list"), body, format="json").status_code == 409
    m = Measurement.objects.get(objective=objective, period_end=datetime.date(2025, 3, 31))
    etag = api_client.get(url("measurement-detail", pk=m.pk))["ETag"]
    response = api_client.post(url("measurement-list"), body, format="json", HTTP_IF_MATCH=etag)
    assert response.status_code == 200
    m = Measurement.objects.get(objective=objective, period_end=datetime.date(2025, 3, 31))
    assert m.value == Decimal("93.0") and m.source == "api"
    assert (
        m.history.order_by("-history_date").first().history_change_reason == "Late delivery recount"
    )


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"objective": "OBJ-07", "period_end": "2025-03-15", "value": "90"}, "period_end"),
        ({"objective": "OBJ-07", "period_end": "2025-03-31", "value": "150"}, "value"),
        ({"objective": "OBJ-07", "period_end": "31/03/2025", "value": "90"}, "period_end"),
        ({"objective": "OBJ-07", "period_end": "2025-03-31", "value": "ninety"}, "value"),
        ({"objective": "OBJ-99", "period_end": "2025-03-31", "value": "90"}, "objective"),
        ({"objective": "OBJ-07", "period_end": "2023-01-31", "value": "90"}, "period_end"),
    ],
)
def test_bad_measurements_are_400_and_change_nothing(api_client, cast, objective, body, field):
    api_client.force_authenticate(cast.quinn)
    before = Measurement.objects.count()
    response = api_client.post(url("measurement-list"), body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert Measurement.objects.count() == before


def test_measurement_for_another_organisations_objective_is_refused(api_client, cast, objective):
    make_objective(cast, code="OBJ-B1", org=cast.org_b)
    api_client.force_authenticate(cast.quinn)
    body = {"objective": "OBJ-B1", "period_end": "2025-03-31", "value": "90"}
    response = api_client.post(url("measurement-list"), body, format="json")
    assert response.status_code == 400
    assert not Measurement.objects.filter(objective__code="OBJ-B1").exists()


@pytest.mark.parametrize("username", ["alice", "audrey"])
def test_non_owners_cannot_post_values(api_client, cast, objective, username):
    api_client.force_authenticate(getattr(cast, username))
    body = {"objective": "OBJ-07", "period_end": "2025-03-31", "value": "90"}
    assert api_client.post(url("measurement-list"), body, format="json").status_code == 403


def test_measurements_list_filters_and_pages_by_cursor(api_client, cast, objective):
    api_client.force_authenticate(cast.audrey)
    data = api_client.get(url("measurement-list"), {"objective": "OBJ-07", "page_size": 1}).json()
    assert [m["period_end"] for m in data["results"]] == ["2025-02-28"]
    assert "cursor=" in data["next"]
    older = api_client.get(data["next"]).json()
    assert [m["period_end"] for m in older["results"]] == ["2025-01-31"]


def test_rollups_endpoint_is_scoped(api_client, cast, objective):
    api_client.force_authenticate(cast.bob)
    assert api_client.get(url("rollup-list")).status_code == 404
    api_client.force_authenticate(cast.alice)
    assert api_client.get(url("rollup-list"), {"objective": "OBJ-07"}).status_code == 200
