"""Delivery: each notification once (running twice, or concurrently on PostgreSQL), e-mail to
members with an address, one failing recipient does not stop the others, muting, the tasks,
their schedules and the `send_reminders` command."""

import datetime
import smtplib
import threading

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.core.management import CommandError, call_command
from django.db import connection

from qms.core.notifications import registry, services
from qms.core.notifications.models import EmailStatus, Notification
from qms.core.notifications.tasks import run_reminders, weekly_digest

START = datetime.datetime(2026, 11, 1, 8, 0, tzinfo=datetime.UTC)
TODAY = datetime.date(2026, 11, 12)  # actions due on 3 November are 9 days overdue


@pytest.fixture(autouse=True)
def clock(time_machine):
    time_machine.move_to(START, tick=False)
    return time_machine


@pytest.fixture
def overdue_action(raise_action):
    """ACT-0001, owned by carl, accountable alice, due 3 November."""
    return raise_action(due_date=datetime.date(2026, 11, 3))


class FailingForCarl(EmailBackend):
    """The test mail box, refusing carl's address."""

    def send_messages(self, messages):
        for message in messages:
            if "carl@example.test" in message.to:
                raise smtplib.SMTPRecipientsRefused({"carl@example.test": (550, b"No such user")})
        return super().send_messages(messages)


def test_running_the_task_twice_sends_each_notification_once(overdue_action, clock):
    clock.move_to(datetime.datetime(2026, 11, 12, 7, tzinfo=datetime.UTC), tick=False)
    first = run_reminders.delay().get()
    second = run_reminders.delay().get()
    assert first["created"] == 2 and second["created"] == 0
    assert Notification.objects.count() == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["alice@example.test", "carl@example.test"]
    assert all(n.email_status == EmailStatus.SENT for n in Notification.objects.all())


def test_the_email_says_what_to_do_and_links_to_the_record(overdue_action, settings):
    settings.QMS_BASE_URL = "https://qms.example.com"
    services.reminders_run(today=TODAY)
    to_carl = next(m for m in mail.outbox if m.to == ["carl@example.test"])
    assert to_carl.subject == "ACT-0001 is overdue: Recalibrate the CMM"
    assert "https://qms.example.com/o/acme-test/actions/1/" in to_carl.body
    assert "mute" in to_carl.body
    escalation = next(m for m in mail.outbox if m.to == ["alice@example.test"])
    assert "mute" not in escalation.body  # escalations cannot be muted


def test_one_failing_recipient_does_not_stop_the_others(overdue_action, settings):
    settings.EMAIL_BACKEND = f"{__name__}.FailingForCarl"
    report = services.reminders_run(today=TODAY)
    assert (report.emailed, report.email_failures) == (1, 1)
    assert [m.to for m in mail.outbox] == [["alice@example.test"]]
    failed = Notification.objects.get(recipient__user__username="carl")
    assert failed.email_status == EmailStatus.FAILED
    assert "SMTPRecipientsRefused" in failed.email_error
    # Both are in the app; carl's e-mail is retried on the next run, up to the attempt limit.
    assert Notification.objects.count() == 2
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    services.reminders_run(today=TODAY)
    failed.refresh_from_db()
    assert failed.email_status == EmailStatus.SENT and failed.email_attempts == 2
    assert len(mail.outbox) == 2


def test_a_failed_email_is_given_up_after_the_attempt_limit(overdue_action, settings):
    settings.EMAIL_BACKEND = f"{__name__}.FailingForCarl"
    settings.NOTIFICATION_EMAIL_MAX_ATTEMPTS = 2
    for _ in range(4):
        services.reminders_run(today=TODAY)
    failed = Notification.objects.get(recipient__user__username="carl")
    assert (failed.email_status, failed.email_attempts) == (EmailStatus.FAILED, 2)


def test_members_without_an_address_are_told_in_the_app_only(overdue_action, members):
    members["carl"].user.email = ""
    members["carl"].user.save()
    services.reminders_run(today=TODAY)
    note = Notification.objects.get(recipient=members["carl"])
    assert note.email_status == EmailStatus.NOT_SENT
    assert [m.to for m in mail.outbox] == [["alice@example.test"]]


def test_a_muted_kind_is_neither_listed_nor_emailed(overdue_action, members):
    services.notification_preferences_set(
        membership=members["carl"], muted_kinds=["action-overdue"]
    )
    services.reminders_run(today=TODAY)
    assert not Notification.objects.filter(recipient=members["carl"]).exists()
    assert [m.to for m in mail.outbox] == [["alice@example.test"]]
    # Unmuted: what is still due reaches carl on the next run.
    services.notification_preferences_set(membership=members["carl"], muted_kinds=[])
    services.reminders_run(today=TODAY)
    assert Notification.objects.filter(recipient=members["carl"], kind="action-overdue").exists()


def test_escalations_cannot_be_muted(overdue_action, members):
    services.notification_preferences_set(
        membership=members["alice"], muted_kinds=["action-overdue-escalated"]
    )
    assert not members["alice"].notification_preferences.filter(muted=True).exists()
    services.reminders_run(today=TODAY)
    assert Notification.objects.filter(
        recipient=members["alice"], kind="action-overdue-escalated", is_critical=True
    ).exists()


def test_former_members_are_not_notified(overdue_action, members):
    members["carl"].is_active = False
    members["carl"].save()
    services.reminders_run(today=TODAY)
    assert not Notification.objects.filter(recipient=members["carl"]).exists()


def test_a_failing_rule_does_not_stop_the_others(overdue_action, monkeypatch):
    def broken(organization, today):
        raise RuntimeError("boom")

    monkeypatch.setattr(registry, "_RULES", [broken, *registry._RULES])
    with pytest.raises(services.RulesFailed, match="boom"):
        services.reminders_run(today=TODAY)
    assert Notification.objects.count() == 2


def test_a_rule_cannot_notify_another_organisations_member(cast, monkeypatch):
    from qms.core.models import Membership
    from qms.core.notifications.registry import NotificationSpec

    bob = Membership.objects.get(user=cast.bob)

    def leaky(organization, today):
        yield NotificationSpec(recipient=bob, kind="action-overdue", occasion="x", title="Hi")

    monkeypatch.setattr(registry, "_RULES", [leaky])
    services.reminders_run(today=TODAY, organization=cast.org_a)
    assert Notification.objects.count() == 0


def test_weekly_digest_task_runs_once_per_week(overdue_action, clock):
    clock.move_to(datetime.datetime(2026, 11, 16, 7, 30, tzinfo=datetime.UTC), tick=False)
    weekly_digest.delay()
    clock.move_to(datetime.datetime(2026, 11, 18, 7, 30, tzinfo=datetime.UTC), tick=False)
    weekly_digest.delay()
    assert list(Notification.objects.values_list("kind", "occasion")) == [
        ("weekly-digest", "week-2026-W47")
    ]
    assert len(mail.outbox) == 1


def test_tasks_retry_transient_failures_with_backoff():
    for task in (run_reminders, weekly_digest):
        assert smtplib.SMTPException in task.autoretry_for
        assert ConnectionError in task.autoretry_for
        assert task.retry_backoff is True
        assert task.max_retries == 5


@pytest.mark.django_db
def test_default_schedules_include_reminders_and_digest():
    from django_celery_beat.models import PeriodicTask

    from qms.core.schedules import ensure_schedules

    ensure_schedules()
    reminders = PeriodicTask.objects.get(task="notifications.run_reminders")
    digest = PeriodicTask.objects.get(task="notifications.weekly_digest")
    assert (reminders.crontab.hour, reminders.crontab.minute) == ("7", "0")
    assert (digest.crontab.day_of_week, digest.crontab.hour) == ("1", "7")


def test_send_reminders_command_runs_the_rules_for_one_organisation(overdue_action, capsys):
    call_command("send_reminders", "--org", "acme-test", "--today", "2026-11-12")
    assert (
        "2 notifications created; 2 e-mails sent, earlier ones waiting included; 0 e-mails failed."
        in (capsys.readouterr().out)
    )
    call_command("send_reminders", "--today", "2026-11-12")
    assert Notification.objects.count() == 2


def test_send_reminders_command_explains_bad_input(cast):
    with pytest.raises(CommandError, match="no organisation"):
        call_command("send_reminders", "--org", "nope")
    with pytest.raises(CommandError, match="write it as"):
        call_command("send_reminders", "--today", "12/11/2026")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_runs_create_and_send_each_notification_once(overdue_action):
    assert connection.vendor == "postgresql"
    start = threading.Barrier(4)
    errors = []

    def run():
        try:
            start.wait()
            services.reminders_run(today=TODAY)
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert Notification.objects.filter(kind="action-overdue").count() == 1
    assert Notification.objects.filter(kind="action-overdue-escalated").count() == 1
    assert sorted(m.to[0] for m in mail.outbox) == ["alice@example.test", "carl@example.test"]


def test_another_app_adds_a_rule_with_one_function(cast, members, monkeypatch):
    from qms.core.notifications.registry import NotificationSpec

    monkeypatch.setattr(registry, "_RULES", [])
    monkeypatch.setattr(registry, "_KINDS", dict(registry._KINDS))

    def review_coming_up(organization, today):
        for member in (members["alice"], members["quinn"]):
            yield NotificationSpec(
                recipient=member,
                kind="review-coming-up",
                subject=organization,
                occasion="days-7",
                title="The management review is in 7 days",
                url=f"/o/{organization.slug}/reviews/",
            )

    registry.register_kind("review-coming-up", "Management review coming up")
    registry.register_rule(review_coming_up)
    services.reminders_run(today=TODAY)
    services.reminders_run(today=TODAY)
    notes = Notification.objects.order_by("recipient__user__username")
    assert [(n.recipient.user.username, n.subject_key) for n in notes] == [
        ("alice", f"core.organization:{cast.org_a.pk}"),
        ("quinn", f"core.organization:{cast.org_a.pk}"),
    ]
    assert notes[0].kind_label == "Management review coming up"
    assert len(mail.outbox) == 2


def test_an_escalation_says_its_kind_once_in_the_list_and_in_the_email(
    overdue_action, client, members
):
    """The list wrote "Escalation | Escalation: ACT-0001 …": a badge and a title prefix both
    said it. The title is the news, the badge says it cannot wait, the kind is named once."""
    services.reminders_run(today=TODAY)
    escalation = next(m for m in mail.outbox if m.to == ["alice@example.test"])
    assert escalation.subject == "ACT-0001 is 9 days overdue: Recalibrate the CMM"
    assert escalation.body.rstrip().endswith(": Overdue action escalated. Always delivered.")
    client.force_login(members["alice"].user)
    page = client.get("/o/acme-test/notifications/").content.decode()
    assert "Escalation" not in page.split('<ul class="list-group')[1]
    assert page.count("Overdue action escalated") == 1
    assert '<span class="badge text-bg-danger me-1">Urgent</span>' in page
