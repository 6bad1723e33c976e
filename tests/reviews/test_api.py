"""The review registers' API: create, list and filter; roles and tenancy as for the pages."""

import pytest

from reviews.models import CustomerFeedback, Nonconformity
from tests.api_writes import patch_as_read
from tests.reviews.factories import make_evaluation, make_feedback, make_finding, make_nc
from tests.security.openapi import assert_documented

pytestmark = pytest.mark.django_db

BASE = "/api/v1/organizations/acme-test"


def test_contributor_raises_a_nonconformity_through_the_api_but_cannot_change_it(api_client, cast):
    api_client.force_authenticate(cast.carl)
    response = api_client.post(
        f"{BASE}/nonconformities/",
        {
            "title": "Burr on flange",
            "source": "internal",
            "severity": "minor",
            "detected_on": "2026-02-03",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["reference"], body["status"], body["effective"]) == ("NC-001", "open", None)
    patch = patch_as_read(
        api_client, f"{BASE}/nonconformities/{body['id']}/", {"title": "Changed"}, format="json"
    )
    assert patch.status_code == 403
    assert Nonconformity.objects.get().title == "Burr on flange"


def test_contributor_reports_but_cannot_close_or_verify_a_nonconformity(api_client, cast):
    api_client.force_authenticate(cast.carl)
    response = api_client.post(
        f"{BASE}/nonconformities/",
        {
            "title": "Burr on flange",
            "source": "internal",
            "severity": "minor",
            "detected_on": "2026-02-03",
            "status": "closed",
            "closed_on": "2026-02-04",
            "effective": True,
        },
        format="json",
    )
    assert response.status_code == 400
    assert "quality team fills this in" in response.json()["status"][0]
    assert not Nonconformity.objects.exists()


def test_auditor_reads_but_never_writes_and_other_organisations_get_404(api_client, cast):
    nc = make_nc(cast)
    api_client.force_authenticate(cast.audrey)
    assert api_client.get(f"{BASE}/nonconformities/").status_code == 200
    assert (
        api_client.post(f"{BASE}/nonconformities/", {"title": "X"}, format="json").status_code
        == 403
    )
    assert (
        patch_as_read(
            api_client, f"{BASE}/nonconformities/{nc.pk}/", {"title": "X"}, format="json"
        ).status_code
        == 403
    )
    api_client.force_authenticate(cast.bob)
    assert api_client.get(f"{BASE}/nonconformities/").status_code == 404
    other = f"/api/v1/organizations/beta-rival/nonconformities/{nc.pk}/"
    assert api_client.get(other).status_code == 404


def test_api_lists_and_filters_each_register(api_client, cast):
    make_nc(cast, title="Severe", severity="critical")
    make_nc(cast, title="Small", severity="minor")
    make_finding(cast, title="Major one", finding_type="major")
    make_finding(cast, title="Observation", finding_type="observation")
    make_feedback(cast, title="Praise", feedback_type="compliment")
    make_feedback(cast, title="Survey", feedback_type="survey_score", score=8, channel="survey")
    make_evaluation(cast, provider="Good Ltd")
    make_evaluation(cast, provider="Bad Ltd", status="disqualified")
    api_client.force_authenticate(cast.audrey)

    def titles(key, **params):
        results = api_client.get(f"{BASE}/{key}/", params).json()["results"]
        return [r.get("title") or r.get("provider") for r in results]

    assert titles("nonconformities", severity="critical") == ["Severe"]
    assert titles("audit-findings", finding_type="major") == ["Major one"]
    assert titles("customer-feedback", feedback_type="survey_score") == ["Survey"]
    assert titles("provider-evaluations", status="disqualified") == ["Bad Ltd"]
    assert titles("nonconformities", q="smal") == ["Small"]
    assert titles("provider-evaluations", q="good") == ["Good Ltd"]
    evaluation = api_client.get(f"{BASE}/provider-evaluations/", {"q": "good"}).json()["results"]
    # The generated overall score goes out like the other scores: a decimal string, as the
    # schema documents (it was a JSON number, which the schema did not allow).
    assert evaluation[0]["overall_score"] == "85.00"
    assert_documented(
        api_client.get(f"{BASE}/provider-evaluations/", {"q": "good"}),
        "/api/v1/organizations/{org_slug}/provider-evaluations/",
    )


def test_api_creates_feedback_linked_to_the_organisations_nonconformity(api_client, cast):
    nc = make_nc(cast)
    api_client.force_authenticate(cast.quinn)
    response = api_client.post(
        f"{BASE}/customer-feedback/",
        {
            "title": "Scratches",
            "received_on": "2026-02-01",
            "customer": "Vale Ltd",
            "channel": "phone",
            "feedback_type": "complaint",
            "nonconformity": nc.pk,
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["nonconformity"] == nc.pk


def test_api_refuses_bad_and_foreign_input_and_creates_nothing(api_client, cast):
    foreign = make_nc(cast, org=cast.org_b)
    api_client.force_authenticate(cast.quinn)
    base = {
        "title": "T",
        "received_on": "2026-02-01",
        "customer": "C",
        "channel": "email",
        "feedback_type": "complaint",
    }
    for payload in (
        {**base, "nonconformity": foreign.pk},
        {**base, "score": "7"},
        {**base, "feedback_type": "survey_score"},
        {**base, "feedback_type": "survey_score", "score": "10.5"},
        {**base, "received_on": "yesterday"},
        {**base, "channel": "fax"},
    ):
        response = api_client.post(f"{BASE}/customer-feedback/", payload, format="json")
        assert response.status_code == 400, payload
    assert not CustomerFeedback.objects.exists()


def test_api_refuses_an_evaluation_whose_period_ends_before_it_starts(api_client, cast):
    api_client.force_authenticate(cast.quinn)
    response = api_client.post(
        f"{BASE}/provider-evaluations/",
        {
            "provider": "P",
            "period_start": "2026-01-01",
            "period_end": "2025-12-01",
            "quality_score": "90",
            "delivery_score": "90",
            "status": "approved",
            "evaluated_on": "2026-01-15",
        },
        format="json",
    )
    assert response.status_code == 400
    assert "The period cannot end before it starts." in str(response.json())
