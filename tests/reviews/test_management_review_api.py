"""Management reviews through the API: the same steps and refusals as the pages."""

import datetime

import pytest
from django.utils import timezone

from qms.core.actions.models import Action
from reviews.models import ManagementReview

pytestmark = pytest.mark.django_db

BASE = "/api/v1/organizations/acme-test/management-reviews/"


def test_a_review_is_planned_prepared_held_decided_and_signed_off(api_client, cast, members):
    today = timezone.localdate()
    api_client.force_authenticate(cast.quinn)
    planned = api_client.post(BASE, {"title": "Q4", "planned_on": today.isoformat()}, format="json")
    assert planned.status_code == 201, planned.content
    number = planned.json()["number"]
    url = f"{BASE}{number}/"
    prepared = api_client.post(f"{url}prepare/").json()
    assert prepared["status"] == "prepared"
    assert prepared["inputs"][0]["clause"] == "9.3.2 a"
    assert api_client.post(f"{url}hold/", {"held_on": today.isoformat()}).json()["status"] == "held"
    api_client.post(f"{url}record/", {"minutes": "Discussed."}, format="json")
    api_client.post(f"{url}attendance/", {"member": members["alice"].pk, "attendance": "attended"})
    decided = api_client.post(
        f"{url}decisions/",
        {
            "kind": "improvement", "text": "Automate OEE capture", "action_title": "Fit counters",
            "owner": members["carl"].pk, "accountable_executive": members["alice"].pk,
            "due_date": (today + datetime.timedelta(days=20)).isoformat(),
        },
        format="json",
    )  # fmt: skip
    assert decided.status_code == 201, decided.content
    assert decided.json()["decisions"][0]["actions"][0]["title"] == "Fit counters"
    assert api_client.post(f"{url}sign-off/").status_code == 403  # a quality manager
    api_client.force_authenticate(cast.alice)
    assert api_client.post(f"{url}sign-off/", {"comment": "Agreed"}).json()["status"] == (
        "signed_off"
    )
    # Locked: a step now answers 409 and changes nothing.
    api_client.force_authenticate(cast.quinn)
    refused = api_client.post(f"{url}record/", {"minutes": "Rewritten"}, format="json")
    assert refused.status_code == 409
    assert "signed off" in refused.json()["detail"]
    assert ManagementReview.objects.get().minutes == "Discussed."
    assert api_client.post(f"{url}addenda/", {"text": "Typo"}).status_code == 201


def test_roles_tenancy_and_bad_input(api_client, cast, members):
    api_client.force_authenticate(cast.quinn)
    number = api_client.post(BASE, {"planned_on": "2026-12-31"}, format="json").json()["number"]
    url = f"{BASE}{number}/"
    assert api_client.post(f"{url}hold/", {"held_on": "someday"}).status_code == 400
    assert api_client.post(BASE, {"planned_on": "2026-13-40"}, format="json").status_code == 400
    assert api_client.post(f"{url}commentary/", {"key": "zz", "commentary": "x"}).status_code == 400
    foreign = {"title": "X", "planned_on": "2026-12-31", "chair": members["quinn"].pk}
    assert api_client.post(BASE, foreign, format="json").status_code == 400  # not an executive
    for user, code in ((cast.audrey, 403), (cast.carl, 403)):
        api_client.force_authenticate(user)
        assert api_client.get(url).status_code == 200
        assert api_client.post(f"{url}prepare/").status_code == code
    api_client.force_authenticate(cast.bob)
    assert api_client.get(url).status_code == 404
    assert (
        api_client.get(f"/api/v1/organizations/beta-rival/management-reviews/{number}/").status_code
        == 404
    )
    assert ManagementReview.objects.get().status == "planned"
    assert not Action.objects.exists()


def test_a_schedule_is_set_up_through_the_api_and_plans_its_first_review(api_client, cast):
    from qms.core.models import OrgUnit

    url = "/api/v1/organizations/acme-test/management-review-schedules/"
    api_client.force_authenticate(cast.quinn)
    foreign_unit = OrgUnit.objects.filter(organization=cast.org_b).first()
    bad = {"title": "Q", "interval_months": 3, "first_planned_on": "2026-12-31"}
    assert api_client.post(url, {**bad, "org_unit": foreign_unit.pk}).status_code == 400
    assert api_client.post(url, {**bad, "interval_months": 0}).status_code == 400
    created = api_client.post(url, bad)
    assert created.status_code == 201, created.content
    assert ManagementReview.objects.get().planned_on == datetime.date(2026, 12, 31)
    api_client.force_authenticate(cast.carl)
    assert api_client.get(url).json()["results"][0]["interval_months"] == 3
    assert api_client.post(url, bad).status_code == 403
    api_client.force_authenticate(cast.bob)
    assert api_client.get(url).status_code == 404
