"""The demo reads like an organisation's history, not like one afternoon's data entry (issue 21,
"the first minutes"): values entered after their month ended, actions raised on the day of the
event they answer, reviews held every quarter since 2025, announcements about quarters that had
ended, a policy whose page, history and approval give the same dates, and no second corrective
action proposed where one is open."""

import datetime
import itertools

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from leadership.communication.models import Announcement
from leadership.models import PolicyVersion
from objectives.models import Measurement, QualityObjective, RedFollowUp
from qms.core.actions.models import Action
from qms.core.notifications.models import EmailStatus, Notification
from reviews.models import (
    AuditFinding,
    ManagementReview,
    Nonconformity,
    ReviewDecision,
    ReviewStatus,
)
from tests.seeded import demo_for_module

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with demo_for_module(django_db_blocker) as context:
        yield context


def _day(moment: datetime.datetime) -> datetime.date:
    return timezone.localdate(moment)


def test_each_value_was_entered_a_few_days_after_its_month_with_its_audit_entry_that_day(demo):
    values = Measurement.objects.filter(organization=demo.organization)
    assert values.count() > 400
    for value in values:
        waited = (_day(value.entered_at) - value.period_end).days
        assert 1 <= waited <= 10, (value.objective_id, value.period_end, value.entered_at)
    entries = Measurement.history.filter(organization=demo.organization)
    assert {(e.id, e.history_date) for e in entries} == {(v.pk, v.entered_at) for v in values}


def test_the_objectives_were_set_before_their_first_month(demo):
    for objective in QualityObjective.objects.filter(organization=demo.organization):
        assert _day(objective.created_at) < objective.start_date
        first = objective.history.order_by("history_date").first()
        assert _day(first.history_date) == _day(objective.created_at)


def test_no_action_reads_raised_today_and_each_was_raised_on_or_after_its_event(demo):
    actions = list(Action.objects.filter(organization=demo.organization))
    assert len(actions) >= 25
    for action in actions:
        raised = _day(action.created_at)
        assert raised < demo.today, action.title
        first = action.history.order_by("history_date").first()
        assert _day(first.history_date) == raised, action.title
    kinds = {model: ContentType.objects.get_for_model(model) for model in (
        ReviewDecision, Nonconformity, AuditFinding)}  # fmt: skip
    for action in actions:
        if action.source_type_id == kinds[ReviewDecision].pk:
            decision = ReviewDecision.objects.get(pk=action.source_id)
            assert _day(action.created_at) == decision.review.held_on
        elif action.source_type_id == kinds[Nonconformity].pk:
            detected = Nonconformity.objects.get(pk=action.source_id).detected_on
            assert _day(action.created_at) >= detected, action.title
        elif action.source_type_id == kinds[AuditFinding].pk:
            audited = AuditFinding.objects.get(pk=action.source_id).audit_date
            assert _day(action.created_at) >= audited, action.title


def test_reviews_were_held_and_signed_every_quarter_since_last_year(demo):
    reviews = list(
        ManagementReview.objects.for_organization(demo.organization).order_by("planned_on")
    )
    held = [r for r in reviews if r.status == ReviewStatus.SIGNED_OFF]
    assert len(held) >= 5
    assert {r.held_on.year for r in held} >= {demo.today.year - 1, demo.today.year}
    for before, after in itertools.pairwise(reviews):
        assert 80 <= (after.planned_on - before.planned_on).days <= 100
    for review in held:
        assert _day(review.signed_off_at) == review.held_on
    # The older reviews' actions were closed before the next meeting, which found them
    # effective (not a year-old action still awaiting its check); the last two's are open.
    decisions = ContentType.objects.get_for_model(ReviewDecision)
    for review in held[:-2]:
        raised = Action.objects.filter(
            source_type=decisions, source_id__in=review.decisions.values("pk")
        )
        assert raised.exists() and not raised.open().exists(), review.reference
        assert set(raised.values_list("status", flat=True)) == {"verified"}
        assert all(_day(a.closed_at) <= a.due_date for a in raised), review.reference


def test_each_results_announcement_was_published_after_the_quarter_it_reports(demo):
    results = Announcement.objects.filter(
        organization=demo.organization, title__startswith="Quality results"
    )
    assert results.count() >= 3
    for announcement in results:
        published = _day(announcement.published_at)
        # "Quality results, Q3 2026 (quarter ending 30 September 2026)"
        ending = datetime.datetime.strptime(  # noqa: DTZ007 - a date, read from a title
            announcement.title.split("quarter ending ")[1].rstrip(")"), "%d %B %Y"
        ).date()
        assert ending < published <= ending + datetime.timedelta(days=31), announcement.title
        assert ending.month in (3, 6, 9, 12)
        quarter = f"Q{(ending.month - 1) // 3 + 1} {ending.year}"
        assert quarter in announcement.title and announcement.body.startswith(quarter[:2])


def test_the_policy_dates_agree_with_its_history_and_its_announcement(demo):
    versions = PolicyVersion.objects.filter(organization=demo.organization).order_by("number")
    assert versions.count() == 2
    for version in versions:
        entries = {h.status: h for h in version.history.all()}
        assert _day(entries["draft"].history_date) == _day(version.created_at)
        assert _day(entries["submitted"].history_date) == _day(version.submitted_at)
        assert _day(entries["approved"].history_date) == _day(version.approved_at)
        assert _day(entries["published"].history_date) == _day(version.published_at)
        assert version.created_at < version.submitted_at < version.approved_at
        assert version.approved_at < version.published_at < timezone.now()
    first, second = versions
    assert _day(first.superseded_at) == _day(second.published_at)
    announced = Announcement.objects.get(
        organization=demo.organization, title="Quality policy version 2 is in force"
    )
    assert _day(announced.published_at) == _day(second.published_at)


def test_no_objective_gets_a_second_open_corrective_action_from_its_red_follow_up(demo):
    """The demo proposed "Bring OBJ-04 back on track" beside the open action already raised on
    OBJ-04: the red follow-ups were seeded before the demo's actions existed."""
    objective_type = ContentType.objects.get_for_model(QualityObjective)
    follow_ups = RedFollowUp.objects.filter(organization=demo.organization)
    assert follow_ups.filter(proposal_status=RedFollowUp.ProposalStatus.COVERED).exists()
    for follow_up in follow_ups:
        open_actions = Action.objects.filter(
            source_type=objective_type, source_id=follow_up.objective_id
        ).open()
        if follow_up.proposal_status == RedFollowUp.ProposalStatus.ACCEPTED:
            assert list(open_actions) == [follow_up.action], follow_up.objective.code
        elif open_actions.exists():
            assert follow_up.proposal_status == RedFollowUp.ProposalStatus.COVERED
    titles = Action.objects.filter(organization=demo.organization, source_type=objective_type)
    open_titles = list(titles.open().values_list("source_id", "title"))
    assert len(open_titles) == len(set(open_titles))


def test_what_the_demo_replays_counts_as_e_mailed_on_its_day_not_at_first_start(demo):
    """The worker's first start e-mailed months-old announcements and actions."""
    replayed = Notification.objects.filter(
        organization=demo.organization, created_at__date__lt=demo.today
    )
    assert replayed.exists()
    assert not replayed.filter(email_status=EmailStatus.PENDING).exists()
    for notification in replayed.filter(email_status=EmailStatus.SENT):
        assert notification.emailed_at == notification.created_at


def test_a_waiting_decision_is_dated_no_earlier_than_what_it_asks_about(demo):
    """Found by the try-out: "Check whether ACT-0008 worked" waited since August 2025 for an
    action raised in October 2026 and closed in November."""
    waiting = Notification.objects.filter(
        organization=demo.organization, resolved_at__isnull=True, subject_id__isnull=False
    )
    checks = waiting.filter(kind="action-effectiveness-check")
    assert checks.exists()
    for notification in waiting:
        subject = notification.subject
        changed = getattr(subject, "updated_at", None) or getattr(subject, "created_at", None)
        assert changed is None or notification.created_at >= changed, notification.title
    for check in checks:
        assert _day(check.created_at) == _day(check.subject.closed_at), check.title
