"""The member's notification pages, the top bar's unread count, and the API: each member sees
and marks only their own; another organisation's member gets 404."""

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from qms.core.notifications.context import unread_notifications
from qms.core.notifications.models import Notification, NotificationPreference


@pytest.fixture
def notify(members):
    """notify(username, n=1, **fields): n notifications for that member of organisation A."""

    def make(username, n=1, **fields):
        membership = members[username]
        made = []
        for i in range(n):
            values = {
                "organization": membership.organization,
                "recipient": membership,
                "kind": "action-overdue",
                "subject_key": f"core.action:{i}",
                "occasion": "overdue-2026-11-03",
                "title": f"ACT-{i:04d} is overdue",
                "body": "Close it or agree a new due date.",
                "url": f"/o/{membership.organization.slug}/actions/{i + 1}/",
                **fields,
            }
            made.append(Notification.objects.create(**values))
        return made

    return make


def url(name, **kwargs):
    return reverse(f"core:{name}", kwargs={"org_slug": "acme-test", **kwargs})


def test_member_sees_own_notifications_newest_first_with_unread_marked(client, cast, notify):
    older, newer = notify("carl", 2)
    Notification.objects.filter(pk=older.pk).update(created_at=older.created_at.replace(year=2025))
    notify("alice", title="For alice only")
    client.force_login(cast.carl)
    html = client.get(url("notifications")).content.decode()
    assert html.index(newer.title) < html.index(older.title)
    assert "For alice only" not in html
    assert html.count("notification-unread") == 2
    assert "2 unread" in html


def test_list_page_is_paginated_by_25(client, cast, notify):
    notify("carl", 30)
    client.force_login(cast.carl)
    response = client.get(url("notifications"))
    assert len(response.context["page"].object_list) == 25
    assert "Page 1 of 2" in response.content.decode()


def test_list_page_query_count_does_not_grow_with_the_rows(client, cast, notify):
    client.force_login(cast.carl)
    notify("carl", 2)
    client.get(url("notifications"))  # warm up session and content types
    with CaptureQueriesContext(connection) as few:
        client.get(url("notifications"))
    Notification.objects.all().delete()
    notify("carl", 25)
    with CaptureQueriesContext(connection) as many:
        client.get(url("notifications"))
    assert len(many) == len(few)
    assert len(many) <= 12


def test_opening_one_marks_it_read_and_follows_its_link(client, cast, notify):
    (note,) = notify("carl")
    client.force_login(cast.carl)
    response = client.post(url("notification-open", pk=note.pk))
    assert response.status_code == 302 and response["Location"] == note.url
    note.refresh_from_db()
    assert note.read_at is not None


def test_a_link_to_another_site_is_not_followed(client, cast, notify):
    (note,) = notify("carl", url="https://evil.example/phish")
    client.force_login(cast.carl)
    response = client.post(url("notification-open", pk=note.pk))
    assert response["Location"] == url("notifications")


def test_another_members_notification_cannot_be_opened(client, cast, notify):
    (note,) = notify("alice")
    client.force_login(cast.carl)
    assert client.post(url("notification-open", pk=note.pk)).status_code == 404
    note.refresh_from_db()
    assert note.read_at is None


def test_mark_all_read_touches_only_the_members_own(client, cast, notify):
    notify("carl", 3)
    notify("alice", 1)
    client.force_login(cast.carl)
    client.post(url("notifications-read-all"))
    assert Notification.objects.filter(read_at__isnull=True).count() == 1
    page = client.get(url("notifications")).content.decode()
    assert "3 notifications marked as read." in page


def test_another_organisations_member_gets_404(client, cast):
    client.force_login(cast.bob)
    assert client.get(url("notifications")).status_code == 404
    assert client.get(url("notification-settings")).status_code == 404


def test_settings_page_mutes_non_critical_kinds(client, cast, members):
    client.force_login(cast.carl)
    html = client.get(url("notification-settings")).content.decode()
    assert "Action due soon" in html and "always delivered" in html
    client.post(
        url("notification-settings"), {"muted": ["action-due-soon", "action-overdue-escalated"]}
    )
    muted = set(
        NotificationPreference.objects.filter(membership=members["carl"], muted=True).values_list(
            "kind", flat=True
        )
    )
    assert muted == {"action-due-soon"}
    client.post(url("notification-settings"), {})
    assert not NotificationPreference.objects.filter(muted=True).exists()


def test_auditors_have_notifications_too(client, cast, notify):
    notify("audrey", title="Please acknowledge")
    client.force_login(cast.audrey)
    assert "Please acknowledge" in client.get(url("notifications")).content.decode()


def test_unread_count_for_the_top_bar_is_one_query(cast, members, notify):
    notify("carl", 3)
    Notification.objects.filter(pk=Notification.objects.first().pk).update(
        read_at="2026-11-01T00:00Z"
    )
    request = RequestFactory().get("/")
    request.membership = members["carl"]
    with CaptureQueriesContext(connection) as queries:
        assert unread_notifications(request) == {"unread_notifications": 2}
    assert len(queries) == 1
    request.membership = None
    assert unread_notifications(request) == {"unread_notifications": 0}


# --- API --------------------------------------------------------------------------------------


def api(path=""):
    return f"/api/v1/organizations/acme-test/notifications/{path}"


def test_api_lists_only_the_callers_notifications(api_client, cast, notify):
    mine = notify("carl", 2)
    notify("alice", 1)
    api_client.force_authenticate(cast.carl)
    body = api_client.get(api()).json()
    assert body["count"] == 2
    assert {row["id"] for row in body["results"]} == {n.pk for n in mine}
    assert body["results"][0]["kind_label"] == "Action overdue"


def test_api_filters_unread(api_client, cast, notify):
    first, _ = notify("carl", 2)
    api_client.force_authenticate(cast.carl)
    api_client.post(api(f"{first.pk}/read/"))
    body = api_client.get(api() + "?unread=true").json()
    assert body["count"] == 1


def test_api_marks_one_and_all_read(api_client, cast, notify):
    first = notify("carl", 3)[0]
    api_client.force_authenticate(cast.carl)
    response = api_client.post(api(f"{first.pk}/read/"))
    assert response.status_code == 200 and response.json()["is_read"] is True
    response = api_client.post(api("read-all/"))
    assert response.json() == {"marked_read": 2}


def test_api_answers_404_for_another_members_or_organisations_notification(
    api_client, cast, notify
):
    (alices,) = notify("alice")
    api_client.force_authenticate(cast.carl)
    assert api_client.post(api(f"{alices.pk}/read/")).status_code == 404
    assert api_client.get(api(f"{alices.pk}/")).status_code == 404
    api_client.force_authenticate(cast.bob)
    assert api_client.get(api()).status_code == 404
    alices.refresh_from_db()
    assert alices.read_at is None


def test_auditors_may_mark_their_own_read(api_client, cast, notify):
    (note,) = notify("audrey")
    api_client.force_authenticate(cast.audrey)
    assert api_client.post(api(f"{note.pk}/read/")).status_code == 200
