"""The demo's review registers: current dates and every kind of record (that seeding twice adds
nothing to any table is tested in tests/core/test_seed_demo.py)."""

import datetime

import pytest

from reviews import selectors
from reviews.models import AuditFinding, CustomerFeedback, Nonconformity
from tests.seeded import seeded_demo

pytestmark = pytest.mark.django_db


def test_the_demo_fills_the_review_registers():
    context = seeded_demo()
    acme, today = context.organization, context.today
    ncs = Nonconformity.objects.for_organization(acme)
    assert ncs.count() == 8
    assert set(ncs.values_list("source", flat=True)) == set(Nonconformity.Source.values)
    assert set(ncs.values_list("status", flat=True)) == set(Nonconformity.Status.values)
    feedback = CustomerFeedback.objects.for_organization(acme)
    assert feedback.count() == 34
    assert feedback.filter(feedback_type="survey_score").count() == 24  # two years, monthly
    assert feedback.filter(nonconformity__isnull=False).count() == 2
    findings = AuditFinding.objects.for_organization(acme)
    assert set(findings.values_list("audit_kind", flat=True)) == {"internal", "certification"}
    assert findings.values("audit_reference").distinct().count() == 2
    year = {"organization": acme, "start": today - datetime.timedelta(days=365), "end": today}
    providers = selectors.provider_evaluations_summary(**year)
    assert providers.conditional_providers == ["Castings & Co"]
    assert providers.disqualified_providers == ["QuickFreight Logistics"]
    satisfaction = selectors.customer_feedback_summary(**year)
    assert satisfaction.survey_scores >= 11 and satisfaction.mean_score is not None
    assert selectors.nonconformities_summary(**year).raised == 8


def test_the_demos_held_reviews_and_the_actions_they_raised_are_dated_the_meeting_day():
    """The actions decided at a review held months ago read "raised today" (try-out finding)."""
    from django.contrib.contenttypes.models import ContentType

    from qms.core.actions.models import Action
    from reviews.models import ManagementReview, ReviewDecision, ReviewStatus

    context = seeded_demo()
    acme = context.organization
    held = ManagementReview.objects.for_organization(acme).filter(status=ReviewStatus.SIGNED_OFF)
    assert held.count() == 6  # quarterly since the year before last year's end
    for review in held:
        assert review.held_on < context.today - datetime.timedelta(days=30)
        decisions = list(ReviewDecision.objects.filter(review=review))
        actions = Action.objects.filter(
            source_type=ContentType.objects.get_for_model(ReviewDecision),
            source_id__in=[d.pk for d in decisions],
        )
        assert actions.count() == len(decisions) >= 1
        # Planned at the previous meeting, held, decided and signed off on its day.
        assert max(h.history_date.date() for h in review.history.all()) == review.held_on
        for record in decisions:
            assert {h.history_date.date() for h in record.history.all()} == {review.held_on}
        for record in [*decisions, *actions]:
            assert record.created_at.date() == review.held_on, record
        for action in actions:  # raised that day; closed later, before the next meeting
            days = sorted({h.history_date.date() for h in action.history.all()})
            assert days[0] == review.held_on and days[-1] < context.today
