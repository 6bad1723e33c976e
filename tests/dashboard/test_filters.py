"""Filters change what the dashboard shows: unit subtree, executive, period; bad input falls
back to the defaults with a sentence, never an error."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from objectives.models import QualityObjective
from qms.core.models import OrgUnit
from qms.core.roles import Role
from qms.dashboard.filters import CUSTOM, LAST_12_MONTHS, THIS_QUARTER, period_for
from tests.factories import MembershipFactory, UserFactory
from tests.objectives.factories import make_objective

pytestmark = pytest.mark.django_db
URL = reverse("dashboard:dashboard", args=["acme-test"])


def _objective(cast, code, status, **kwargs):
    objective = make_objective(cast, code=code, **kwargs)
    QualityObjective.objects.filter(pk=objective.pk).update(current_status=status)
    return objective


def _rows(response, table="objectives"):
    return [[str(c) for c in row] for row in response.context["panels"][table].rows]


@pytest.fixture
def plant(cast):
    return OrgUnit.objects.get(organization=cast.org_a, code="A1")


def test_unit_filter_rolls_up_the_subtree_only(client, cast, plant):
    _objective(cast, "OBJ-01", "red")  # at the top unit
    _objective(cast, "OBJ-02", "green", unit=plant)
    client.force_login(cast.alice)
    everything = client.get(URL)
    assert [r[0] for r in _rows(everything)] == ["OBJ-01", "OBJ-02"]
    assert "1 of 2 active objectives are off track" in everything.content.decode()

    plant_only = client.get(URL, {"unit": plant.pk})
    assert [r[0] for r in _rows(plant_only)] == ["OBJ-02"]
    assert "0 of 1 active objectives are off track" in plant_only.content.decode()


def test_executive_filter_keeps_their_objectives_and_their_row(client, cast, members):
    olivia = MembershipFactory(
        user=UserFactory(username="olivia", first_name="Olivia"),
        organization=cast.org_a,
        role=Role.EXECUTIVE,
    )
    _objective(cast, "OBJ-01", "red", accountable_executive=members["alice"])
    _objective(cast, "OBJ-02", "amber", accountable_executive=olivia)
    client.force_login(cast.quinn)
    response = client.get(URL, {"executive": olivia.pk})
    assert [r[0] for r in _rows(response)] == ["OBJ-02"]
    assert [r[0] for r in _rows(response, "accountability")] == [olivia.display_name]
    # Her objectives lead the KPI trends.
    assert [s.objective.code for s in response.context["data"].kpi_series] == ["OBJ-02"]


def test_periods_give_their_dates():
    today = datetime.date(2026, 11, 23)
    quarter = period_for(THIS_QUARTER, today)
    assert (quarter.start, quarter.end) == (datetime.date(2026, 10, 1), today)
    year = period_for(LAST_12_MONTHS, today)
    assert (year.start, year.end) == (datetime.date(2025, 12, 1), today)
    assert len(year.month_ends()) == 12
    # A quarter's trend is widened to six months so that it shows a trend.
    assert quarter.month_ends()[0] == datetime.date(2026, 6, 30)
    custom = period_for(CUSTOM, today, datetime.date(2026, 1, 1), datetime.date(2026, 3, 31))
    assert custom.month_ends(minimum=1) == [
        datetime.date(2026, 1, 31),
        datetime.date(2026, 2, 28),
        datetime.date(2026, 3, 31),
    ]


def test_custom_period_changes_the_trend_months(client, cast):
    client.force_login(cast.alice)
    response = client.get(URL, {"period": "custom", "start": "2025-01-01", "end": "2025-12-31"})
    months = [r[0] for r in _rows(response, "action-closure")]
    assert months[0] == "2025-01-31" and months[-1] == "2025-12-31"
    default = client.get(URL)
    assert [r[0] for r in _rows(default, "action-closure")] != months


@pytest.mark.parametrize(
    "query",
    [
        {"period": "custom", "start": "2026-05-01", "end": "2026-01-01"},
        {"period": "custom", "start": "not a date"},
        {"period": "decade"},
        {"unit": "abc"},
        {"executive": "999999"},
    ],
)
def test_bad_filters_fall_back_with_a_sentence(client, cast, query):
    client.force_login(cast.alice)
    response = client.get(URL, query)
    assert response.status_code == 200
    messages = [str(m) for m in response.context["messages"]]
    assert messages and messages[0].startswith(("That", "The custom period"))
    assert response.context["filters"].period.key == "12m"


def test_unknown_objective_codes_are_named_and_ignored(client, cast):
    _objective(cast, "OBJ-01", "red")
    client.force_login(cast.alice)
    response = client.get(URL + "?objective=OBJ-01&objective=OBJ-99")
    assert [s.objective.code for s in response.context["data"].kpi_series] == ["OBJ-01"]
    assert any("OBJ-99" in str(m) for m in response.context["messages"])


def test_action_figures_follow_the_unit_and_executive_filters(client, cast, members, plant):
    from qms.core.actions import services
    from qms.core.actions.models import Action

    Membership = type(members["carl"])
    Membership.objects.filter(pk=members["carl"].pk).update(org_unit=plant)
    olivia = MembershipFactory(
        user=UserFactory(username="olivia", first_name="Olivia"),
        organization=cast.org_a,
        role=Role.EXECUTIVE,
    )
    members["olivia"] = olivia
    due = timezone.localdate() + datetime.timedelta(days=3)
    for owner, executive in (("carl", "alice"), ("quinn", "alice"), ("quinn", "olivia")):
        services.action_create(
            organization=cast.org_a,
            raised_by=members["quinn"],
            title=f"Owned by {owner}",
            owner=members[owner],
            accountable_executive=members[executive],
            due_date=due,
        )
    Action.objects.update(due_date=timezone.localdate() - datetime.timedelta(days=3))
    client.force_login(cast.alice)

    def overdue_tile(query):
        data = client.get(URL, query).context["data"]
        return data.actions.overdue_at_end, data.actions_scope_label

    assert overdue_tile({}) == (3, "whole organisation")
    # Actions belong to no unit: a unit counts those owned by its members.
    assert overdue_tile({"unit": plant.pk}) == (1, f"owned in {plant.name}")
    assert overdue_tile({"executive": members["alice"].pk}) == (
        2,
        f"{members['alice'].display_name} accountable",
    )
