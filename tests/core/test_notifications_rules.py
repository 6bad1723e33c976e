"""Each reminder rule, on hand-made data with a frozen clock: who is told what, and when the
escalation to the accountable executive starts."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from leadership.services import policy as policy_services
from objectives.models import Measurement
from qms.core.actions.models import Action
from qms.core.notifications.models import Notification
from qms.core.notifications.services import digest_run, reminders_run
from tests.objectives.factories import make_objective

START = datetime.datetime(2026, 11, 1, 8, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def clock(time_machine):
    time_machine.move_to(START, tick=False)
    return time_machine


def day(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


def told(kind=None):
    """{(username, kind, occasion)} of every notification."""
    rows = Notification.objects.select_related("recipient__user")
    if kind:
        rows = rows.filter(kind=kind)
    return {(n.recipient.user.username, n.kind, n.occasion) for n in rows}


# --- KPI values -------------------------------------------------------------------------------


@pytest.fixture
def objective(cast, members):
    """Monthly, values due 10 days after the month ends; owner carl, accountable alice."""
    return make_objective(cast, owner=members["carl"], accountable_executive=members["alice"])


def test_a_missing_value_reminds_the_owner_once_it_is_due(objective):
    # October's value is due on 10 November; until then September's is the one missing (and,
    # due since 10 October, already escalated).
    reminders_run(today=day("2026-11-09"), organization=objective.organization)
    assert told() == {
        ("carl", "kpi-value-due", "due-2026-09-30"),
        ("alice", "kpi-value-missing-escalated", "missing-2026-09-30"),
    }
    Notification.objects.all().delete()
    Measurement.objects.create(
        organization=objective.organization,
        objective=objective,
        period_end=day("2026-09-30"),
        value=Decimal("96"),
        entered_at=timezone.now(),
    )
    reminders_run(today=day("2026-11-09"), organization=objective.organization)
    assert told() == set()
    reminders_run(today=day("2026-11-10"), organization=objective.organization)
    assert told() == {("carl", "kpi-value-due", "due-2026-10-31")}
    notification = Notification.objects.get()
    assert notification.subject == objective
    assert "October 2026" in notification.title
    assert notification.url.endswith(f"/objectives/{objective.code}/")


def test_a_recorded_value_stops_the_reminder(objective):
    Measurement.objects.create(
        organization=objective.organization,
        objective=objective,
        period_end=day("2026-10-31"),
        value=Decimal("96"),
        entered_at=timezone.now(),
    )
    reminders_run(today=day("2026-11-20"), organization=objective.organization)
    assert told() == set()


def test_missing_value_escalates_to_the_executive_after_the_grace_period(objective):
    org = objective.organization
    Measurement.objects.create(
        organization=org,
        objective=objective,
        period_end=day("2026-09-30"),
        value=Decimal("96"),
        entered_at=timezone.now(),
    )
    # Due on 10 November; day 6 after: the owner only.
    reminders_run(today=day("2026-11-16"), organization=org)
    assert told() == {("carl", "kpi-value-due", "due-2026-10-31")}
    # Day 8 after: the accountable executive too, as a critical notification.
    reminders_run(today=day("2026-11-18"), organization=org)
    assert told() == {
        ("carl", "kpi-value-due", "due-2026-10-31"),
        ("alice", "kpi-value-missing-escalated", "missing-2026-10-31"),
    }
    assert Notification.objects.get(recipient__user__username="alice").is_critical


def test_escalation_delay_follows_the_setting(objective, settings):
    settings.KPI_ESCALATION_DAYS = 2
    Measurement.objects.create(
        organization=objective.organization,
        objective=objective,
        period_end=day("2026-09-30"),
        value=Decimal("96"),
        entered_at=timezone.now(),
    )
    reminders_run(today=day("2026-11-12"), organization=objective.organization)
    assert ("alice", "kpi-value-missing-escalated", "missing-2026-10-31") in told()


def test_objectives_not_active_or_not_started_are_not_chased(cast, members):
    make_objective(cast, code="OBJ-02", status="draft")
    make_objective(cast, code="OBJ-03", start_date=day("2026-11-05"), due_date=day("2027-12-31"))
    reminders_run(today=day("2026-11-20"), organization=cast.org_a)
    assert told() == set()


# --- actions ----------------------------------------------------------------------------------


def test_action_due_soon_reminds_the_owner(raise_action):
    raise_action(due_date=day("2026-11-05"), title="Due soon")
    raise_action(due_date=day("2026-11-10"), title="Not yet")
    reminders_run(today=day("2026-11-02"), organization=Action.objects.first().organization)
    assert told() == {("carl", "action-due-soon", "due-2026-11-05")}
    assert Notification.objects.get().title.startswith("ACT-0001 is due in 3 days")


def test_overdue_action_reminds_the_owner_then_escalates(raise_action, members):
    action = raise_action(due_date=day("2026-11-03"))
    org = action.organization
    reminders_run(today=day("2026-11-04"), organization=org)
    assert told() == {("carl", "action-overdue", "overdue-2026-11-03")}
    # 7 days overdue: not yet escalated; 8 days: escalated to alice.
    reminders_run(today=day("2026-11-10"), organization=org)
    assert told("action-overdue-escalated") == set()
    reminders_run(today=day("2026-11-11"), organization=org)
    assert told("action-overdue-escalated") == {
        ("alice", "action-overdue-escalated", "overdue-escalated-2026-11-03")
    }
    assert len(told("action-overdue")) == 1


def test_an_executive_who_owns_the_action_is_told_once_and_not_of_escalation_to_themselves(
    raise_action, members
):
    """Found by the try-out: "ACT-0014 is overdue … it is escalated to Oliver Grant", sent to
    Oliver Grant, then "Urgent: ACT-0014 is 27 days overdue … You are accountable" as well."""
    action = raise_action(due_date=day("2026-11-03"), owner=members["alice"])
    reminders_run(today=day("2026-11-30"), organization=action.organization)
    assert told() == {("alice", "action-overdue", "overdue-2026-11-03")}
    assert "escalated" not in Notification.objects.get().body


def test_a_later_due_date_is_a_new_occasion(raise_action):
    action = raise_action(due_date=day("2026-11-03"))
    reminders_run(today=day("2026-11-05"), organization=action.organization)
    Action.objects.filter(pk=action.pk).update(due_date=day("2026-11-20"))
    reminders_run(today=day("2026-11-25"), organization=action.organization)
    assert told("action-overdue") == {
        ("carl", "action-overdue", "overdue-2026-11-03"),
        ("carl", "action-overdue", "overdue-2026-11-20"),
    }


def test_closed_actions_are_not_chased(raise_action, members):
    action = raise_action(due_date=day("2026-11-03"))
    Action.objects.filter(pk=action.pk).update(
        status="cancelled", closed_at=timezone.now(), closed_by=members["quinn"], closing_note="x"
    )
    reminders_run(today=day("2026-11-30"), organization=action.organization)
    assert told() == set()


# --- policy acknowledgement -------------------------------------------------------------------


@pytest.fixture
def published(cast, members):
    s = policy_services
    policy = s.policy_get_or_create(organization=cast.org_a, actor=cast.quinn)
    version = s.policy_version_create_draft(
        policy=policy, membership=members["quinn"], text="We satisfy customers."
    )
    s.policy_version_submit(version=version, membership=members["quinn"])
    s.policy_version_approve(version=version, approver=members["alice"], comment="Agreed")
    return s.policy_version_publish(version=version, membership=members["quinn"])


def test_policy_acknowledgement_pending_after_the_set_days(published, members, cast):
    policy_services.policy_acknowledge(version=published, membership=members["alice"])
    pending = "policy-acknowledgement-pending"
    reminders_run(today=day("2026-11-14"), organization=cast.org_a)
    assert told(pending) == set()
    reminders_run(today=day("2026-11-15"), organization=cast.org_a)
    occasion = f"version-{published.pk}"
    # Everyone current except auditors and alice, who acknowledged.
    assert told(pending) == {(name, pending, occasion) for name in ("quinn", "carl", "adam")}
    # Acknowledging later does not bring a second one for the same version.
    reminders_run(today=day("2026-11-20"), organization=cast.org_a)
    assert Notification.objects.filter(kind=pending).count() == 3


# --- weekly digest ----------------------------------------------------------------------------


def test_weekly_digest_lists_rag_changes_and_overdue_actions(cast, members, raise_action):
    objective = make_objective(cast, owner=members["carl"], accountable_executive=members["alice"])
    steady = make_objective(
        cast, code="OBJ-02", owner=members["carl"], accountable_executive=members["alice"]
    )

    def value(obj, end, amount, entered):
        Measurement.objects.create(
            organization=obj.organization,
            objective=obj,
            period_end=day(end),
            value=Decimal(amount),
            entered_at=datetime.datetime.fromisoformat(entered).replace(tzinfo=datetime.UTC),
        )

    value(objective, "2026-09-30", "96", "2026-10-05T09:00")  # green a week ago (Nov 9)
    value(objective, "2026-10-31", "80", "2026-11-12T09:00")  # red now
    value(steady, "2026-09-30", "96", "2026-10-05T09:00")
    value(steady, "2026-10-31", "97", "2026-11-08T09:00")
    raise_action(due_date=day("2026-11-05"), title="Fix the gauge")

    monday = day("2026-11-16")
    digest_run(today=monday, organization=cast.org_a)
    digest_run(today=monday, organization=cast.org_a)
    digest = Notification.objects.get()
    assert (digest.recipient, digest.kind, digest.occasion) == (
        members["alice"],
        "weekly-digest",
        "week-2026-W47",
    )
    assert "OBJ-01 Objective OBJ-01: On track → Off track" in digest.body
    assert "OBJ-02" not in digest.body
    assert "ACT-0001 Fix the gauge: due 5 Nov 2026, owner Carl Test" in digest.body


def test_no_digest_when_there_is_nothing_to_say(cast):
    digest_run(today=day("2026-11-16"), organization=cast.org_a)
    assert Notification.objects.count() == 0


def test_another_app_adds_a_digest_section(cast, members, monkeypatch):
    from qms.core.notifications import registry

    monkeypatch.setattr(registry, "_DIGEST_SECTIONS", list(registry._DIGEST_SECTIONS))
    registry.register_digest_section(
        lambda membership, today: ("Next management review", ["Q4 review on 10 Dec 2026"])
    )
    digest_run(today=day("2026-11-16"), organization=cast.org_a)
    digest = Notification.objects.get()
    assert digest.body == "Next management review\n- Q4 review on 10 Dec 2026"
