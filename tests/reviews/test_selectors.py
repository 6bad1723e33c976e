"""Period summaries of the review registers, on known data."""

import datetime
from decimal import Decimal

import pytest

from reviews import selectors
from tests.reviews.factories import make_evaluation, make_feedback, make_finding, make_nc

pytestmark = pytest.mark.django_db

D = datetime.date
Q1 = {"start": D(2026, 1, 1), "end": D(2026, 3, 31)}


def _verified(members, effective, on):
    return {"effective": effective, "verified_by": members["quinn"], "verified_on": on}


def test_nonconformities_summary_counts_raised_closed_open_and_effectiveness(
    cast, members, django_assert_num_queries
):
    closed = {"status": "closed"}
    # Raised before the period, closed in it, verified effective.
    make_nc(
        cast,
        detected_on=D(2025, 12, 10),
        closed_on=D(2026, 1, 5),
        **closed,
        **_verified(members, True, D(2026, 2, 1)),
    )
    make_nc(cast, detected_on=D(2026, 1, 10), source="customer_complaint", severity="major")
    make_nc(cast, detected_on=D(2026, 2, 1), severity="minor", closed_on=D(2026, 3, 1), **closed)
    # Closed after the period ends: still open on its last day.
    make_nc(
        cast,
        detected_on=D(2026, 3, 15),
        source="supplier",
        severity="critical",
        closed_on=D(2026, 4, 10),
        **closed,
    )
    make_nc(
        cast,
        detected_on=D(2026, 2, 20),
        source="audit",
        severity="minor",
        closed_on=D(2026, 3, 20),
        **closed,
        **_verified(members, False, D(2026, 3, 25)),
    )
    make_nc(cast, detected_on=D(2026, 4, 5))  # after the period
    make_nc(cast, org=cast.org_b, detected_on=D(2026, 2, 1))  # another organisation

    with django_assert_num_queries(1):
        summary = selectors.nonconformities_summary(organization=cast.org_a, **Q1)
    assert summary.raised == 4
    assert summary.by_source == {
        "customer_complaint": 1,
        "internal": 1,
        "supplier": 1,
        "audit": 1,
    }
    assert summary.by_severity == {"minor": 2, "major": 1, "critical": 1}
    assert (summary.closed, summary.open_at_end, summary.open_major_at_end) == (3, 2, 2)
    assert (
        summary.closed_effective,
        summary.closed_not_effective,
        summary.closed_unverified,
    ) == (1, 1, 1)
    assert summary.has_data


def test_a_summary_of_a_period_without_records_says_there_is_no_data(cast):
    make_nc(cast, detected_on=D(2026, 1, 10))
    make_finding(cast)
    make_feedback(cast)
    make_evaluation(cast)
    before = {"organization": cast.org_a, "start": D(2020, 1, 1), "end": D(2020, 12, 31)}
    nonconformities = selectors.nonconformities_summary(**before)
    assert not nonconformities.has_data
    assert nonconformities.by_severity == {"minor": 0, "major": 0, "critical": 0}
    assert not selectors.audit_findings_summary(**before).has_data
    feedback = selectors.customer_feedback_summary(**before)
    assert (feedback.has_data, feedback.mean_score, feedback.survey_scores) == (False, None, 0)
    providers = selectors.provider_evaluations_summary(**before)
    assert (providers.has_data, providers.mean_overall_score) == (False, None)
    assert providers.conditional_providers == []


def test_audit_findings_summary_counts_by_grade_audits_and_open_at_end(
    cast, django_assert_num_queries
):
    internal = {
        "audit_kind": "internal",
        "audit_reference": "IA-2026-01",
        "audit_date": D(2026, 1, 20),
    }
    external = {
        "audit_kind": "certification",
        "audit_reference": "CB-2026",
        "audit_date": D(2026, 3, 10),
    }
    make_finding(cast, **internal, finding_type="minor")
    make_finding(
        cast, **internal, finding_type="observation", status="closed", closed_on=D(2026, 2, 1)
    )
    make_finding(cast, **external, finding_type="major")
    make_finding(cast, **external, finding_type="ofi", status="closed", closed_on=D(2026, 3, 12))
    make_finding(
        cast,
        audit_reference="IA-2025-04",
        audit_date=D(2025, 11, 1),
        finding_type="minor",
        status="closed",
        closed_on=D(2026, 1, 15),
    )
    make_finding(
        cast, audit_reference="IA-2025-03", audit_date=D(2025, 10, 1), finding_type="observation"
    )
    make_finding(cast, org=cast.org_b, audit_date=D(2026, 2, 1))

    with django_assert_num_queries(1):
        summary = selectors.audit_findings_summary(organization=cast.org_a, **Q1)
    assert (summary.raised, summary.audits) == (4, 2)
    assert summary.by_type == {"major": 1, "minor": 1, "observation": 1, "ofi": 1}
    assert (summary.closed, summary.open_at_end, summary.open_nonconformities_at_end) == (3, 3, 2)
    assert summary.has_data


def test_customer_feedback_summary_counts_kinds_and_averages_survey_scores(
    cast, django_assert_num_queries
):
    nc = make_nc(cast)
    make_feedback(cast, received_on=D(2026, 1, 5), nonconformity=nc)
    make_feedback(cast, received_on=D(2026, 2, 5))
    make_feedback(cast, received_on=D(2026, 2, 6), feedback_type="compliment")
    make_feedback(cast, received_on=D(2026, 3, 6), feedback_type="suggestion")
    for day, score in ((D(2026, 1, 31), "8"), (D(2026, 2, 28), "9"), (D(2026, 3, 31), "7.5")):
        make_feedback(cast, received_on=day, feedback_type="survey_score", score=score)
    make_feedback(cast, received_on=D(2025, 12, 31), feedback_type="survey_score", score="2")
    make_feedback(
        cast, org=cast.org_b, received_on=D(2026, 2, 1), feedback_type="survey_score", score="1"
    )

    with django_assert_num_queries(1):
        summary = selectors.customer_feedback_summary(organization=cast.org_a, **Q1)
    assert (summary.received, summary.complaints, summary.compliments, summary.suggestions) == (
        7,
        2,
        1,
        1,
    )
    assert summary.complaints_with_nonconformity == 1
    assert (summary.survey_scores, summary.mean_score) == (3, Decimal("8.17"))
    assert summary.has_data


def test_provider_summary_counts_decisions_and_names_providers_not_approved_at_the_end(
    cast, django_assert_num_queries
):
    def evaluate(provider, on, status, quality="90", delivery="80", org=None):
        make_evaluation(
            cast,
            org=org,
            provider=provider,
            period_start=on - datetime.timedelta(days=90),
            period_end=on - datetime.timedelta(days=1),
            evaluated_on=on,
            status=status,
            quality_score=Decimal(quality),
            delivery_score=Decimal(delivery),
        )

    evaluate("Castings & Co", D(2025, 7, 15), "approved")
    evaluate("Castings & Co", D(2026, 2, 10), "conditional", "70", "80")
    evaluate("QuickFreight", D(2026, 1, 20), "disqualified", "50", "60")
    evaluate("Steel Stock", D(2025, 12, 1), "conditional")
    evaluate("steel stock", D(2026, 3, 1), "approved", "95", "95")  # same provider, any case
    evaluate("Coatings Ltd", D(2025, 10, 1), "approved")
    evaluate("Coatings Ltd", D(2026, 4, 10), "disqualified")  # after the period
    evaluate("Metrology", D(2025, 11, 1), "conditional")
    evaluate("Foreign", D(2026, 2, 1), "disqualified", org=cast.org_b)

    with django_assert_num_queries(2):
        summary = selectors.provider_evaluations_summary(organization=cast.org_a, **Q1)
    assert summary.evaluations == 3
    assert summary.by_status == {"approved": 1, "conditional": 1, "disqualified": 1}
    assert summary.mean_overall_score == Decimal("75.00")
    assert summary.conditional_providers == ["Castings & Co", "Metrology"]
    assert summary.disqualified_providers == ["QuickFreight"]
    assert summary.has_data
