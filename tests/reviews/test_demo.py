"""The demo's review registers: current dates, every kind of record, and seeding twice adds none."""

import datetime

import pytest

from qms.core.demo import seed_demo
from reviews import selectors
from reviews.models import AuditFinding, CustomerFeedback, Nonconformity, ProviderEvaluation

pytestmark = pytest.mark.django_db


def test_the_demo_fills_the_review_registers_and_seeding_twice_adds_none():
    context = seed_demo()
    acme, today = context.organization, context.today
    ncs = Nonconformity.objects.for_organization(acme)
    assert ncs.count() == 8
    assert set(ncs.values_list("source", flat=True)) == set(Nonconformity.Source.values)
    assert set(ncs.values_list("status", flat=True)) == set(Nonconformity.Status.values)
    feedback = CustomerFeedback.objects.for_organization(acme)
    assert feedback.count() == 20
    assert feedback.filter(feedback_type="survey_score").count() == 12
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

    counts = [
        m.objects.count()
        for m in (Nonconformity, AuditFinding, CustomerFeedback, ProviderEvaluation)
    ]
    seed_demo()
    assert [
        m.objects.count()
        for m in (Nonconformity, AuditFinding, CustomerFeedback, ProviderEvaluation)
    ] == counts
