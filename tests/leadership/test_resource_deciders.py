"""A resource request waits for the person who must decide it, once: the accountable executive
of its objective (a request tied to no objective waits for any executive). Issue 21: one
request read as two on the executive's dashboard and home page, and every executive was told
"waits for your decision" though one of them was the approver."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from leadership.models import ResourceAllocation
from leadership.services import resources as resource_services
from qms.core.models import OrgUnit
from qms.core.notifications.models import Notification
from qms.core.roles import Role
from tests.factories import MembershipFactory, UserFactory
from tests.objectives.factories import make_objective

pytestmark = pytest.mark.django_db


@pytest.fixture
def olga(cast):
    """A second executive of organisation A, accountable for nothing here."""
    user = UserFactory(username="olga", first_name="Olga", last_name="Ode")
    return MembershipFactory(user=user, organization=cast.org_a, role=Role.EXECUTIVE)


def _request(members, **target):
    return resource_services.allocation_request(
        membership=members["carl"],
        kind=ResourceAllocation.Kind.BUDGET,
        title="Second CMM",
        amount=Decimal("1500"),
        period_start=datetime.date(2026, 1, 1),
        period_end=datetime.date(2026, 12, 31),
        **target,
    )


def told(kind="resource-decision"):
    return sorted(
        Notification.objects.filter(kind=kind, resolved_at__isnull=True).values_list(
            "recipient__user__username", flat=True
        )
    )


def test_a_request_for_an_objective_reaches_its_accountable_executive_only(cast, members, olga):
    objective = make_objective(cast, owner=members["carl"], accountable_executive=members["alice"])
    _request(members, objective=objective)
    assert told() == ["alice"]


def test_a_request_tied_to_no_objective_reaches_every_executive(cast, members, olga):
    _request(members, org_unit=OrgUnit.objects.get(code="A1"))
    assert told() == ["alice", "olga"]


def test_the_executives_home_page_counts_the_request_once_as_theirs(client, cast, members, olga):
    objective = make_objective(cast, owner=members["carl"], accountable_executive=members["alice"])
    _request(members, objective=objective)
    home = reverse("core:org-home", args=["acme-test"])
    client.force_login(cast.alice)
    html = client.get(home).content.decode()
    assert "Waiting for your decision:" in html
    assert "1 resource request<" in html
    assert "Waiting for any executive" not in html
    client.force_login(olga.user)
    html = client.get(home).content.decode()
    assert "Waiting for your decision" not in html
    assert "Waiting for any executive" not in html


def test_the_dashboard_counts_a_named_executives_request_once(client, cast, members, olga):
    objective = make_objective(cast, owner=members["carl"], accountable_executive=members["alice"])
    _request(members, objective=objective)
    client.force_login(cast.alice)
    html = client.get(reverse("dashboard:dashboard", args=["acme-test"])).content.decode()
    assert "1 decision waits for a named executive" in html
    assert "0 policy versions and 0 resource requests." in html
