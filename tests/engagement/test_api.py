"""The engagement API: scoped to the organisation (404 for another's records), role rules per
endpoint (anyone who writes suggests; quality managers triage; executives recognise)."""

import datetime

import pytest
from django.utils import timezone

from leadership.engagement.models import Suggestion, SuggestionStatus
from leadership.engagement.services import suggestions as services
from qms.core.actions.models import Action
from qms.core.models import Membership
from tests.api_writes import patch_as_read
from tests.security.openapi import assert_documented

pytestmark = pytest.mark.django_db
API = "/api/v1/organizations/acme-test"


def test_anyone_who_writes_suggests_through_the_api_and_auditors_cannot(api_client, cast, units):
    for user in (cast.carl, cast.alice, cast.adam):
        api_client.force_authenticate(user)
        response = api_client.post(
            f"{API}/suggestions/",
            {"title": f"Idea of {user.username}", "org_unit": units["A1"].pk},
            format="json",
        )
        assert response.status_code == 201
        assert response.json()["is_mine"] is True
    api_client.force_authenticate(cast.audrey)
    assert api_client.post(f"{API}/suggestions/", {"title": "X"}, format="json").status_code == 403
    assert Suggestion.objects.count() == 3


@pytest.mark.parametrize(
    "payload",
    [
        {"title": ""},
        {"title": "x" * 201},
        {"title": "X", "org_unit": 999999},
        {"title": "X", "org_unit": "abc"},
    ],
)
def test_bad_suggestions_are_refused_with_a_clear_error(api_client, cast, payload):
    api_client.force_authenticate(cast.carl)
    response = api_client.post(f"{API}/suggestions/", payload, format="json")
    assert response.status_code == 400
    assert not Suggestion.objects.exists()


def test_a_quality_manager_triages_through_the_api_and_others_get_403(api_client, cast, members):
    suggestion = services.suggestion_submit(membership=members["carl"], title="Boards")
    endpoint = f"{API}/suggestions/{suggestion.pk}/accept-action/"
    payload = {
        "owner": members["carl"].pk,
        "accountable_executive": members["alice"].pk,
        "due_date": (timezone.localdate() + datetime.timedelta(days=20)).isoformat(),
    }
    for user in (cast.carl, cast.alice, cast.audrey, cast.adam):
        api_client.force_authenticate(user)
        assert api_client.post(endpoint, payload, format="json").status_code == 403
    api_client.force_authenticate(cast.quinn)
    bad = api_client.post(endpoint, {**payload, "owner": 999999}, format="json")
    assert bad.status_code == 400 and not Action.objects.exists()
    response = api_client.post(endpoint, payload, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == SuggestionStatus.ACTION
    assert response.json()["action"] == Action.objects.get().reference
    again = api_client.post(
        f"{API}/suggestions/{suggestion.pk}/decline/", {"reason": "No"}, format="json"
    )
    assert again.status_code == 409


def test_declining_through_the_api_needs_a_reason(api_client, cast, members):
    suggestion = services.suggestion_submit(membership=members["carl"], title="Boards")
    api_client.force_authenticate(cast.quinn)
    endpoint = f"{API}/suggestions/{suggestion.pk}/decline/"
    assert api_client.post(endpoint, {}, format="json").status_code == 400
    assert api_client.post(endpoint, {"reason": "  "}, format="json").status_code == 400
    suggestion.refresh_from_db()
    assert suggestion.status == SuggestionStatus.NEW


def test_another_organisations_records_answer_404_through_every_engagement_endpoint(
    api_client, cast, members
):
    bob = Membership.objects.get(user=cast.bob)
    foreign = services.suggestion_submit(membership=bob, title="Theirs")
    mine = services.suggestion_submit(membership=members["carl"], title="Mine")
    api_client.force_authenticate(cast.quinn)
    assert api_client.get(f"{API}/suggestions/{foreign.pk}/").status_code == 404
    for step, payload in (
        ("accept-opportunity", {}),
        ("decline", {"reason": "No"}),
        ("merge", {"duplicate_of": mine.pk}),
    ):
        response = api_client.post(
            f"{API}/suggestions/{foreign.pk}/{step}/", payload, format="json"
        )
        assert response.status_code == 404
    merge = api_client.post(
        f"{API}/suggestions/{mine.pk}/merge/", {"duplicate_of": foreign.pk}, format="json"
    )
    assert merge.status_code == 400
    listed = [s["title"] for s in api_client.get(f"{API}/suggestions/").json()["results"]]
    assert listed == ["Mine"]
    for endpoint in ("survey-statements", "survey-rounds", "milestones", "recognitions", "lessons"):
        assert api_client.get(f"{API}/{endpoint}/").status_code == 200
    api_client.force_authenticate(cast.bob)
    for endpoint in ("suggestions", "survey-rounds", "recognitions", "lessons"):
        assert api_client.get(f"{API}/{endpoint}/").status_code == 404
    foreign.refresh_from_db()
    assert foreign.status == SuggestionStatus.NEW


def test_statements_are_edited_by_quality_managers_only(api_client, cast):
    api_client.force_authenticate(cast.carl)
    endpoint = f"{API}/survey-statements/"
    assert api_client.post(endpoint, {"text": "X"}, format="json").status_code == 403
    api_client.force_authenticate(cast.quinn)
    assert api_client.post(endpoint, {"text": ""}, format="json").status_code == 400
    created = api_client.post(endpoint, {"text": "I know our objectives."}, format="json")
    assert created.status_code == 201
    patched = patch_as_read(
        api_client, f"{endpoint}{created.json()['id']}/", {"is_active": False}, format="json"
    )
    assert patched.status_code == 200 and patched.json()["is_active"] is False


def test_suggestion_figures_through_the_api(api_client, cast, members):
    services.suggestion_submit(membership=members["carl"], title="Boards")
    api_client.force_authenticate(cast.audrey)
    body = api_client.get(f"{API}/suggestions/figures/?months=3").json()
    assert len(body["months"]) == 3 and body["months"][-1]["submitted"] == 1
    assert body["units"] == [
        {
            "unit_name": "Whole organisation",
            "submitted": 1,
            "awaiting": 1,
            "accepted": 0,
            "declined": 0,
            "duplicate": 0,
        }
    ]
    for bad in ("0", "37", "x"):
        assert api_client.get(f"{API}/suggestions/figures/?months={bad}").status_code == 400


def test_a_new_suggestion_reads_duplicate_of_null_as_the_schema_says(api_client, cast, units):
    api_client.force_authenticate(cast.carl)
    response = api_client.post(f"{API}/suggestions/", {"title": "Idea"}, format="json")
    assert response.status_code == 201
    assert response.json()["duplicate_of"] is None
    assert_documented(response, "/api/v1/organizations/{org_slug}/suggestions/")
