"""Object-level rules on top of the role matrix (`test_roles`), on the demo organisation:
a contributor changes only what they own or are assigned, auditors change nothing, and only
executives approve and sign off. Each through the page and the API a user would use."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from leadership.models import PolicyVersion
from objectives.models import QualityObjective
from qms.core.actions.models import Action, ActionStatus
from reviews.models import ManagementReview
from tests.seeded import demo_for_module

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with demo_for_module(django_db_blocker) as context:
        yield context


def _api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def _mine_and_not(model, membership, field="owner", **filters):
    rows = model.objects.filter(organization=membership.organization, **filters)
    mine = rows.filter(**{field: membership}).first()
    other = rows.exclude(**{field: membership}).first()
    assert mine is not None and other is not None, "the demo has both kinds"
    return mine, other


def test_a_contributor_logs_values_only_on_objectives_they_own(client, demo):
    carla = demo.members["contributor"]
    mine, other = _mine_and_not(QualityObjective, carla)
    client.force_login(carla.user)
    count = other.measurements.count()
    data = {"period_end": "2020-01-31", "value": "1"}
    for code, expected in ((other.code, {403}), (mine.code, {302, 400})):
        url = reverse("objectives:log", args=["acme", code])
        assert client.post(url, data).status_code in expected, code
    api = _api(carla.user)
    url = "/api/v1/organizations/acme/measurements/"
    refused = api.post(url, {**data, "objective": other.code}, format="json")
    assert refused.status_code == 403
    assert other.measurements.count() == count  # nothing changed
    assert api.post(url, {**data, "objective": mine.code}, format="json").status_code != 403


def test_a_contributor_works_only_on_actions_they_are_assigned(client, demo):
    carla = demo.members["contributor"]
    mine, other = _mine_and_not(Action, carla, status=ActionStatus.OPEN)
    client.force_login(carla.user)
    refused = client.post(reverse("core:action-start", args=["acme", other.number]))
    assert refused.status_code == 403
    other.refresh_from_db()
    assert other.status == ActionStatus.OPEN
    assert _api(carla.user).post(
        f"/api/v1/organizations/acme/actions/{other.number}/start/"
    ).status_code in (403, 404)
    started = client.post(reverse("core:action-start", args=["acme", mine.number]))
    assert started.status_code == 302
    mine.refresh_from_db()
    assert mine.status == ActionStatus.IN_PROGRESS
    # Editing an action (title, owner, due date) is the quality team's, even one's own.
    edit = client.post(reverse("core:action-edit", args=["acme", mine.number]), {"title": "x"})
    assert edit.status_code == 403


def test_auditors_change_nothing_even_where_a_view_would_let_them(client, demo):
    """The guard in front of every page: an auditor's write is refused before the view runs,
    except on their own things (packs, notifications, calendar)."""
    arthur = demo.members["auditor"].user
    objective = QualityObjective.objects.filter(organization=demo.organization).first()
    client.force_login(arthur)
    for url in (
        reverse("objectives:log", args=["acme", objective.code]),
        reverse("leadership:policy-acknowledge", args=["acme"]),
        reverse("engagement:suggestion-new", args=["acme"]),
    ):
        assert client.post(url, {"value": "1"}).status_code == 403, url
    assert client.post(reverse("core:notifications-read-all", args=["acme"])).status_code == 302
    api = _api(arthur)
    assert api.post("/api/v1/organizations/acme/suggestions/", {}).status_code == 403


def test_only_executives_approve_policies_and_sign_off_reviews(client, demo):
    version = PolicyVersion.objects.filter(organization=demo.organization).last()
    review = ManagementReview.objects.filter(organization=demo.organization).last()
    for who in ("quality", "admin", "contributor", "auditor"):
        user = demo.members[who].user
        client.force_login(user)
        approve = reverse("leadership:policy-approve", args=["acme", version.number])
        assert client.post(approve).status_code == 403, who
        sign_off = reverse("reviews:sign-off", args=["acme", review.number])
        assert client.post(sign_off, {"comment": "ok"}).status_code == 403, who
        api = _api(user)
        answer = api.post(f"/api/v1/organizations/acme/policy-versions/{version.number}/approve/")
        assert answer.status_code == 403, who
    client.force_login(demo.members["executive"].user)
    approve = reverse("leadership:policy-approve", args=["acme", version.number])
    assert client.post(approve).status_code != 403
