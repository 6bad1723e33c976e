"""Helpers to build review-register records in tests, through the registers' own service."""

import datetime
from decimal import Decimal

from qms.core.models import Membership
from qms.core.registers.definition import get_register
from qms.core.registers.services import record_create
from reviews.models import AuditFinding, CustomerFeedback, Nonconformity, ProviderEvaluation


def _create(key, record, org):
    membership = Membership.objects.filter(organization=org, role="quality_manager").first()
    return record_create(register=get_register(key), membership=membership, record=record)


def make_nc(cast, org=None, **overrides) -> Nonconformity:
    fields = {
        "title": "Bore diameter out of tolerance",
        "source": "internal",
        "severity": "major",
        "detected_on": datetime.date(2026, 1, 10),
        **overrides,
    }
    return _create("nonconformities", Nonconformity(**fields), org or cast.org_a)


def make_finding(cast, org=None, **overrides) -> AuditFinding:
    fields = {
        "title": "Gauge calibration overdue",
        "audit_kind": "internal",
        "audit_reference": "IA-2026-01",
        "audit_date": datetime.date(2026, 1, 20),
        "finding_type": "minor",
        "clause": "7.1.5",
        **overrides,
    }
    return _create("audit-findings", AuditFinding(**fields), org or cast.org_a)


def make_feedback(cast, org=None, **overrides) -> CustomerFeedback:
    fields = {
        "title": "Late delivery",
        "received_on": datetime.date(2026, 1, 15),
        "customer": "Northern Pumps Ltd",
        "channel": "email",
        "feedback_type": "complaint",
        **overrides,
    }
    if "score" in fields and fields["score"] is not None:
        fields["score"] = Decimal(str(fields["score"]))
    return _create("customer-feedback", CustomerFeedback(**fields), org or cast.org_a)


def make_evaluation(cast, org=None, **overrides) -> ProviderEvaluation:
    fields = {
        "provider": "Castings & Co",
        "period_start": datetime.date(2025, 7, 1),
        "period_end": datetime.date(2025, 12, 31),
        "quality_score": Decimal("90"),
        "delivery_score": Decimal("80"),
        "status": "approved",
        "evaluated_on": datetime.date(2026, 1, 15),
        **overrides,
    }
    return _create("provider-evaluations", ProviderEvaluation(**fields), org or cast.org_a)
