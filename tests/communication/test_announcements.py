"""Announcements: publishing to units and roles, read receipts, reach per unit, immutability,
delivery in the app and by e-mail exactly once."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from leadership.communication import selectors, services
from leadership.communication.models import Announcement, AnnouncementRecipient
from qms.core.immutable import ImmutableRecordError, NotAllowed
from qms.core.notifications.models import Notification
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def publish(author, **kwargs):
    kwargs.setdefault("title", "Q3 results")
    kwargs.setdefault("body", "On-time delivery **at target**.")
    return services.announcement_publish(author=author, **kwargs)


def test_an_announcement_to_a_unit_reaches_the_members_of_its_subtree_only(placed, units):
    announcement = publish(placed["quinn"], target_units=[units["A1"]])
    reached = set(announcement.recipients.values_list("membership__user__username", flat=True))
    assert reached == {"carl", "quinn"}
    assert announcement.recipients_count == 2


def test_an_announcement_to_the_company_unit_reaches_units_beneath_it(placed, units):
    announcement = publish(placed["quinn"], target_units=[units["A"]])
    reached = set(announcement.recipients.values_list("membership__user__username", flat=True))
    assert reached == {"alice", "adam", "carl", "quinn"}


def test_an_announcement_to_everyone_leaves_out_auditors_and_expired_members(placed):
    announcement = publish(placed["alice"])
    reached = set(announcement.recipients.values_list("membership__user__username", flat=True))
    assert reached == {"alice", "quinn", "carl", "adam"}


def test_roles_narrow_the_audience_and_name_auditors_explicitly(placed, units):
    contributors = publish(placed["alice"], target_roles=["contributor"])
    assert list(contributors.recipients.values_list("membership__user__username", flat=True)) == [
        "carl"
    ]
    auditors = publish(placed["alice"], target_roles=["auditor"])
    # eddie's access has expired: not reached.
    assert list(auditors.recipients.values_list("membership__user__username", flat=True)) == [
        "audrey"
    ]
    both = publish(placed["alice"], target_units=[units["A1"]], target_roles=["quality_manager"])
    assert list(both.recipients.values_list("membership__user__username", flat=True)) == ["quinn"]


def test_only_executives_and_quality_managers_publish(members):
    for name in ("carl", "audrey", "adam"):
        with pytest.raises(NotAllowed):
            publish(members[name])
    assert not Announcement.objects.exists()


def test_an_empty_audience_or_bad_input_publishes_nothing(placed, units, cast):
    with pytest.raises(ValidationError, match="Nobody is in this audience"):
        publish(placed["quinn"], target_roles=["admin"], target_units=[units["A1"]])
    with pytest.raises(ValidationError):
        publish(placed["quinn"], title="")
    with pytest.raises(ValidationError):
        publish(placed["quinn"], title="x" * 201)
    with pytest.raises(ValidationError, match="Unknown role"):
        publish(placed["quinn"], target_roles=["owner"])
    foreign_unit = cast.org_b.org_units.first()
    with pytest.raises(ValidationError, match="units of this organisation"):
        publish(placed["quinn"], target_units=[foreign_unit])
    assert not Announcement.objects.exists()
    assert not AnnouncementRecipient.objects.exists()


def test_a_published_announcement_cannot_be_changed(members):
    announcement = publish(members["quinn"])
    announcement.title = "Changed"
    with pytest.raises(ImmutableRecordError):
        announcement.save()
    assert Announcement.objects.get().title == "Q3 results"


def test_a_correction_is_a_new_announcement_naming_the_one_it_corrects(members):
    first = publish(members["quinn"])
    second = publish(members["quinn"], title="Correction: Q3 results", corrects=first)
    assert second.corrects == first
    assert list(first.corrections.all()) == [second]


def test_members_are_told_in_the_app_and_by_email_once(placed, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        announcement = publish(placed["quinn"])
    notified = Notification.objects.filter(kind="announcement")
    assert notified.count() == 4
    assert len(mail.outbox) == 4
    assert {m.subject for m in mail.outbox} == {"Quality update: Q3 results"}
    # Running the delivery again (a retried task) tells nobody twice.
    assert services.announcement_deliver(announcement_id=announcement.pk) == 0
    assert notified.count() == 4 and len(mail.outbox) == 4


def test_delivery_skips_the_notification_of_members_who_muted_announcements(
    placed, django_capture_on_commit_callbacks
):
    from qms.core.notifications.models import NotificationPreference

    NotificationPreference.objects.create(
        membership=placed["carl"], kind="announcement", muted=True
    )
    with django_capture_on_commit_callbacks(execute=True):
        announcement = publish(placed["quinn"])
    assert not Notification.objects.filter(recipient=placed["carl"]).exists()
    # carl still has it on his list and board.
    assert selectors.recent_announcements(membership=placed["carl"])[0] == announcement


def test_delivery_to_thousands_of_members_uses_a_bounded_number_of_queries(
    cast, units, members, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    for index in range(600):
        MembershipFactory(
            user=UserFactory(username=f"staff{index}", email=""),
            organization=cast.org_a,
            role="contributor",
            org_unit=units["A1"],
        )
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        announcement = publish(members["quinn"], target_units=[units["A1"]])
    assert announcement.recipients_count == 600
    # 21, and the delete of its outbox row once queued (SQLite splits the 600 inserts into
    # batches by column count: one more since notifications record when they were resolved)
    with django_assert_max_num_queries(22):
        for callback in callbacks:
            callback()
    assert Notification.objects.filter(kind="announcement").count() == 600


def test_recent_announcements_lists_newest_first_with_read_status_in_one_query(
    placed, django_assert_num_queries
):
    first = publish(placed["quinn"], title="First")
    second = publish(placed["alice"], title="Second")
    services.announcement_mark_read(announcement=first, membership=placed["carl"])
    with django_assert_num_queries(1):
        recent = selectors.recent_announcements(membership=placed["carl"], limit=5)
        assert [(a.title, a.is_read, a.author.display_name) for a in recent] == [
            ("Second", False, "Alice Test"),
            ("First", True, "Quinn Test"),
        ]
    assert second.pk == recent[0].pk
    assert selectors.recent_announcements(membership=placed["carl"], limit=1) == [second]


def test_reach_rate_per_unit_counts_readers_over_recipients(placed, units):
    announcement = publish(placed["quinn"], target_units=[units["A"]])
    for name in ("carl", "alice"):
        services.announcement_mark_read(announcement=announcement, membership=placed[name])
    total, per_unit = selectors.announcement_reach(announcement=announcement)
    assert (total.targeted, total.read, total.percent) == (4, 2, 50)
    assert [(r.unit_name, r.targeted, r.read, r.percent) for r in per_unit] == [
        ("Acme Test Ltd", 2, 1, 50),
        ("Plant One", 2, 1, 50),
    ]


def test_reading_twice_keeps_the_first_reading_time(placed):
    announcement = publish(placed["quinn"])
    assert services.announcement_mark_read(announcement=announcement, membership=placed["carl"])
    first = AnnouncementRecipient.objects.get(membership=placed["carl"]).read_at
    assert not services.announcement_mark_read(announcement=announcement, membership=placed["carl"])
    assert AnnouncementRecipient.objects.get(membership=placed["carl"]).read_at == first


def test_opening_the_page_marks_it_read_and_clears_the_notification(
    client, cast, placed, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        announcement = publish(placed["quinn"])
    client.force_login(cast.carl)
    page = client.get(reverse("communication:announcement", args=["acme-test", announcement.pk]))
    assert page.status_code == 200
    assert b"at target" in page.content
    assert b"Reach" not in page.content  # contributors do not see others' reading
    receipt = AnnouncementRecipient.objects.get(membership=placed["carl"])
    assert receipt.read_at is not None
    assert Notification.objects.get(recipient=placed["carl"]).read_at is not None


def test_publishing_and_recording_are_in_the_audit_trail_with_who_did_it(members, plan_item):
    from leadership.communication import services_activities
    from qms.core import audit

    announcement = publish(members["quinn"])
    assert announcement.history.get().history_user.username == "quinn"
    services.plan_occurrence_mark_done(
        item=plan_item, due_on=plan_item.starts_on, actor=members["carl"], note="Briefed"
    )
    occurrence = plan_item.occurrences.get()
    assert occurrence.history.get().history_user.username == "carl"
    activity = services_activities.activity_log(
        executive=members["alice"], kind="town_hall", occurred_on=plan_item.starts_on, title="TH"
    )
    services_activities.activity_update(activity=activity, actor=members["alice"], title="Q1 TH")
    entries = audit.record_history(activity)
    assert [e.action for e in entries] == ["changed", "created"]
    assert entries[0].changes[0].before == "TH" and entries[0].changes[0].after == "Q1 TH"


def test_delivery_is_queued_only_when_the_publication_commits(
    placed, django_capture_on_commit_callbacks
):
    from django.db import transaction

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        publish(placed["quinn"])
        raise RuntimeError("the surrounding request failed")
    assert callbacks == []
    assert not Announcement.objects.exists()
    assert not Notification.objects.exists() and not mail.outbox
