"""Top management pages: each executive's objectives, actions and decisions at a glance."""

import datetime

import pytest
from django.urls import reverse

from leadership.selectors.accountability import executive_records
from qms.core.actions.services import action_create
from qms.core.models import Membership
from qms.core.roles import Role
from tests.factories import MembershipFactory, UserFactory
from tests.objectives.factories import make_objective

pytestmark = pytest.mark.django_db


def _objective(cast, code, status, **kwargs):
    objective = make_objective(cast, code=code, **kwargs)
    # The stored status is what rollups compute; set it directly for the page under test.
    type(objective).objects.filter(pk=objective.pk).update(current_status=status)
    return objective


def _raise(members, title, due, **kwargs):
    return action_create(
        organization=members["quinn"].organization,
        raised_by=members["quinn"],
        title=title,
        owner=members["carl"],
        accountable_executive=members["alice"],
        due_date=due,
        today=datetime.date(2026, 1, 1),
        **kwargs,
    )


def test_each_executive_shows_objectives_by_status_and_overdue_actions(client, cast, members):
    _objective(cast, "OBJ-01", "red")
    _objective(cast, "OBJ-02", "green")
    _raise(members, "Late one", datetime.date(2026, 1, 10))
    _raise(members, "Future one", datetime.date(2099, 1, 1))
    client.force_login(cast.audrey)
    page = client.get(reverse("leadership:executives", args=["acme-test"])).content.decode()
    assert "1 off track" in page
    assert "1 on track" in page
    assert "1 overdue" in page  # overdue in words, not colour alone


def test_the_page_costs_the_same_queries_for_one_and_five_executives(
    client, cast, members, django_assert_max_num_queries
):
    client.force_login(cast.quinn)
    url = reverse("leadership:executives", args=["acme-test"])
    with django_assert_max_num_queries(20) as one:
        client.get(url)
    for n in range(4):
        MembershipFactory(
            user=UserFactory(username=f"exec{n}"), organization=cast.org_a, role=Role.EXECUTIVE
        )
    with django_assert_max_num_queries(len(one.captured_queries)):
        client.get(url)


def test_records_only_count_the_organisations_own(cast, members):
    _objective(cast, "OBJ-B1", "red", org=cast.org_b)
    records = executive_records(organization=cast.org_a)
    assert [r.executive.user.username for r in records] == ["alice"]
    assert records[0].objectives_total == 0


def test_executive_page_lists_open_actions_they_answer_for(client, cast, members):
    _raise(members, "Second supplier for anodising", datetime.date(2099, 1, 1))
    client.force_login(cast.carl)
    alice = Membership.objects.get(user=cast.alice)
    page = client.get(
        reverse("leadership:executive-detail", args=["acme-test", alice.pk])
    ).content.decode()
    assert "Second supplier for anodising" in page


def test_decisions_waiting_for_an_executive_are_counted_on_their_row(client, cast, members):
    from decimal import Decimal

    from leadership.services.resources import allocation_request
    from reviews.services.management_reviews import review_hold, review_plan

    objective = _objective(cast, "OBJ-01", "red")  # alice is accountable
    for title in ("Second CMM", "Training budget"):
        allocation_request(
            membership=members["quinn"],
            title=title,
            kind="budget",
            amount=Decimal("1000"),
            objective=objective,
            org_unit=objective.org_unit,
            period_start=datetime.date(2026, 1, 1),
            period_end=datetime.date(2026, 12, 31),
        )
    review = review_plan(
        membership=members["quinn"], planned_on=datetime.date(2026, 1, 5), chair=members["alice"]
    )
    review_hold(
        review=review,
        membership=members["quinn"],
        held_on=datetime.date(2026, 1, 5),
        today=datetime.date(2026, 1, 6),
    )
    (record,) = executive_records(organization=cast.org_a)
    assert record.pending_total == 3
    assert record.pending_text == "2 resource requests, 1 review to sign off"
    client.force_login(cast.audrey)
    page = client.get(reverse("leadership:executives", args=["acme-test"])).content.decode()
    assert "2 resource requests, 1 review to sign off" in page
    dashboard = client.get(reverse("dashboard:dashboard", args=["acme-test"])).content.decode()
    assert "2 resource requests, 1 review to sign off" in dashboard
