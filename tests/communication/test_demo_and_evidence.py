"""The demo's communication records make each page meaningful, seeding twice adds none, and the
selectors the leadership record and evidence pack read agree with it."""

import datetime

import pytest

from leadership.communication import selectors
from leadership.communication.models import (
    Announcement,
    AnnouncementRecipient,
    CommunicationPlanItem,
    LeadershipActivity,
    PlanOccurrence,
)
from qms.core.actions.models import Action
from qms.core.demo import seed_demo

pytestmark = pytest.mark.django_db

MODELS = (
    CommunicationPlanItem,
    PlanOccurrence,
    Announcement,
    AnnouncementRecipient,
    LeadershipActivity,
)


def test_the_demo_has_a_kept_plan_read_announcements_and_activities_and_seeding_twice_adds_none():
    context = seed_demo()
    acme, today, members = context.organization, context.today, context.members
    year = {"organization": acme, "start": today - datetime.timedelta(days=365), "end": today}
    summary = selectors.plan_on_time_summary(**year, today=today)
    assert summary.due >= 8 and summary.late >= 1 and summary.missed >= 1
    assert summary.on_time > summary.late + summary.missed
    announcements = selectors.announcements_for_evidence(**year)
    assert len(announcements) >= 4
    assert any(row["plan_item"] for row in announcements)
    assert all(0 <= row["reach_rate"] <= 1 for row in announcements)
    assert sum(row["reach_rate"] > 0.5 for row in announcements) >= 4
    activities = selectors.activities_for_evidence(**year)
    assert {row["kind"] for row in activities} >= {"Quality walk / gemba visit", "Town hall"}
    assert any(row["follow_up_actions"] for row in activities)
    executives = [members["executive"].pk, members["ops.director"].pk]
    assert selectors.announcements_sent(**year, executive_ids=executives)[executives[0]] >= 3
    assert selectors.activities_logged(**year, executive_ids=executives) == {
        executives[0]: 2,
        executives[1]: 2,
    }
    carla = members["contributor"]
    assert selectors.recent_announcements(membership=carla)

    counts = [m.objects.count() for m in MODELS] + [Action.objects.count()]
    seed_demo()
    assert [m.objects.count() for m in MODELS] + [Action.objects.count()] == counts


def test_a_worker_starting_after_the_demo_e_mails_no_announcement_of_past_months(
    django_capture_on_commit_callbacks,
):
    """The worker's first start e-mailed every member the quarterly results of a year ago and
    the policy announcement of two months ago (try-out finding): the demo's past announcements
    were told on their day; only today's news is e-mailed."""
    from django.core import mail

    with django_capture_on_commit_callbacks() as queued:
        context = seed_demo()
    for callback in queued:  # the worker starts and takes what was queued
        callback()
    subjects = [message.subject for message in mail.outbox]
    assert not [s for s in subjects if "Quality results" in s or "policy version 2" in s]
    todays = Announcement.objects.get(
        organization=context.organization, published_at__date=context.today
    )
    assert any(todays.title in s for s in subjects)
