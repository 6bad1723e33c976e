"""Communication API: publishing and reading announcements, the plan, leadership activities;
role rules, tenancy and bad input for each endpoint."""

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
from tests.api_writes import patch_as_read
from tests.security.openapi import assert_documented

pytestmark = pytest.mark.django_db


def url(name, slug="acme-test", **kwargs):
    return reverse(name, kwargs={"org_slug": slug, **kwargs})


@pytest.fixture
def announcement(placed, units):
    return services.announcement_publish(
        author=placed["quinn"], title="Q3 results", body="Fine.", target_units=[units["A1"]]
    )


def test_a_quality_manager_publishes_to_a_unit_and_a_contributor_reads_it(
    api_client, cast, placed, units
):
    api_client.force_authenticate(cast.quinn)
    created = api_client.post(
        url("announcement-list"),
        {"title": "Q3", "body": "Results", "target_units": [units["A1"].pk]},
        format="json",
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["recipients_count"] == 2 and body["author"] == "Quinn Test"
    api_client.force_authenticate(cast.carl)
    listed = api_client.get(url("announcement-list")).json()["results"]
    assert [(a["title"], a["is_read"]) for a in listed] == [("Q3", False)]
    read = api_client.post(url("announcement-read", pk=body["id"]))
    assert read.status_code == 200 and read.json()["is_read"] is True
    api_client.force_authenticate(cast.quinn)
    reach = api_client.get(url("announcement-reach", pk=body["id"])).json()
    assert reach["total"] == {
        "unit_id": None,
        "unit_name": "All recipients",
        "targeted": 2,
        "read": 1,
        "rate": 0.5,
    }
    assert [(u["unit_name"], u["read"]) for u in reach["units"]] == [("Plant One", 1)]


@pytest.mark.parametrize("who", ["carl", "audrey", "adam"])
def test_only_executives_and_quality_managers_publish_through_the_api(
    api_client, cast, placed, who
):
    api_client.force_authenticate(getattr(cast, who))
    response = api_client.post(
        url("announcement-list"), {"title": "Q3", "body": "Results"}, format="json"
    )
    assert response.status_code == 403
    assert not Announcement.objects.exists()


def test_members_see_only_announcements_sent_to_them(api_client, cast, announcement, members):
    for_executives = services.announcement_publish(
        author=members["alice"], title="For executives", body="x", target_roles=["executive"]
    )
    api_client.force_authenticate(cast.carl)
    titles = [a["title"] for a in api_client.get(url("announcement-list")).json()["results"]]
    assert titles == ["Q3 results"]
    assert api_client.get(url("announcement-detail", pk=for_executives.pk)).status_code == 404
    assert api_client.post(url("announcement-read", pk=for_executives.pk)).status_code == 404
    api_client.force_authenticate(cast.audrey)  # auditors read all, and their reach
    assert len(api_client.get(url("announcement-list")).json()["results"]) == 2
    assert api_client.get(url("announcement-reach", pk=announcement.pk)).status_code == 200
    api_client.force_authenticate(cast.carl)
    assert api_client.get(url("announcement-reach", pk=announcement.pk)).status_code == 403


def test_another_organisations_announcement_answers_404(api_client, cast, announcement):
    api_client.force_authenticate(cast.bob)
    assert api_client.get(url("announcement-list")).status_code == 404
    assert api_client.get(url("announcement-list", slug="beta-rival")).json()["results"] == []
    response = api_client.get(url("announcement-detail", slug="beta-rival", pk=announcement.pk))
    assert response.status_code == 404
    response = api_client.post(url("announcement-read", slug="beta-rival", pk=announcement.pk))
    assert response.status_code == 404


def test_bad_announcement_input_is_400_and_publishes_nothing(api_client, cast, placed, units):
    api_client.force_authenticate(cast.quinn)
    foreign_unit = cast.org_b.org_units.first()
    for payload in (
        {"title": "", "body": "x"},
        {"title": "x" * 201, "body": "x"},
        {"title": "ok", "body": "x" * 20_001},
        {"title": "ok", "body": "x", "target_units": [foreign_unit.pk]},
        {"title": "ok", "body": "x", "target_units": ["abc"]},
        {"title": "ok", "body": "x", "target_roles": ["owner"]},
        {"title": "ok", "body": "x", "target_roles": "executive"},
        {"title": "ok", "body": "x", "target_roles": ["admin"], "target_units": [units["A1"].pk]},
    ):
        response = api_client.post(url("announcement-list"), payload, format="json")
        assert response.status_code == 400, payload
    assert not Announcement.objects.exists()


def test_published_announcements_cannot_be_edited_or_deleted(api_client, cast, announcement):
    api_client.force_authenticate(cast.quinn)
    assert (
        patch_as_read(
            api_client,
            url("announcement-detail", pk=announcement.pk),
            {"title": "x"},
            format="json",
        ).status_code
        == 405
    )
    assert api_client.delete(url("announcement-detail", pk=announcement.pk)).status_code == 405
    assert Announcement.objects.get().title == "Q3 results"


def test_an_announcement_fulfils_a_plan_due_date(api_client, cast, placed, plan_item):
    api_client.force_authenticate(cast.quinn)
    response = api_client.post(
        url("announcement-list"),
        {
            "title": "Briefing notes",
            "body": "x",
            "plan_item": plan_item.pk,
            "plan_due_on": "2026-02-15",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["fulfils"] == {"plan_item": plan_item.pk, "due_on": "2026-02-15"}
    assert PlanOccurrence.objects.get().due_on == datetime.date(2026, 2, 15)
    wrong_date = api_client.post(
        url("announcement-list"),
        {"title": "x", "body": "x", "plan_item": plan_item.pk, "plan_due_on": "2026-02-16"},
        format="json",
    )
    assert wrong_date.status_code == 400
    assert "not a due date" in str(wrong_date.json())


def test_the_plan_through_the_api(api_client, cast, members, units):
    api_client.force_authenticate(cast.quinn)
    created = api_client.post(
        url("communication-plan-item-list"),
        {
            "topic": "Quarter results",
            "recurrence": "quarterly",
            "starts_on": "2026-01-31",
            "channel": "town_hall",
            "communicator": members["alice"].pk,
            "audience_units": [units["A1"].pk],
            "audience_roles": ["contributor"],
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    occurrences = api_client.get(
        url("communication-plan-item-occurrences", pk=pk),
        {"start": "2026-01-01", "end": "2026-12-31"},
    ).json()
    assert [o["due_on"] for o in occurrences] == [
        "2026-01-31",
        "2026-04-30",
        "2026-07-31",
        "2026-10-31",
    ]
    api_client.force_authenticate(cast.alice)  # the communicator records it
    done = api_client.post(
        url("communication-plan-item-done", pk=pk),
        {"due_on": "2026-04-30", "done_on": "2026-05-02", "note": "Town hall, 80 people"},
        format="json",
    )
    assert done.status_code == 201 and done.json()["status"] == "late"
    again = api_client.post(
        url("communication-plan-item-done", pk=pk),
        {"due_on": "2026-04-30", "note": "Again"},
        format="json",
    )
    assert again.status_code == 409


def test_plan_role_rules_and_bad_input(api_client, cast, members, plan_item):
    api_client.force_authenticate(cast.carl)
    assert api_client.get(url("communication-plan-item-list")).status_code == 200
    payload = {
        "topic": "x",
        "recurrence": "monthly",
        "starts_on": "2026-01-01",
        "channel": "meeting",
        "communicator": members["carl"].pk,
    }
    assert api_client.post(url("communication-plan-item-list"), payload).status_code == 403
    # carl is plan_item's communicator: he records it done.
    done = api_client.post(
        url("communication-plan-item-done", pk=plan_item.pk),
        {"due_on": "2026-01-15", "note": "Briefed the team"},
        format="json",
    )
    assert done.status_code == 201
    api_client.force_authenticate(cast.audrey)
    done = api_client.post(
        url("communication-plan-item-done", pk=plan_item.pk),
        {"due_on": "2026-02-15", "note": "x"},
        format="json",
    )
    assert done.status_code == 403
    api_client.force_authenticate(cast.quinn)
    bob_membership = cast.bob.memberships.get()
    for bad in (
        {**payload, "communicator": bob_membership.pk},
        {**payload, "communicator": members["audrey"].pk},
        {**payload, "ends_on": "2025-01-01"},
        {**payload, "recurrence": "hourly"},
        {**payload, "audience_roles": ["boss"]},
        {**payload, "topic": "x" * 201},
    ):
        response = api_client.post(url("communication-plan-item-list"), bad, format="json")
        assert response.status_code == 400, bad
    bad_dates = api_client.get(
        url("communication-plan-item-occurrences", pk=plan_item.pk), {"start": "nonsense"}
    )
    assert bad_dates.status_code == 400
    too_long = api_client.get(
        url("communication-plan-item-occurrences", pk=plan_item.pk),
        {"start": "2000-01-01", "end": "2030-01-01"},
    )
    assert too_long.status_code == 400
    assert CommunicationPlanItem.objects.count() == 1
    api_client.force_authenticate(cast.bob)
    response = api_client.get(
        url("communication-plan-item-detail", slug="beta-rival", pk=plan_item.pk)
    )
    assert response.status_code == 404


def test_an_executive_logs_an_activity_and_raises_a_follow_up(api_client, cast, members, units):
    api_client.force_authenticate(cast.alice)
    created = api_client.post(
        url("leadership-activity-list"),
        {
            "kind": "quality_walk",
            "occurred_on": "2026-01-10",
            "title": "Gemba walk",
            "org_unit": units["A1"].pk,
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    due = (timezone.localdate() + datetime.timedelta(days=20)).isoformat()
    follow = api_client.post(
        url("leadership-activity-follow-ups", pk=pk),
        {"title": "Fix the labels", "owner": members["carl"].pk, "due_date": due},
        format="json",
    )
    assert follow.status_code == 201, follow.json()
    assert [a["title"] for a in follow.json()] == ["Fix the labels"]
    action = Action.objects.get()
    assert action.source == LeadershipActivity.objects.get()
    assert action.accountable_executive == members["alice"]


def test_activity_role_rules(api_client, cast, members):
    activity = services_activities.activity_log(
        executive=members["alice"],
        kind="town_hall",
        occurred_on=datetime.date(2026, 1, 5),
        title="Town hall",
    )
    for who, status in (("quinn", 200), ("audrey", 200), ("carl", 403), ("adam", 403)):
        api_client.force_authenticate(getattr(cast, who))
        assert api_client.get(url("leadership-activity-list")).status_code == status, who
    payload = {"kind": "town_hall", "occurred_on": "2026-01-05", "title": "x"}
    api_client.force_authenticate(cast.quinn)
    assert api_client.post(url("leadership-activity-list"), payload).status_code == 403
    api_client.force_authenticate(cast.bob)
    response = api_client.get(url("leadership-activity-detail", slug="beta-rival", pk=activity.pk))
    assert response.status_code == 404


def test_bad_activity_input_is_400(api_client, cast, members):
    api_client.force_authenticate(cast.alice)
    foreign_unit = cast.org_b.org_units.first()
    future = (timezone.localdate() + datetime.timedelta(days=3)).isoformat()
    for bad in (
        {"kind": "party", "occurred_on": "2026-01-05", "title": "x"},
        {"kind": "town_hall", "occurred_on": "yesterday", "title": "x"},
        {"kind": "town_hall", "occurred_on": future, "title": "x"},
        {"kind": "town_hall", "occurred_on": "2026-01-05", "title": ""},
        {"kind": "town_hall", "occurred_on": "2026-01-05", "title": "x", "org_unit": 10**9},
        {
            "kind": "town_hall",
            "occurred_on": "2026-01-05",
            "title": "x",
            "org_unit": foreign_unit.pk,
        },
    ):
        response = api_client.post(url("leadership-activity-list"), bad, format="json")
        assert response.status_code == 400, bad
    assert not LeadershipActivity.objects.exists()


def test_only_the_executive_who_logged_an_activity_changes_it(api_client, cast, members):
    from qms.core.roles import Role
    from tests.factories import MembershipFactory, UserFactory

    other = MembershipFactory(
        user=UserFactory(username="olga"), organization=cast.org_a, role=Role.EXECUTIVE
    )
    activity = services_activities.activity_log(
        executive=members["alice"],
        kind="town_hall",
        occurred_on=datetime.date(2026, 1, 5),
        title="Town hall",
    )
    api_client.force_authenticate(other.user)
    response = patch_as_read(
        api_client,
        url("leadership-activity-detail", pk=activity.pk),
        {"title": "Mine"},
        format="json",
    )
    assert response.status_code == 403
    # Refused for who they are, not asked for a version they could then send in vain.
    bare = api_client.patch(
        url("leadership-activity-detail", pk=activity.pk), {"title": "Mine"}, format="json"
    )
    assert bare.status_code == 403
    assert bare.json()["detail"] == "Only the executive who logged an activity changes it."
    api_client.force_authenticate(cast.alice)
    response = patch_as_read(
        api_client,
        url("leadership-activity-detail", pk=activity.pk),
        {"title": "Town hall Q1"},
        format="json",
    )
    assert response.status_code == 200
    assert LeadershipActivity.objects.get().title == "Town hall Q1"


def test_listing_announcements_costs_the_same_for_5_and_25(api_client, cast, placed):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    api_client.force_authenticate(cast.carl)
    queries = []
    for count in (5, 25):
        for index in range(count - Announcement.objects.count()):
            services.announcement_publish(author=placed["quinn"], title=f"U{index}", body="x")
        with CaptureQueriesContext(connection) as captured:
            response = api_client.get(url("announcement-list"))
        assert response.status_code == 200 and response.json()["count"] == count
        queries.append(len(captured))
    assert queries[0] == queries[1] <= 10


@pytest.mark.parametrize("name", ["communication-plan-item-list", "leadership-activity-list"])
def test_listing_the_plan_and_activities_costs_the_same_for_3_and_12(
    api_client, cast, members, units, name
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    api_client.force_authenticate(cast.alice)
    queries = []
    for count in (3, 12):
        for index in range(count - LeadershipActivity.objects.count()):
            services.plan_item_create(
                actor=members["quinn"],
                topic=f"Item {index}",
                recurrence="monthly",
                starts_on=datetime.date(2026, 1, 1),
                channel="meeting",
                communicator=members["carl"],
                audience_units=[units["A1"]],
            )
            services_activities.activity_log(
                executive=members["alice"],
                kind="town_hall",
                occurred_on=datetime.date(2026, 1, 1),
                title=f"TH {index}",
                org_unit=units["A"],
            )
        with CaptureQueriesContext(connection) as captured:
            response = api_client.get(url(name))
        assert response.status_code == 200 and response.json()["count"] == count
        queries.append(len(captured))
    assert queries[0] == queries[1]


def test_occurrences_and_follow_ups_answer_whole_lists_as_documented(
    api_client, cast, members, units, plan_item
):
    """The schema promised a paginated object; the answer is the whole list, even when a
    client asks for a page size."""
    api_client.force_authenticate(cast.quinn)
    occurrences = api_client.get(
        url("communication-plan-item-occurrences", pk=plan_item.pk), {"page_size": "0"}
    )
    assert isinstance(occurrences.json(), list)
    assert_documented(
        occurrences, "/api/v1/organizations/{org_slug}/communication-plan/{id}/occurrences/"
    )
    activity = services_activities.activity_log(
        executive=members["alice"],
        kind="town_hall",
        occurred_on=datetime.date(2026, 1, 5),
        title="Town hall",
    )
    path = "/api/v1/organizations/{org_slug}/leadership-activities/{id}/follow-ups/"
    listed = api_client.get(url("leadership-activity-follow-ups", pk=activity.pk))
    assert listed.json() == []
    assert_documented(listed, path)
    api_client.force_authenticate(cast.alice)
    due = (timezone.localdate() + datetime.timedelta(days=20)).isoformat()
    raised = api_client.post(
        url("leadership-activity-follow-ups", pk=activity.pk),
        {"title": "Fix the labels", "owner": members["carl"].pk, "due_date": due},
        format="json",
    )
    assert raised.status_code == 201
    assert_documented(raised, path)
