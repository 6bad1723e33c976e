"""The API half of stale edits: a record's detail and update answers carry its version as
ETag; an update sent with If-Match naming an older version is refused with 412 and changes
nothing; one without If-Match is accepted as before."""

import pytest
from rest_framework.test import APIClient

from qms.core.actions.models import Action
from tests.core.test_stale_edits import _risk
from tests.objectives.factories import make_objective

pytestmark = pytest.mark.django_db

RISK = "/api/v1/organizations/acme-test/risks/{}/"


def _client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_reading_a_record_gives_its_version_and_an_update_on_it_gives_the_next(cast):
    risk = _risk(cast)
    alice = _client(cast.alice)
    read = alice.get(RISK.format(risk.pk))
    assert read.status_code == 200
    etag = read["ETag"]
    assert etag.startswith('"') and etag.endswith('"')
    assert alice.get(RISK.format(risk.pk))["ETag"] == etag  # nothing changed, same version

    updated = alice.patch(RISK.format(risk.pk), {"likelihood": 5}, HTTP_IF_MATCH=etag)
    assert updated.status_code == 200
    assert updated["ETag"] not in ("", etag)
    assert alice.get(RISK.format(risk.pk))["ETag"] == updated["ETag"]
    # The version an update answered is the one to send with the next.
    again = alice.patch(RISK.format(risk.pk), {"impact": 5}, HTTP_IF_MATCH=updated["ETag"])
    assert again.status_code == 200
    risk.refresh_from_db()
    assert (risk.likelihood, risk.impact) == (5, 5)


def test_the_second_of_two_updates_on_the_same_version_gets_412_and_changes_nothing(cast):
    risk = _risk(cast)
    quinn, alice = _client(cast.quinn), _client(cast.alice)
    etag = quinn.get(RISK.format(risk.pk))["ETag"]
    assert alice.get(RISK.format(risk.pk))["ETag"] == etag

    first = quinn.patch(RISK.format(risk.pk), {"title": "Sole supplier"}, HTTP_IF_MATCH=etag)
    assert first.status_code == 200
    second = alice.put(
        RISK.format(risk.pk),
        {**alice.get(RISK.format(risk.pk)).json(), "likelihood": 5},
        format="json",
        HTTP_IF_MATCH=etag,
    )
    assert second.status_code == 412
    detail = second.json()["detail"]
    assert "RISK-001 was changed by Quinn Test at " in detail
    assert "Your changes were not saved" in detail
    risk.refresh_from_db()
    assert (risk.title, risk.likelihood) == ("Sole supplier", 3)
    assert risk.history.count() == 2


@pytest.mark.parametrize(
    "if_match",
    ['"0123456789abcdef0123"', "garbage", '""', pytest.param("x" * 5000, id="oversized")],
)
def test_an_update_naming_another_version_gets_412(cast, if_match):
    risk = _risk(cast)
    response = _client(cast.alice).patch(
        RISK.format(risk.pk), {"title": "Changed"}, HTTP_IF_MATCH=if_match
    )
    assert response.status_code == 412
    risk.refresh_from_db()
    assert risk.title == "Key supplier capacity"


@pytest.mark.parametrize("if_match", [None, "*", "current-weak", "current-in-a-list"])
def test_an_update_without_if_match_or_with_a_matching_one_is_saved(cast, if_match):
    risk = _risk(cast)
    alice = _client(cast.alice)
    etag = alice.get(RISK.format(risk.pk))["ETag"]
    headers = {
        None: {},
        "*": {"HTTP_IF_MATCH": "*"},
        "current-weak": {"HTTP_IF_MATCH": f"W/{etag}"},
        "current-in-a-list": {"HTTP_IF_MATCH": f'"older", {etag}'},
    }[if_match]
    response = alice.patch(RISK.format(risk.pk), {"title": "Changed"}, **headers)
    assert response.status_code == 200
    assert response["ETag"] != etag
    risk.refresh_from_db()
    assert risk.title == "Changed"


def test_an_objective_update_on_an_old_version_gets_412(cast):
    objective = make_objective(cast)
    url = f"/api/v1/organizations/acme-test/objectives/{objective.code}/"
    quinn, adam = _client(cast.quinn), _client(cast.adam)
    etag = quinn.get(url)["ETag"]
    assert quinn.patch(url, {"target": "97"}, HTTP_IF_MATCH=etag).status_code == 200
    refused = adam.patch(url, {"title": "On-time delivery"}, HTTP_IF_MATCH=etag)
    assert refused.status_code == 412
    objective.refresh_from_db()
    assert objective.title == "Objective OBJ-01"


def test_an_action_update_on_an_old_version_gets_412(cast, raise_action):
    action = raise_action()
    url = f"/api/v1/organizations/acme-test/actions/{action.number}/"
    quinn, alice = _client(cast.quinn), _client(cast.alice)
    etag = quinn.get(url)["ETag"]
    saved = quinn.patch(url, {"title": "Replace the CMM"}, HTTP_IF_MATCH=etag)
    assert saved.status_code == 200
    refused = alice.patch(url, {"title": "Recalibrate twice"}, HTTP_IF_MATCH=etag)
    assert refused.status_code == 412
    assert Action.objects.get(pk=action.pk).title == "Replace the CMM"
    # And the answer to the update carried the version to update on next.
    assert (
        alice.patch(url, {"title": "Recalibrate twice"}, HTTP_IF_MATCH=saved["ETag"]).status_code
        == 200
    )


def test_the_schema_documents_if_match_the_412_and_the_etag():
    from tests.security.openapi import api_schema

    detail = api_schema().raw_schema["paths"]["/api/v1/organizations/{org_slug}/risks/{id}/"]
    for method in ("put", "patch"):
        headers = [p["name"] for p in detail[method]["parameters"] if p["in"] == "header"]
        assert headers == ["If-Match"]
        assert "412" in detail[method]["responses"]
        assert "ETag" in detail[method]["responses"]["200"]["headers"]
    assert "ETag" in detail["get"]["responses"]["200"]["headers"]


def test_a_workflow_step_with_an_old_if_match_gets_412_and_is_not_taken(cast, raise_action):
    action = raise_action()
    url = f"/api/v1/organizations/acme-test/actions/{action.number}/"
    quinn = _client(cast.quinn)
    etag = quinn.get(url)["ETag"]
    assert quinn.patch(url, {"title": "Replace the CMM"}).status_code == 200
    carl = _client(cast.carl)  # the owner starts it, having read it before the edit
    refused = carl.post(url + "start/", HTTP_IF_MATCH=etag)
    assert refused.status_code == 412
    assert Action.objects.get(pk=action.pk).status == "open"
    current = carl.get(url)["ETag"]
    assert carl.post(url + "start/", HTTP_IF_MATCH=current).status_code == 200
