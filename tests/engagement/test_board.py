"""The staff quality board: every member sees the vision and policy with their own
acknowledgement, their unit's and the company's objectives with status and trend, recent
announcements and recognitions, and how to suggest; in a constant number of queries."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from leadership.communication import services as communication_services
from leadership.engagement.selectors.board import staff_board
from leadership.engagement.services import recognition as recognition_services
from leadership.services import policy as policy_services
from objectives.models import Granularity, KpiRollup, QualityObjective
from objectives.periods import month_end
from tests.objectives.factories import make_objective

pytestmark = pytest.mark.django_db
BOARD = reverse("engagement:board", args=["acme-test"])


@pytest.fixture
def published(cast, members):
    s = policy_services
    policy = s.policy_get_or_create(organization=cast.org_a, actor=cast.quinn)
    version = s.policy_version_create_draft(
        policy=policy,
        membership=members["quinn"],
        text="# Our vision\n\nRight first time, every time.\n\nWe satisfy our customers.",
    )
    s.policy_version_submit(version=version, membership=members["quinn"])
    s.policy_version_approve(version=version, approver=members["alice"], comment="Agreed")
    return s.policy_version_publish(version=version, membership=members["quinn"])


def monthly(objective, values):
    end = month_end(timezone.localdate())
    for value in reversed(values):
        end = month_end(end.replace(day=1) - datetime.timedelta(days=1))
        KpiRollup.objects.create(
            organization_id=objective.organization_id,
            objective=objective,
            org_unit_id=objective.org_unit_id,
            granularity=Granularity.MONTH,
            period_end=end,
            value=Decimal(value),
            measurement_count=1,
            status="green",
            computed_at=timezone.now(),
        )


def test_every_member_sees_the_board_and_another_organisation_gets_404(client, cast):
    for user in (cast.alice, cast.quinn, cast.carl, cast.audrey, cast.adam):
        client.force_login(user)
        assert client.get(BOARD).status_code == 200
    client.force_login(cast.bob)
    assert client.get(BOARD).status_code == 404


def test_the_board_shows_the_vision_and_the_members_own_acknowledgement(
    client, cast, members, published
):
    client.force_login(cast.carl)
    page = client.get(BOARD).content.decode()
    assert "Right first time, every time." in page
    assert "Not yet acknowledged" in page
    policy_services.policy_acknowledge(version=published, membership=members["carl"])
    page = client.get(BOARD).content.decode()
    assert "You have read and acknowledged the current policy." in page


def test_the_board_shows_unit_and_company_objectives_with_status_and_a_trend(
    client, cast, placed, units
):
    company = make_objective(cast, code="OBJ-01", unit=units["A"])
    plant = make_objective(cast, code="OBJ-02", unit=units["A1"])
    make_objective(cast, code="OBJ-03", unit=units["A1"], status="draft")
    monthly(company, ["90", "92", "94"])
    monthly(plant, ["96", "94"])
    QualityObjective.objects.filter(pk=plant.pk).update(current_status="amber")
    board = staff_board(membership=placed["carl"], today=timezone.localdate())
    assert [row.objective.code for row in board.unit_objectives] == ["OBJ-02"]
    assert [row.objective.code for row in board.company_objectives] == ["OBJ-01"]
    assert board.company_objectives[0].trend == "Improving over the last 3 months"
    assert board.unit_objectives[0].trend == "Worsening over the last 2 months"
    client.force_login(cast.carl)
    page = client.get(BOARD).content.decode()
    assert "OBJ-03" not in page  # drafts are not shown
    assert '<span class="status status-amber">At risk</span>' in page


def test_the_board_shows_announcements_recognitions_and_the_members_suggestions(
    client, cast, placed
):
    communication_services.announcement_publish(
        author=placed["quinn"], title="Q1 results are in", body="All green."
    )
    recognition_services.recognition_give(
        executive=placed["alice"], note="For the gauge boards.", recipient=placed["carl"]
    )
    client.force_login(cast.carl)
    page = client.get(BOARD).content.decode()
    assert "Q1 results are in" in page
    assert "For the gauge boards." in page
    assert "Make a suggestion" in page


def test_the_board_costs_the_same_number_of_queries_however_much_there_is(
    client, cast, placed, units, published, django_assert_max_num_queries
):
    make_objective(cast, code="OBJ-01", unit=units["A"])
    client.force_login(cast.carl)
    with django_assert_max_num_queries(40) as few:
        client.get(BOARD)
    for n in range(2, 14):
        objective = make_objective(cast, code=f"OBJ-{n:02d}", unit=units["A1" if n % 2 else "A"])
        monthly(objective, ["90", "91", "92", "93"])
    for n in range(6):
        communication_services.announcement_publish(
            author=placed["quinn"], title=f"Update {n}", body="News."
        )
        recognition_services.recognition_give(
            executive=placed["alice"], note=f"Thanks {n}", team=units["A1"]
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(BOARD)
