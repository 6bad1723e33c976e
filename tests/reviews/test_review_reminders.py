"""Reminders of management reviews: attendees 14, 7 and 1 days before, organisers when the
agenda is still not compiled a week before; once each, on a frozen calendar."""

import datetime

import pytest
from django.core import mail

from qms.core.notifications.models import Notification
from qms.core.notifications.services import digest_run, reminders_run
from reviews.reminders import COMING_UP, NOT_PREPARED
from reviews.services import management_reviews as s

pytestmark = pytest.mark.django_db

D = datetime.date
PLANNED = D(2026, 12, 15)


@pytest.fixture
def review(members):
    review = s.review_plan(membership=members["quinn"], planned_on=PLANNED, title="Q4 review")
    s.review_attendance_set(
        review=review, membership=members["quinn"], attendee=members["alice"],
        attendance="invited",
    )  # fmt: skip
    return review


def _sent(kind):
    return sorted(
        (n.recipient.user.username, n.occasion) for n in Notification.objects.filter(kind=kind)
    )


def test_attendees_are_reminded_at_each_threshold_once(cast, review):
    for day in (D(2026, 11, 30), D(2026, 12, 1), D(2026, 12, 1), D(2026, 12, 8), D(2026, 12, 14)):
        reminders_run(today=day, organization=cast.org_a)
    assert _sent(COMING_UP) == [
        ("alice", "days-1-2026-12-15"),
        ("alice", "days-14-2026-12-15"),
        ("alice", "days-7-2026-12-15"),
    ]
    assert any("Management review MR-001 in 14 days" in m.subject for m in mail.outbox)


def test_nothing_before_the_first_threshold(cast, review):
    reminders_run(today=D(2026, 11, 20), organization=cast.org_a)
    assert not Notification.objects.exists()


def test_organisers_are_told_when_the_agenda_is_not_compiled_a_week_before(cast, members, review):
    reminders_run(today=D(2026, 12, 7), organization=cast.org_a)
    assert _sent(NOT_PREPARED) == []  # 8 days before
    reminders_run(today=D(2026, 12, 8), organization=cast.org_a)
    assert [u for u, _ in _sent(NOT_PREPARED)] == ["adam", "quinn"]
    Notification.objects.all().delete()
    s.review_prepare(review=review, membership=members["quinn"], today=D(2026, 12, 8))
    reminders_run(today=D(2026, 12, 9), organization=cast.org_a)
    assert _sent(NOT_PREPARED) == []


def test_a_moved_review_is_reminded_again(cast, review):
    reminders_run(today=D(2026, 12, 1), organization=cast.org_a)
    type(review).objects.filter(pk=review.pk).update(planned_on=D(2026, 12, 20))
    reminders_run(today=D(2026, 12, 6), organization=cast.org_a)
    assert len(_sent(COMING_UP)) == 2


def test_the_weekly_digest_names_the_next_review(cast, review):
    digest_run(today=D(2026, 12, 7), organization=cast.org_a)
    digest = Notification.objects.get(recipient__user__username="alice")
    assert "MR-001 Q4 review: 15 Dec 2026 (in 8 days, agenda not compiled)" in digest.body
