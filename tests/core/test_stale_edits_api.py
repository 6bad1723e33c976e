"""The API half of stale edits: a record's detail and update answers carry its version as
ETag; an update sent with If-Match naming an older version is refused with 412 (saying who
changed it, when, and handing back the current version) and changes nothing; one without
If-Match is refused with 428, and one whose If-Match is not an ETag with 400."""

import datetime
import re

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from qms.core.actions.models import Action
from tests.core.test_stale_edits import _risk
from tests.objectives.factories import make_objective
from tests.security.openapi import assert_documented

pytestmark = pytest.mark.django_db

RISK = "/api/v1/organizations/acme-test/risks/{}/"


def _template(url: str) -> str:
    """The schema's path for a record's URL (risks by id, objectives by code, actions by
    number)."""
    kind = url.split("/")[5]
    key = {"objectives": "code", "actions": "number"}.get(kind, "id")
    return f"/api/v1/organizations/{{org_slug}}/{kind}/{{{key}}}/"


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
    [
        '"0123456789abcdef0123"',
        '""',
        pytest.param('"*"', id="quoted-star-is-a-tag-not-any-version"),
        pytest.param('W/"*"', id="weak-quoted-star"),
        pytest.param('"' + "x" * 5000 + '"', id="oversized"),
    ],
)
def test_an_update_naming_another_version_gets_412(cast, if_match):
    risk = _risk(cast)
    response = _client(cast.alice).patch(
        RISK.format(risk.pk), {"title": "Changed"}, HTTP_IF_MATCH=if_match
    )
    assert response.status_code == 412
    # Nobody changed it since: the answer says the tag was never the risk's, not "changed by".
    detail = response.json()["detail"]
    assert detail.startswith("If-Match names no version Risk or opportunity RISK-001 ever had")
    assert "changed by" not in detail and "after you" not in detail
    assert response["ETag"] == _client(cast.alice).get(RISK.format(risk.pk))["ETag"]
    risk.refresh_from_db()
    assert risk.title == "Key supplier capacity"


@pytest.mark.parametrize(
    "if_match",
    [
        "garbage",
        "",
        " ",
        pytest.param("unquoted-current", id="the-current-etag-without-its-quotes"),
        pytest.param('*, "0123456789abcdef0123"', id="star-in-a-list"),
        pytest.param("W/0123456789abcdef0123", id="weak-unquoted"),
        pytest.param('"0123"abc', id="trailing-garbage"),
        pytest.param("x" * 5000, id="oversized"),
    ],
)
def test_an_if_match_that_is_not_an_etag_gets_400_and_changes_nothing(cast, if_match):
    risk = _risk(cast)
    alice = _client(cast.alice)
    if if_match == "unquoted-current":
        if_match = alice.get(RISK.format(risk.pk))["ETag"].strip('"')
    response = alice.patch(RISK.format(risk.pk), {"title": "Changed"}, HTTP_IF_MATCH=if_match)
    assert response.status_code == 400
    detail = response.json()["detail"]
    assert detail.startswith("The If-Match header is not an ETag this API gave")
    assert_documented(response, "/api/v1/organizations/{org_slug}/risks/{id}/")
    assert "changed by" not in detail
    risk.refresh_from_db()
    assert risk.title == "Key supplier capacity"


@pytest.mark.parametrize(
    ("name", "url_of", "change"),
    [
        ("risk or opportunity", lambda cast: RISK.format(_risk(cast).pk), {"title": "Changed"}),
        (
            "quality objective",
            lambda cast: f"/api/v1/organizations/acme-test/objectives/{make_objective(cast).code}/",
            {"title": "Changed"},
        ),
        ("action", None, {"title": "Changed"}),
    ],
)
def test_an_update_without_if_match_gets_428_and_changes_nothing(
    cast, raise_action, name, url_of, change
):
    if url_of is None:
        url = f"/api/v1/organizations/acme-test/actions/{raise_action().number}/"
    else:
        url = url_of(cast)
    quinn = _client(cast.quinn)
    before = quinn.get(url)
    for write in (quinn.patch, quinn.put):
        response = write(url, {**before.json(), **change}, format="json")
        if response.status_code == 405:  # a record edited with PATCH only (actions, objectives)
            continue
        assert response.status_code == 428
        assert response.json()["detail"].startswith(
            f"Send If-Match with the ETag of the {name} you read: GET {url} answers it in its "
            "ETag header. Nothing was changed"
        )
        assert_documented(response, _template(url))
    after = quinn.get(url)
    assert after.json() == before.json()
    assert after["ETag"] == before["ETag"]


def test_a_stale_update_answers_who_changed_it_when_and_the_current_version(cast):
    risk = _risk(cast)
    quinn, alice = _client(cast.quinn), _client(cast.alice)
    etag = alice.get(RISK.format(risk.pk))["ETag"]
    assert quinn.patch(RISK.format(risk.pk), {"title": "Sole supplier"}, HTTP_IF_MATCH=etag)
    refused = alice.patch(RISK.format(risk.pk), {"likelihood": 5}, HTTP_IF_MATCH=etag)
    assert refused.status_code == 412
    assert_documented(refused, "/api/v1/organizations/{org_slug}/risks/{id}/")
    body = refused.json()
    now = alice.get(RISK.format(risk.pk))
    assert body["changed_by"] == "Quinn Test"
    # The sentence says the time as people read it, in the organisation's time zone.
    changed_at = timezone.localtime(datetime.datetime.fromisoformat(body["changed_at"]))
    assert f"at {changed_at:%-d %b %Y, %H:%M} after you opened it" in body["detail"]
    # As the API writes its other timestamps, to the second, with the offset (Z: UTC).
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)", body["changed_at"])
    assert body["current"] == now.json()
    assert body["current"]["title"] == "Sole supplier"
    # The version to make the change on again, as a GET would give it.
    assert refused["ETag"] == now["ETag"] != etag
    again = alice.patch(RISK.format(risk.pk), {"likelihood": 5}, HTTP_IF_MATCH=refused["ETag"])
    assert again.status_code == 200


@pytest.mark.parametrize("if_match", ["*", "current-weak", "current-in-a-list"])
def test_an_update_with_a_matching_if_match_or_a_bare_star_is_saved(cast, if_match):
    risk = _risk(cast)
    alice = _client(cast.alice)
    etag = alice.get(RISK.format(risk.pk))["ETag"]
    headers = {
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


def test_the_schema_documents_if_match_the_412_the_428_and_the_etag():
    from tests.security.openapi import api_schema

    paths = api_schema().raw_schema["paths"]
    detail = paths["/api/v1/organizations/{org_slug}/risks/{id}/"]
    for method in ("put", "patch"):
        headers = [p for p in detail[method]["parameters"] if p["in"] == "header"]
        assert [(h["name"], h["required"]) for h in headers] == [("If-Match", True)]
        assert {"412", "428"} <= set(detail[method]["responses"])
        assert "current" in str(detail[method]["responses"]["412"])
        assert "ETag" in detail[method]["responses"]["200"]["headers"]
    assert "ETag" in detail["get"]["responses"]["200"]["headers"]
    # A workflow step takes If-Match when sent; it is never 428.
    step = paths["/api/v1/organizations/{org_slug}/actions/{number}/start/"]["post"]
    headers = [p for p in step["parameters"] if p["in"] == "header"]
    assert [(h["name"], h.get("required", False)) for h in headers] == [("If-Match", False)]
    assert "412" in step["responses"] and "428" not in step["responses"]


def test_a_workflow_step_with_an_old_if_match_gets_412_and_is_not_taken(cast, raise_action):
    action = raise_action()
    url = f"/api/v1/organizations/acme-test/actions/{action.number}/"
    quinn = _client(cast.quinn)
    etag = quinn.get(url)["ETag"]
    assert quinn.patch(url, {"title": "Replace the CMM"}, HTTP_IF_MATCH=etag).status_code == 200
    carl = _client(cast.carl)  # the owner starts it, having read it before the edit
    refused = carl.post(url + "start/", HTTP_IF_MATCH=etag)
    assert refused.status_code == 412
    assert Action.objects.get(pk=action.pk).status == "open"
    current = carl.get(url)["ETag"]
    # The refusal hands back the action as it is now, as its GET does.
    assert refused["ETag"] == current
    assert refused.json()["current"] == carl.get(url).json()
    assert refused.json()["current"]["title"] == "Replace the CMM"
    assert carl.post(url + "start/", HTTP_IF_MATCH=current).status_code == 200
