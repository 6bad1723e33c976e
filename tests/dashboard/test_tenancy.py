"""A member sees only their organisation on the dashboard, whatever the URL says."""

import pytest
from django.urls import reverse

from qms.core.models import Membership, OrgUnit
from tests.objectives.factories import make_objective

pytestmark = pytest.mark.django_db
URL = reverse("dashboard:dashboard", args=["acme-test"])


def test_another_organisations_member_gets_404(client, cast):
    client.force_login(cast.bob)
    assert client.get(URL).status_code == 404
    csv = reverse("dashboard:table-csv", args=["acme-test", "objectives"])
    assert client.get(csv).status_code == 404


def test_anonymous_is_sent_to_login(client, cast):
    response = client.get(URL)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_foreign_unit_in_the_url_is_refused_not_leaked(client, cast):
    make_objective(cast, code="OBJ-A1")
    make_objective(cast, code="OBJ-B1", org=cast.org_b)
    beta_hq = OrgUnit.objects.get(organization=cast.org_b)
    client.force_login(cast.alice)
    response = client.get(URL, {"unit": beta_hq.pk})
    page = response.content.decode()
    assert response.status_code == 200
    assert "not one of this organisation" in page
    assert "Beta HQ" not in page and "OBJ-B1" not in page
    assert response.context["filters"].unit is None
    assert "OBJ-A1" in page


def test_foreign_executive_and_objective_codes_are_ignored(client, cast):
    make_objective(cast, code="OBJ-B1", org=cast.org_b)
    foreign = Membership.objects.get(organization=cast.org_b, role="executive")
    client.force_login(cast.alice)
    response = client.get(URL + f"?executive={foreign.pk}&objective=OBJ-B1")
    page = response.content.decode()
    assert "That executive is not one of this organisation" in page
    assert response.context["data"].kpi_series == []
    assert "Bob" not in page


def test_every_role_can_open_the_dashboard(client, cast):
    for user in (cast.alice, cast.quinn, cast.carl, cast.audrey, cast.adam):
        client.force_login(user)
        assert client.get(URL).status_code == 200


def test_executives_home_page_points_to_the_dashboard(client, cast):
    client.force_login(cast.alice)
    page = client.get(reverse("core:org-home", args=["acme-test"])).content.decode()
    assert "Open the dashboard" in page
    client.force_login(cast.carl)
    page = client.get(reverse("core:org-home", args=["acme-test"])).content.decode()
    assert "Open the dashboard" not in page
