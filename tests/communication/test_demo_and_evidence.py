"""The demo's communication records make each page meaningful, and the selectors the leadership
record and evidence pack read agree with it (that seeding twice adds nothing to any table is
tested in tests/core/test_seed_demo.py)."""

import datetime

import pytest

from leadership.communication import selectors
from tests.seeded import seeded_demo

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_kept_plan_read_announcements_and_activities():
    context = seeded_demo()
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
