"""Milestones found in the data, each proposed exactly once to the accountable executive, who
alone recognises them."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from leadership.engagement.milestones import last_completed_quarter, milestones_detect
from leadership.engagement.models import Milestone, MilestoneKind, Recognition
from leadership.engagement.selectors import recognitions_given
from leadership.engagement.services import recognition as services
from leadership.engagement.tasks import detect_milestones
from objectives.models import Granularity, KpiRollup
from qms.core.actions.models import Action, ActionStatus
from qms.core.actions.services import action_create
from qms.core.immutable import NotAllowed
from qms.core.notifications.models import Notification
from tests.objectives.factories import make_objective

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 5, 20)


def rollups(objective, values_and_statuses, last_end=datetime.date(2026, 4, 30)):
    """Monthly rollups ending at `last_end`, oldest first: [(value, status), ...]."""
    ends = [last_end]
    while len(ends) < len(values_and_statuses):
        ends.append(ends[-1].replace(day=1) - datetime.timedelta(days=1))
    ends.reverse()
    for end, (value, status) in zip(ends, values_and_statuses, strict=True):
        KpiRollup.objects.create(
            organization_id=objective.organization_id,
            objective=objective,
            org_unit_id=objective.org_unit_id,
            granularity=Granularity.MONTH,
            period_end=end,
            value=Decimal(value),
            measurement_count=1,
            status=status,
            computed_at=timezone.now(),
        )


def test_an_objective_reaching_its_target_is_proposed_once_to_its_executive(cast, members):
    objective = make_objective(cast)  # higher is better, target 95, accountable alice
    rollups(objective, [("90", "red"), ("96", "green")])
    created = milestones_detect(organization=cast.org_a, today=TODAY)
    assert [(m.kind, m.executive) for m in created] == [
        (MilestoneKind.TARGET_REACHED, members["alice"])
    ]
    assert milestones_detect(organization=cast.org_a, today=TODAY) == []
    assert detect_milestones() == 0
    assert Milestone.objects.count() == 1
    notification = Notification.objects.get(recipient=members["alice"])
    assert "reached its target" in notification.title


def test_an_objective_below_its_target_is_no_milestone(cast):
    objective = make_objective(cast)
    rollups(objective, [("94", "green")])
    assert milestones_detect(organization=cast.org_a, today=TODAY) == []


def test_a_lower_is_better_objective_reaches_its_target_at_or_below_it(cast):
    objective = make_objective(
        cast,
        direction="lower",
        target=Decimal("2"),
        amber_threshold=Decimal("3"),
        red_threshold=Decimal("4"),
        baseline=Decimal("5"),
    )
    rollups(objective, [("1.5", "green")])
    assert [m.kind for m in milestones_detect(organization=cast.org_a, today=TODAY)] == [
        MilestoneKind.TARGET_REACHED
    ]


def test_green_for_three_consecutive_periods_is_proposed_once_for_the_streak(cast, settings):
    settings.MILESTONE_GREEN_PERIODS = 3
    objective = make_objective(cast)
    rollups(objective, [("93", "amber"), ("93", "green"), ("93.5", "green"), ("94", "green")])
    created = milestones_detect(organization=cast.org_a, today=TODAY)
    assert [m.kind for m in created] == [MilestoneKind.GREEN_STREAK]
    assert created[0].key == f"green:{objective.pk}:2026-02-28"
    # The streak goes on a month: still the same streak, nothing new.
    rollups(objective, [("94", "green")], last_end=datetime.date(2026, 5, 31))
    assert milestones_detect(organization=cast.org_a, today=datetime.date(2026, 6, 5)) == []


def test_two_green_periods_or_a_gap_is_not_a_streak(cast, settings):
    settings.MILESTONE_GREEN_PERIODS = 3
    objective = make_objective(cast)
    rollups(objective, [("93", "green"), ("93", "red"), ("93", "green"), ("93", "green")])
    assert milestones_detect(organization=cast.org_a, today=TODAY) == []


def _action(members, owner, due, closed_on=None):
    action = action_create(
        organization=owner.organization,
        raised_by=members["quinn"],
        title="Fix",
        owner=owner,
        accountable_executive=members["alice"],
        due_date=due,
        today=due - datetime.timedelta(days=30),
    )
    if closed_on is not None:
        closed_at = timezone.make_aware(datetime.datetime.combine(closed_on, datetime.time(12)))
        Action.objects.filter(pk=action.pk).update(
            status=ActionStatus.DONE, closed_at=closed_at, closing_note="Done.", closed_by=owner
        )
    return action


def test_a_unit_closing_all_its_quarters_actions_on_time_is_proposed_once(cast, placed, units):
    start, end = last_completed_quarter(TODAY)
    assert (start, end) == (datetime.date(2026, 1, 1), datetime.date(2026, 3, 31))
    _action(placed, placed["carl"], datetime.date(2026, 2, 10), closed_on=datetime.date(2026, 2, 9))
    _action(
        placed, placed["quinn"], datetime.date(2026, 3, 31), closed_on=datetime.date(2026, 3, 31)
    )
    # The company level closed one late: no milestone for it.
    _action(placed, placed["adam"], datetime.date(2026, 3, 1), closed_on=datetime.date(2026, 3, 5))
    created = milestones_detect(organization=cast.org_a, today=TODAY)
    assert [(m.kind, m.org_unit, m.executive) for m in created] == [
        (MilestoneKind.ACTIONS_ON_TIME, units["A1"], placed["alice"])
    ]
    assert "Q1 2026" in created[0].title
    assert milestones_detect(organization=cast.org_a, today=TODAY) == []


def test_a_unit_with_an_action_still_open_is_no_milestone(cast, placed):
    _action(placed, placed["carl"], datetime.date(2026, 2, 10), closed_on=datetime.date(2026, 2, 9))
    _action(placed, placed["quinn"], datetime.date(2026, 3, 10))
    assert milestones_detect(organization=cast.org_a, today=TODAY) == []


def test_the_executive_recognises_a_milestone_with_a_note_to_the_person(client, cast, members):
    objective = make_objective(cast, owner=members["carl"])
    rollups(objective, [("96", "green")])
    milestone = milestones_detect(organization=cast.org_a, today=TODAY)[0]
    client.force_login(cast.alice)
    page = client.get(
        reverse("engagement:recognition-new", args=["acme-test"]) + f"?milestone={milestone.pk}"
    )
    assert page.status_code == 200
    response = client.post(
        reverse("engagement:recognition-new", args=["acme-test"]),
        {"milestone": milestone.pk, "recipient": members["carl"].pk, "note": "Well done, Carl."},
    )
    assert response.status_code == 302
    recognition = Recognition.objects.get()
    assert (recognition.milestone, recognition.recipient, recognition.given_by) == (
        milestone,
        members["carl"],
        members["alice"],
    )
    assert not Milestone.objects.awaiting_recognition().exists()
    client.force_login(cast.carl)
    assert (
        "Well done, Carl."
        in client.get(reverse("engagement:board", args=["acme-test"])).content.decode()
    )


@pytest.mark.parametrize("who", ["quinn", "carl", "adam", "audrey"])
def test_only_executives_recognise(client, api_client, cast, members, who):
    with pytest.raises(NotAllowed):
        services.recognition_give(executive=members[who], note="Thanks", recipient=members["carl"])
    client.force_login(getattr(cast, who))
    url = reverse("engagement:recognition-new", args=["acme-test"])
    assert client.post(url, {"recipient": members["carl"].pk, "note": "Hi"}).status_code == 403
    api_client.force_authenticate(getattr(cast, who))
    response = api_client.post(
        "/api/v1/organizations/acme-test/recognitions/",
        {"recipient": members["carl"].pk, "note": "Hi"},
        format="json",
    )
    assert response.status_code == 403
    assert not Recognition.objects.exists()


def test_a_recognition_needs_a_person_or_a_team_of_this_organisation(api_client, cast, members):
    api_client.force_authenticate(cast.alice)
    endpoint = "/api/v1/organizations/acme-test/recognitions/"
    assert api_client.post(endpoint, {"note": "Hi"}, format="json").status_code == 400
    foreign_team = cast.org_b.org_units.first()
    response = api_client.post(endpoint, {"team": foreign_team.pk, "note": "Hi"}, format="json")
    assert response.status_code == 400
    assert (
        api_client.post(
            endpoint, {"recipient": members["carl"].pk, "note": "x" * 501}, format="json"
        ).status_code
        == 400
    )
    ok = api_client.post(
        endpoint, {"recipient": members["carl"].pk, "note": "Thanks"}, format="json"
    )
    assert ok.status_code == 201 and ok.json()["recognised"] == "Carl Test"
    assert Recognition.objects.count() == 1


def test_recognitions_given_counts_per_executive_in_a_period(cast, members):
    for day in (datetime.date(2026, 1, 5), datetime.date(2026, 2, 5), datetime.date(2025, 12, 31)):
        services.recognition_give(
            executive=members["alice"], note="Thanks", recipient=members["carl"], today=day
        )
    counts = recognitions_given(
        organization=cast.org_a,
        executive_ids=[members["alice"].pk, members["quinn"].pk],
        start=datetime.date(2026, 1, 1),
        end=datetime.date(2026, 3, 31),
    )
    assert counts == {members["alice"].pk: 2}


def test_a_set_aside_milestone_is_not_proposed_again(client, cast, members):
    objective = make_objective(cast)
    rollups(objective, [("96", "green")])
    milestone = milestones_detect(organization=cast.org_a, today=TODAY)[0]
    client.force_login(cast.alice)
    client.post(
        reverse("engagement:recognition-new", args=["acme-test"]),
        {"milestone": milestone.pk, "dismiss": "1"},
    )
    milestone.refresh_from_db()
    assert milestone.dismissed_at is not None
    assert milestones_detect(organization=cast.org_a, today=TODAY) == []


def test_an_objective_without_recent_data_raises_no_milestone(cast):
    objective = make_objective(cast)
    rollups(objective, [("96", "green")], last_end=datetime.date(2025, 10, 31))
    assert milestones_detect(organization=cast.org_a, today=TODAY) == []
