"""The API changes and ends memberships by the same rules and sentences as the pages:
administrators only, If-Match required, 409 for the last administrator, 412 when stale."""

import datetime

import pytest
from django.utils import timezone

from qms.core.actions import services as action_services
from qms.core.actions.models import Action
from qms.core.models import Membership, OrgUnit

pytestmark = pytest.mark.django_db


def _m(cast, user) -> Membership:
    return Membership.objects.get(user=user, organization=cast.org_a)


def _url(cast, membership, step: str = "") -> str:
    url = f"/api/v1/organizations/{cast.org_a.slug}/memberships/{membership.pk}/"
    return f"{url}{step}/" if step else url


def _etag(api_client, url) -> str:
    response = api_client.get(url)
    assert response.status_code == 200
    return response["ETag"]


def test_admin_changes_a_member_with_if_match(api_client, cast):
    api_client.force_authenticate(cast.adam)
    carl = _m(cast, cast.carl)
    url = _url(cast, carl)
    unit = OrgUnit.objects.get(organization=cast.org_a, name="Plant One")

    response = api_client.patch(
        url,
        {"role": "quality_manager", "org_unit": unit.pk, "job_title": "Lead"},
        format="json",
        HTTP_IF_MATCH=_etag(api_client, url),
    )

    assert response.status_code == 200, response.json()
    assert response.json()["role"] == "quality_manager"
    assert response.json()["org_unit"] == unit.pk
    assert response["ETag"] != ""
    carl.refresh_from_db()
    assert (carl.role, carl.job_title) == ("quality_manager", "Lead")
    assert carl.history.first().history_user == cast.adam


def test_a_change_without_if_match_is_refused(api_client, cast):
    api_client.force_authenticate(cast.adam)
    carl = _m(cast, cast.carl)

    response = api_client.patch(_url(cast, carl), {"role": "executive"}, format="json")

    assert response.status_code == 428
    assert "If-Match" in response.json()["detail"]
    carl.refresh_from_db()
    assert carl.role == "contributor"


def test_a_stale_change_is_refused_with_412(api_client, cast):
    api_client.force_authenticate(cast.adam)
    carl = _m(cast, cast.carl)
    url = _url(cast, carl)
    etag = _etag(api_client, url)
    assert (
        api_client.patch(url, {"job_title": "First"}, format="json", HTTP_IF_MATCH=etag).status_code
        == 200
    )

    response = api_client.patch(url, {"role": "executive"}, format="json", HTTP_IF_MATCH=etag)

    assert response.status_code == 412
    assert "was changed by Adam Test at " in response.json()["detail"]
    carl.refresh_from_db()
    assert carl.role == "contributor"


@pytest.mark.parametrize("username", ["alice", "quinn", "carl", "audrey"])
def test_other_roles_get_403_and_nothing_changes(api_client, cast, username):
    api_client.force_authenticate(getattr(cast, username))
    carl = _m(cast, cast.carl)

    patch = api_client.patch(_url(cast, carl), {"role": "admin"}, format="json", HTTP_IF_MATCH="*")
    deactivate = api_client.post(
        _url(cast, carl, "deactivate"), {}, format="json", HTTP_IF_MATCH="*"
    )
    listing = api_client.get(_url(cast, carl, "responsibilities"))

    assert (patch.status_code, deactivate.status_code, listing.status_code) == (403, 403, 403)
    carl.refresh_from_db()
    assert carl.role == "contributor" and carl.is_active


def test_another_organisations_member_answers_404(api_client, cast):
    api_client.force_authenticate(cast.adam)
    bob = Membership.objects.get(user=cast.bob)
    response = api_client.patch(
        _url(cast, bob), {"role": "admin"}, format="json", HTTP_IF_MATCH="*"
    )
    assert response.status_code == 404
    bob.refresh_from_db()
    assert bob.role == "quality_manager"


def test_the_last_administrator_is_not_demoted(api_client, cast):
    api_client.force_authenticate(cast.adam)
    adam = _m(cast, cast.adam)

    response = api_client.patch(
        _url(cast, adam), {"role": "executive"}, format="json", HTTP_IF_MATCH="*"
    )

    assert response.status_code == 409
    assert response.json()["detail"].startswith("You are the last administrator of Acme Test Ltd")
    adam.refresh_from_db()
    assert adam.role == "admin"


def test_a_new_auditors_day_in_the_past_and_a_foreign_unit_are_refused(api_client, cast):
    api_client.force_authenticate(cast.adam)
    url = _url(cast, _m(cast, cast.carl))
    yesterday = timezone.localdate() - datetime.timedelta(days=1)

    past = api_client.patch(
        url, {"role": "auditor", "access_expires_on": yesterday.isoformat()}, format="json",
        HTTP_IF_MATCH="*",
    )  # fmt: skip
    foreign = OrgUnit.objects.get(organization=cast.org_b)
    unit = api_client.patch(url, {"org_unit": foreign.pk}, format="json", HTTP_IF_MATCH="*")

    assert past.status_code == 400
    assert "cannot be in the past" in past.json()["access_expires_on"][0]
    assert unit.status_code == 400
    assert unit.json()["org_unit"] == [f"There is no unit {foreign.pk} in this organisation."]
    assert _m(cast, cast.carl).role == "contributor"


def test_deactivation_through_the_api_hands_over_what_is_listed(api_client, cast):
    api_client.force_authenticate(cast.adam)
    carl, quinn = _m(cast, cast.carl), _m(cast, cast.quinn)
    action = action_services.action_create(
        organization=cast.org_a, raised_by=quinn, title="Fix the gauge", owner=carl,
        accountable_executive=_m(cast, cast.alice),
        due_date=timezone.localdate() + datetime.timedelta(days=5),
    )  # fmt: skip
    url = _url(cast, carl)

    listed = api_client.get(_url(cast, carl, "responsibilities")).json()
    assert [(i["item"], i["label"]) for i in listed] == [
        (f"action-owner:{action.pk}", "Owner of action")
    ]
    refused = api_client.post(_url(cast, carl, "deactivate"), {}, format="json", HTTP_IF_MATCH="*")
    assert refused.status_code == 400
    assert "Carl Test was not deactivated: 1 thing needs attention first." in str(refused.json())
    assert api_client.post(_url(cast, carl, "deactivate"), {}, format="json").status_code == 428

    done = api_client.post(
        _url(cast, carl, "deactivate"),
        {"give_to": {f"action-owner:{action.pk}": quinn.pk}},
        format="json",
        HTTP_IF_MATCH=_etag(api_client, url),
    )

    assert done.status_code == 200, done.json()
    assert done.json()["membership"]["is_active"] is False
    assert [i["item"] for i in done.json()["handed_over"]] == [f"action-owner:{action.pk}"]
    assert Action.objects.get(pk=action.pk).owner == quinn
    # Gone from the list, still reachable by id, and back with reactivate.
    ids = [
        m["id"]
        for m in api_client.get(f"/api/v1/organizations/{cast.org_a.slug}/memberships/").json()[
            "results"
        ]
    ]
    assert carl.pk not in ids
    assert api_client.post(_url(cast, carl, "reactivate")).json()["is_active"] is True
