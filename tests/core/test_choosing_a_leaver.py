"""Choosing someone who has left as an owner, chair or holder (a page opened before they were
deactivated, or an id sent to the API) says who left and when, instead of "No member 17" or
"Select a valid choice"; another organisation's member, left or not, stays unknown and named
nowhere (issue-20 fifth try-out)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from objectives.models import QualityObjective
from qms.core.actions.models import Action
from qms.core.models import Membership
from qms.core.roles import Role
from reviews.models import ManagementReview
from tests.factories import MembershipFactory, UserFactory
from tests.objectives.test_api import payload as objective_payload
from tests.objectives.test_pages import form_data as objective_form

pytestmark = pytest.mark.django_db

LEFT_ON = datetime.datetime(2026, 11, 20, 15, 0, tzinfo=datetime.UTC)
SENTENCE = (
    "Lena Leaver has left this organisation (deactivated on 20 November 2026); choose a "
    "current member."
)


def _left(org, username, first, last, role=Role.EXECUTIVE) -> Membership:
    user = UserFactory(username=username, first_name=first, last_name=last)
    return MembershipFactory(
        user=user, organization=org, role=role, is_active=False, deactivated_at=LEFT_ON
    )


@pytest.fixture
def lena(cast):
    """An executive of organisation A who left on 20 November 2026."""
    return _left(cast.org_a, "lena", "Lena", "Leaver")


@pytest.fixture
def bertha(cast):
    """An executive who left organisation B: nothing of her may show in A."""
    return _left(cast.org_b, "bertha", "Bertha", "Elsewhere")


def _in_days(days: int) -> str:
    return (timezone.localdate() + datetime.timedelta(days=days)).isoformat()


def test_the_objective_form_says_the_chosen_owner_has_left(client, cast, lena):
    client.force_login(cast.quinn)
    page = client.post(reverse("objectives:create", args=["acme-test"]),
                       objective_form(cast, owner=lena.pk))  # fmt: skip
    assert page.status_code == 400
    html = page.content.decode()
    assert SENTENCE in html
    assert "Select a valid choice" not in html
    assert not QualityObjective.objects.exists()


def test_the_action_form_says_the_chosen_executive_has_left(client, cast, members, lena):
    client.force_login(cast.quinn)
    form = {
        "title": "Fix the gauge",
        "description": "",
        "owner": members["carl"].pk,
        "accountable_executive": lena.pk,
        "due_date": _in_days(14),
    }
    page = client.post(reverse("core:action-new", args=["acme-test"]), form)
    assert page.status_code == 400
    assert SENTENCE in page.content.decode()
    assert not Action.objects.exists()


def test_another_organisations_leaver_stays_unknown_on_a_page(client, cast, bertha):
    client.force_login(cast.quinn)
    page = client.post(reverse("objectives:create", args=["acme-test"]),
                       objective_form(cast, owner=bertha.pk))  # fmt: skip
    assert page.status_code == 400
    html = page.content.decode()
    assert "Bertha" not in html and "has left" not in html


@pytest.mark.parametrize("field", ["owner", "accountable_executive"])
def test_the_objectives_api_says_the_chosen_member_has_left(api_client, cast, lena, field):
    api_client.force_authenticate(cast.quinn)
    response = api_client.post(
        "/api/v1/organizations/acme-test/objectives/",
        objective_payload(cast, **{field: lena.pk}),
        format="json",
    )
    assert response.status_code == 400
    assert response.json()[field] == [SENTENCE]
    assert not QualityObjective.objects.exists()


def test_the_actions_api_says_the_chosen_owner_has_left(api_client, cast, members, lena):
    api_client.force_authenticate(cast.quinn)
    body = {"title": "Fix the gauge", "owner": lena.pk,
            "accountable_executive": members["alice"].pk, "due_date": _in_days(14)}  # fmt: skip
    response = api_client.post("/api/v1/organizations/acme-test/actions/", body, format="json")
    assert response.status_code == 400
    assert SENTENCE in str(response.json())
    assert not Action.objects.exists()


def test_a_workflow_step_says_the_chosen_chair_has_left(api_client, cast, lena):
    api_client.force_authenticate(cast.quinn)
    body = {"title": "Q4 review", "planned_on": _in_days(30), "chair": lena.pk}
    response = api_client.post(
        "/api/v1/organizations/acme-test/management-reviews/", body, format="json"
    )
    assert response.status_code == 400
    assert response.json()["chair"] == [SENTENCE]
    assert not ManagementReview.objects.exists()


def test_another_organisations_leaver_stays_unknown_in_the_api(api_client, cast, bertha):
    api_client.force_authenticate(cast.quinn)
    response = api_client.post(
        "/api/v1/organizations/acme-test/objectives/",
        objective_payload(cast, owner=bertha.pk),
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["owner"] == [f"No member {bertha.pk} in this organisation."]
    assert "Bertha" not in response.content.decode()
