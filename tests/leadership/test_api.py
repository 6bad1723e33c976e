"""Leadership API: workflow steps as endpoints, role checks, tenancy, bad input."""

import pytest
from django.urls import reverse

from leadership.models import PolicyVersion, ResourceAllocation
from qms.core.models import Membership, OrgUnit
from tests.api_writes import patch_as_read
from tests.security.openapi import assert_documented

pytestmark = pytest.mark.django_db


def url(name, **kwargs):
    return reverse(name, kwargs={"org_slug": "acme-test", **kwargs})


def test_draft_submit_approve_publish_acknowledge_through_the_api(api_client, cast):
    api_client.force_authenticate(cast.quinn)
    created = api_client.post(
        url("policy-version-list"), {"text": "We satisfy customers."}, format="json"
    )
    assert created.status_code == 201 and created.json()["status"] == "draft"
    assert api_client.post(url("policy-version-submit", number=1)).json()["status"] == "submitted"
    assert (
        api_client.post(url("policy-version-approve", number=1)).status_code == 403
    )  # not an executive
    api_client.force_authenticate(cast.alice)
    approved = api_client.post(
        url("policy-version-approve", number=1), {"comment": "OK"}, format="json"
    )
    assert approved.json()["approved_by"] == "Alice Test"
    api_client.force_authenticate(cast.quinn)
    assert api_client.post(url("policy-version-publish", number=1)).json()["status"] == "published"
    api_client.force_authenticate(cast.carl)
    assert api_client.post(url("policy-version-acknowledge")).json()["version"] == 1


def test_editing_an_approved_version_is_409_and_changes_nothing(api_client, cast, published):
    api_client.force_authenticate(cast.quinn)
    response = patch_as_read(
        api_client, url("policy-version-detail", number=1), {"text": "Changed"}, format="json"
    )
    assert response.status_code == 409
    assert "can no longer be edited" in response.json()["detail"]
    assert PolicyVersion.objects.get().text == "We satisfy customers."


def test_auditor_and_other_organisation(api_client, cast, published):
    api_client.force_authenticate(cast.audrey)
    assert api_client.get(url("policy-version-list")).status_code == 200
    assert (
        api_client.post(url("policy-version-list"), {"text": "x"}, format="json").status_code == 403
    )
    assert api_client.post(url("policy-version-acknowledge")).status_code == 403
    api_client.force_authenticate(cast.bob)
    for name in (
        "policy-version-list",
        "policy-commitment-list",
        "responsibility-list",
        "responsibility-assignment-list",
        "resource-allocation-list",
    ):
        assert api_client.get(url(name)).status_code == 404, name


def test_assignments_as_of_a_date(api_client, cast):
    api_client.force_authenticate(cast.quinn)
    r = api_client.post(
        url("responsibility-list"), {"code": "X1", "title": "Calibration"}, format="json"
    ).json()
    carl = Membership.objects.get(user=cast.carl).id
    a = api_client.post(
        url("responsibility-assignment-list"),
        {"responsibility": r["id"], "membership": carl, "valid_from": "2025-01-01"},
        format="json",
    ).json()
    api_client.post(
        url("responsibility-assignment-end", pk=a["id"]), {"valid_to": "2025-06-30"}, format="json"
    )
    assert (
        len(
            api_client.get(url("responsibility-assignment-list"), {"as_of": "2025-03-01"}).json()[
                "results"
            ]
        )
        == 1
    )
    assert (
        api_client.get(url("responsibility-assignment-list"), {"as_of": "2025-07-01"}).json()[
            "results"
        ]
        == []
    )
    bad = api_client.post(
        url("responsibility-assignment-end", pk=a["id"]), {"valid_to": "yesterday"}, format="json"
    )
    assert bad.status_code == 400


def test_duplicate_responsibility_code_is_400(api_client, cast):
    api_client.force_authenticate(cast.quinn)
    api_client.post(url("responsibility-list"), {"code": "X1", "title": "A"}, format="json")
    assert (
        api_client.post(
            url("responsibility-list"), {"code": "X1", "title": "B"}, format="json"
        ).status_code
        == 400
    )


def test_resource_request_decision_and_spend(api_client, cast):
    unit = OrgUnit.objects.get(organization=cast.org_a, code="A").id
    body = {
        "kind": "budget",
        "title": "Gauges",
        "org_unit": unit,
        "amount": "1200.00",
        "period_start": "2026-01-01",
        "period_end": "2026-12-31",
    }
    api_client.force_authenticate(cast.carl)
    created = api_client.post(url("resource-allocation-list"), body, format="json")
    assert created.status_code == 201 and created.json()["unit"] == "GBP"
    pk = created.json()["id"]
    assert api_client.post(url("resource-allocation-approve", pk=pk)).status_code == 403
    api_client.force_authenticate(cast.alice)
    assert (
        api_client.post(url("resource-allocation-reject", pk=pk), {}, format="json").status_code
        == 409
    )  # no reason
    assert api_client.post(url("resource-allocation-approve", pk=pk)).json()["status"] == "approved"
    assert (
        api_client.post(url("resource-allocation-approve", pk=pk)).status_code == 409
    )  # already decided
    # The approver does not spend; the requester records it.
    spend = {"date": "2026-02-01", "amount": "200"}
    assert api_client.post(url("resource-allocation-spend", pk=pk), spend).status_code == 403
    api_client.force_authenticate(cast.carl)
    spent = api_client.post(
        url("resource-allocation-spend", pk=pk),
        {"date": "2026-02-01", "amount": "200"},
        format="json",
    )
    assert spent.status_code == 201
    assert api_client.get(url("resource-allocation-detail", pk=pk)).json()["spent"] == "200.00"


@pytest.mark.parametrize(
    "overrides",
    [
        {"amount": "0"},
        {"amount": "abc"},
        {"org_unit": None},
        {"period_end": "2025-01-01"},
        {"title": "x" * 500},
    ],
)
def test_bad_resource_requests_are_400(api_client, cast, overrides):
    unit = OrgUnit.objects.get(organization=cast.org_a, code="A").id
    body = {
        "kind": "budget",
        "title": "Gauges",
        "org_unit": unit,
        "amount": "1200.00",
        "period_start": "2026-01-01",
        "period_end": "2026-12-31",
        **overrides,
    }
    api_client.force_authenticate(cast.quinn)
    assert api_client.post(url("resource-allocation-list"), body, format="json").status_code == 400
    assert not ResourceAllocation.objects.exists()


def test_foreign_unit_in_a_request_is_400(api_client, cast):
    foreign = OrgUnit.objects.get(organization=cast.org_b).id
    body = {
        "kind": "budget",
        "title": "Gauges",
        "org_unit": foreign,
        "amount": "10",
        "period_start": "2026-01-01",
        "period_end": "2026-12-31",
    }
    api_client.force_authenticate(cast.quinn)
    response = api_client.post(url("resource-allocation-list"), body, format="json")
    assert response.status_code == 400 and "org_unit" in response.json()


# --- answers match the OpenAPI schema (found by tests/security/test_api_fuzzing.py) ----------

API = "/api/v1/organizations/{org_slug}"


def test_a_draft_version_reads_approved_by_null_as_the_schema_says(api_client, cast):
    api_client.force_authenticate(cast.quinn)
    created = api_client.post(url("policy-version-list"), {"text": "Draft"}, format="json")
    assert created.json()["approved_by"] is None
    assert_documented(created, f"{API}/policy-versions/")


def test_acknowledging_answers_the_version_and_time_the_schema_documents(
    api_client, cast, published
):
    api_client.force_authenticate(cast.carl)
    response = api_client.post(url("policy-version-acknowledge"))
    assert response.json()["version"] == 1
    assert_documented(response, f"{API}/policy-versions/acknowledge/")


def test_a_new_commitment_answers_with_its_objective_flag(api_client, cast, published):
    api_client.force_authenticate(cast.quinn)
    response = api_client.post(
        url("policy-commitment-list"), {"kind": "own", "text": "On time."}, format="json"
    )
    assert response.status_code == 201, response.json()
    assert response.json()["has_active_objective"] is False
    assert_documented(response, f"{API}/policy-commitments/")


def test_spend_answers_the_whole_list_as_documented_and_201_on_recording(api_client, cast):
    unit = OrgUnit.objects.get(organization=cast.org_a, code="A").id
    api_client.force_authenticate(cast.carl)
    created = api_client.post(
        url("resource-allocation-list"),
        {
            "kind": "budget",
            "title": "Gauges",
            "org_unit": unit,
            "amount": "1200.00",
            "period_start": "2026-01-01",
            "period_end": "2026-12-31",
        },
        format="json",
    )
    assert created.json()["decided_by"] is None  # not decided yet, and documented as nullable
    assert_documented(created, f"{API}/resource-allocations/")
    pk = created.json()["id"]
    api_client.force_authenticate(cast.alice)
    api_client.post(url("resource-allocation-approve", pk=pk))
    api_client.force_authenticate(cast.carl)  # who requested it
    spent = api_client.post(
        url("resource-allocation-spend", pk=pk), {"date": "2026-02-01", "amount": "200"}
    )
    assert spent.status_code == 201
    assert_documented(spent, f"{API}/resource-allocations/{{id}}/spend/")
    listed = api_client.get(url("resource-allocation-spend", pk=pk), {"page_size": "0"})
    assert [row["amount"] for row in listed.json()] == ["200.00"]
    assert_documented(listed, f"{API}/resource-allocations/{{id}}/spend/")
