"""Period summaries of the context issues and risks registers, on hand-made data."""

import datetime

import pytest

from leadership.models import ContextIssue, Risk
from leadership.selectors.context import context_issues_summary
from leadership.selectors.risks import risks_summary
from qms.core.actions.services import action_create
from qms.core.models import Membership

pytestmark = pytest.mark.django_db

D = datetime.date
START, END = D(2026, 1, 1), D(2026, 3, 31)


def _issue(cast, number, **fields):
    return ContextIssue.objects.create(organization=cast.org_a, number=number, **fields)


def _risk(cast, number, **fields):
    defaults = {"title": f"R{number}", "kind": "risk", "identified_on": D(2025, 6, 1)}
    return Risk.objects.create(organization=cast.org_a, number=number, **{**defaults, **fields})


def test_context_summary_counts_what_changed_in_the_period(cast):
    _issue(cast, 1, title="Old, still current", kind="internal", raised_on=D(2025, 5, 1))
    _issue(cast, 2, title="New in Q1", kind="external", raised_on=D(2026, 2, 1))
    _issue(
        cast, 3, title="Changed in Q1", kind="external", raised_on=D(2025, 1, 1),
        status="changed", status_changed_on=D(2026, 3, 5),
    )  # fmt: skip
    _issue(
        cast, 4, title="Closed in Q1", kind="internal", raised_on=D(2025, 1, 1),
        status="closed", status_changed_on=D(2026, 1, 20),
    )  # fmt: skip
    _issue(
        cast, 5, title="Closed before", kind="internal", raised_on=D(2024, 1, 1),
        status="closed", status_changed_on=D(2025, 12, 1),
    )  # fmt: skip
    _issue(cast, 6, title="Raised after", kind="internal", raised_on=D(2026, 4, 2))
    ContextIssue.objects.create(
        organization=cast.org_b, number=1, title="Other org", kind="internal", raised_on=START
    )

    summary = context_issues_summary(organization=cast.org_a, start=START, end=END)

    assert (summary.raised, summary.changed, summary.closed) == (1, 1, 1)
    assert summary.in_force_at_end == 3  # issues 1, 2, 3
    assert (summary.internal_in_force, summary.external_in_force) == (1, 2)
    # newest event first
    assert [i.title for i in summary.changes] == ["Changed in Q1", "New in Q1", "Closed in Q1"]
    assert summary.has_data


def test_context_summary_says_when_there_is_nothing(cast):
    summary = context_issues_summary(organization=cast.org_a, start=START, end=END)
    assert not summary.has_data


def test_risk_summary_levels_reviews_and_unactioned_high_risks(cast):
    members = {m.user.username: m for m in Membership.objects.filter(organization=cast.org_a)}
    _risk(cast, 1, likelihood=5, impact=5)  # high, no action
    treated = _risk(cast, 2, likelihood=4, impact=4)  # high, with an open action
    _risk(cast, 3, likelihood=3, impact=3)  # medium
    _risk(cast, 4, likelihood=1, impact=2, identified_on=D(2026, 2, 2))  # low, new
    _risk(cast, 5, likelihood=2, impact=2, kind="opportunity")
    _risk(
        cast, 6, likelihood=5, impact=5, status="closed", reviewed_on=D(2026, 2, 10),
        effectiveness="effective",
    )  # fmt: skip
    _risk(cast, 7, likelihood=2, impact=5, reviewed_on=D(2026, 3, 1), effectiveness="not_effective")
    _risk(cast, 8, likelihood=1, impact=1, review_due_on=D(2026, 3, 1))  # review overdue
    _risk(cast, 9, likelihood=5, impact=5, identified_on=D(2026, 5, 1))  # after the period
    action_create(
        organization=cast.org_a,
        raised_by=members["quinn"],
        title="Second source",
        owner=members["carl"],
        accountable_executive=members["alice"],
        due_date=D(2030, 1, 1),
        source=treated,
        today=D(2026, 1, 5),
    )

    summary = risks_summary(organization=cast.org_a, start=START, end=END)

    assert (summary.open_high, summary.open_medium, summary.open_low) == (2, 2, 2)
    assert summary.opportunities_open == 1
    assert summary.identified == 1
    assert (summary.reviewed, summary.reviewed_effective, summary.reviewed_not_effective) == (
        2,
        1,
        1,
    )
    assert summary.reviews_overdue == 1
    assert [r.number for r in summary.high_without_action] == [1]
