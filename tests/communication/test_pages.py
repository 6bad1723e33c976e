"""Communication pages: who sees and does what, tenancy (404), bad form input (400, nothing
changed), and query counts on the list pages."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from leadership.communication import services, services_activities
from leadership.communication.models import (
    Announcement,
    CommunicationPlanItem,
    LeadershipActivity,
    PlanOccurrence,
)
from qms.core.actions.models import Action
from tests.page_forms import versioned

pytestmark = pytest.mark.django_db


def page(name, *args, slug="acme-test"):
    return reverse(f"communication:{name}", args=[slug, *args])


@pytest.fixture
def announcement(placed, units):
    return services.announcement_publish(
        author=placed["quinn"], title="Q3 results", body="All *fine*.", target_units=[units["A1"]]
    )


@pytest.fixture
def activity(members):
    return services_activities.activity_log(
        executive=members["alice"],
        kind="quality_walk",
        occurred_on=timezone.localdate() - datetime.timedelta(days=3),
        title="Walk on line 2",
        notes="Spoke with the night shift.",
    )


@pytest.mark.parametrize("who", ["alice", "quinn", "carl", "audrey", "adam"])
def test_every_member_sees_announcements_and_the_plan(client, cast, who, announcement, plan_item):
    client.force_login(getattr(cast, who))
    listing = client.get(page("announcements"))
    assert listing.status_code == 200
    plan = client.get(page("plan"))
    assert plan.status_code == 200 and b"Monthly quality briefing" in plan.content


def test_a_contributor_sees_only_announcements_sent_to_them(client, cast, placed, announcement):
    services.announcement_publish(
        author=placed["alice"], title="For the board", body="x", target_roles=["executive"]
    )
    hidden = Announcement.objects.get(title="For the board")
    client.force_login(cast.carl)
    content = client.get(page("announcements")).content.decode()
    assert "Q3 results" in content and "For the board" not in content
    assert client.get(page("announcement", hidden.pk)).status_code == 404


def test_the_announcement_page_shows_reach_per_unit_to_management(client, cast, placed, units):
    announcement = services.announcement_publish(
        author=placed["quinn"], title="Everyone", body="x", target_units=[units["A"]]
    )
    services.announcement_mark_read(announcement=announcement, membership=placed["carl"])
    client.force_login(cast.quinn)
    content = client.get(page("announcement", announcement.pk)).content.decode()
    assert "Reach" in content
    # quinn's own opening counts: carl and quinn of 4.
    assert "<strong>50%</strong> read: 2 of the 4 members" in content
    assert "Plant One" in content


def test_another_organisations_pages_answer_404(client, cast, announcement, plan_item, activity):
    client.force_login(cast.bob)
    for url in (
        page("announcements"),
        page("plan"),
        page("activities"),
        page("announcement", announcement.pk, slug="beta-rival"),
        page("plan-item-edit", plan_item.pk, slug="beta-rival"),
        page("activity", activity.pk, slug="beta-rival"),
    ):
        assert client.get(url).status_code == 404, url
    response = client.post(
        page("occurrence-done", plan_item.pk, slug="beta-rival"),
        {"due_on": "2026-01-15", "note": "x", "done_on": "2026-01-15"},
    )
    assert response.status_code == 404
    assert not PlanOccurrence.objects.exists()


@pytest.mark.parametrize(
    ("who", "status"),
    [("quinn", 200), ("alice", 200), ("carl", 403), ("audrey", 403), ("adam", 403)],
)
def test_only_executives_and_quality_managers_open_the_publish_form(client, cast, who, status):
    client.force_login(getattr(cast, who))
    assert client.get(page("announcement-new")).status_code == status


def test_publishing_from_the_form_links_a_plan_due_date(client, cast, placed, units, plan_item):
    client.force_login(cast.quinn)
    today = timezone.localdate()
    due = plan_item.due_dates(today - datetime.timedelta(days=40), today)[-1]
    response = client.post(
        page("announcement-new"),
        {
            "title": "Briefing",
            "body": "Notes",
            "target_units": [units["A1"].pk],
            "plan_occurrence": f"{plan_item.pk}:{due.isoformat()}",
        },
    )
    announcement = Announcement.objects.get()
    assert response.status_code == 302
    assert response["Location"] == page("announcement", announcement.pk)
    assert announcement.plan_occurrence.due_on == due


def test_bad_publish_input_answers_400_and_publishes_nothing(client, cast, placed, plan_item):
    client.force_login(cast.quinn)
    foreign_unit = cast.org_b.org_units.first()
    for data in (
        {"title": "", "body": "x"},
        {"title": "x" * 201, "body": "x"},
        {"title": "ok", "body": "x", "target_units": [foreign_unit.pk]},
        {"title": "ok", "body": "x", "target_units": ["abc"]},
        {"title": "ok", "body": "x", "target_roles": ["owner"]},
        {"title": "ok", "body": "x", "plan_occurrence": f"{plan_item.pk}:1999-01-01"},
        {"title": "ok", "body": "x", "corrects": 10**9},
    ):
        assert client.post(page("announcement-new"), data).status_code == 400, data
    assert not Announcement.objects.exists()


def test_a_plan_editor_adds_an_item_and_bad_input_changes_nothing(client, cast, members):
    client.force_login(cast.quinn)
    data = {
        "topic": "Town hall",
        "recurrence": "quarterly",
        "starts_on": "2026-01-31",
        "channel": "town_hall",
        "communicator": members["alice"].pk,
        "audience_roles": ["contributor"],
        "is_active": "on",
    }
    bob = cast.bob.memberships.get()
    for bad in (
        {**data, "topic": ""},
        {**data, "communicator": bob.pk},
        {**data, "communicator": members["audrey"].pk},
        {**data, "ends_on": "2025-01-01"},
        {**data, "starts_on": "2026-13-45"},
    ):
        assert client.post(page("plan-item-new"), bad).status_code == 400, bad
    assert not CommunicationPlanItem.objects.exists()
    assert client.post(page("plan-item-new"), data).status_code == 302
    item = CommunicationPlanItem.objects.get()
    assert item.audience_roles == ["contributor"]
    assert (
        client.post(
            page("plan-item-edit", item.pk), versioned(item, {**data, "topic": "Town halls"})
        ).status_code
        == 302
    )
    item.refresh_from_db()
    assert item.topic == "Town halls"
    assert item.history.count() == 2


def test_contributors_and_auditors_cannot_edit_the_plan(client, cast, plan_item):
    for user in (cast.carl, cast.audrey):
        client.force_login(user)
        assert client.get(page("plan-item-new")).status_code == 403
        assert client.get(page("plan-item-edit", plan_item.pk)).status_code == 403


def test_the_communicator_records_a_due_date_as_done_from_the_plan(client, cast, plan_item):
    client.force_login(cast.carl)
    response = client.post(
        page("occurrence-done", plan_item.pk),
        {"due_on": "2026-01-15", "done_on": "2026-01-15", "note": "Shift briefing"},
    )
    assert response.status_code == 302
    assert PlanOccurrence.objects.get().note == "Shift briefing"
    client.force_login(cast.audrey)
    response = client.post(
        page("occurrence-done", plan_item.pk),
        {"due_on": "2026-02-15", "done_on": "2026-02-15", "note": "x"},
    )
    assert response.status_code == 403
    client.force_login(cast.carl)
    client.post(page("occurrence-done", plan_item.pk), {"due_on": "2026-02-16", "note": "x"})
    assert PlanOccurrence.objects.count() == 1


@pytest.mark.parametrize(
    ("who", "status"),
    [("alice", 200), ("quinn", 200), ("audrey", 200), ("carl", 403), ("adam", 403)],
)
def test_activities_are_read_by_executives_quality_managers_and_auditors(
    client, cast, activity, who, status
):
    client.force_login(getattr(cast, who))
    assert client.get(page("activities")).status_code == status
    assert client.get(page("activity", activity.pk)).status_code == status


def test_an_executive_logs_an_activity_and_raises_a_follow_up_action(client, cast, members):
    client.force_login(cast.alice)
    response = client.post(
        page("activity-new"),
        {"kind": "customer_visit", "occurred_on": "2026-01-10", "title": "Visit to Rail Co"},
    )
    activity = LeadershipActivity.objects.get()
    assert response.status_code == 302 and response["Location"] == page("activity", activity.pk)
    due = (timezone.localdate() + datetime.timedelta(days=14)).isoformat()
    response = client.post(
        page("activity-follow-up", activity.pk),
        {"title": "Send the 8D", "owner": members["carl"].pk, "due_date": due},
    )
    assert response.status_code == 302
    action = Action.objects.get()
    assert action.source == activity and action.accountable_executive == members["alice"]
    content = client.get(page("activity", activity.pk)).content.decode()
    assert "Send the 8D" in content


def test_bad_activity_input_answers_400_and_logs_nothing(client, cast, members):
    client.force_login(cast.alice)
    future = (timezone.localdate() + datetime.timedelta(days=2)).isoformat()
    foreign_unit = cast.org_b.org_units.first()
    for data in (
        {"kind": "party", "occurred_on": "2026-01-10", "title": "x"},
        {"kind": "town_hall", "occurred_on": future, "title": "x"},
        {"kind": "town_hall", "occurred_on": "2026-01-10", "title": ""},
        {
            "kind": "town_hall",
            "occurred_on": "2026-01-10",
            "title": "x",
            "org_unit": foreign_unit.pk,
        },
    ):
        assert client.post(page("activity-new"), data).status_code == 400, data
    assert not LeadershipActivity.objects.exists()


def test_quality_managers_cannot_log_or_follow_up_activities(client, cast, members, activity):
    client.force_login(cast.quinn)
    assert client.get(page("activity-new")).status_code == 403
    due = (timezone.localdate() + datetime.timedelta(days=14)).isoformat()
    response = client.post(
        page("activity-follow-up", activity.pk),
        {"title": "x", "owner": members["carl"].pk, "due_date": due},
    )
    assert response.status_code == 403
    assert not Action.objects.exists()


def test_list_pages_use_a_bounded_number_of_queries(
    client, cast, placed, units, members, django_assert_max_num_queries
):
    for index in range(15):
        services.announcement_publish(author=placed["quinn"], title=f"Update {index}", body="x")
        services_activities.activity_log(
            executive=members["alice"],
            kind="town_hall",
            occurred_on=datetime.date(2026, 1, 1) + datetime.timedelta(days=index),
            title=f"Town hall {index}",
            org_unit=units["A"],
        )
    client.force_login(cast.alice)
    for name in ("announcements", "activities", "plan"):
        with django_assert_max_num_queries(20):
            assert client.get(page(name)).status_code == 200


def test_the_announcement_page_costs_the_same_however_many_units_it_reached(
    client, cast, placed, units, django_assert_max_num_queries
):
    from tests.factories import MembershipFactory, UserFactory, make_unit

    for index in range(12):
        unit = make_unit(cast.org_a, f"Team {index:02d}", parent=units["A"], code=f"T{index}")
        MembershipFactory(
            user=UserFactory(username=f"t{index}"), organization=cast.org_a, org_unit=unit
        )
    announcement = services.announcement_publish(author=placed["quinn"], title="All", body="x")
    client.force_login(cast.quinn)
    with django_assert_max_num_queries(25):
        content = client.get(page("announcement", announcement.pk)).content.decode()
    assert "Team 11" in content
