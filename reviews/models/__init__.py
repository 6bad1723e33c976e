"""Management reviews (ISO 9001 9.3) and the records that feed their inputs (9.3.2 c):
nonconformities (10.2), audit findings (9.2), customer feedback (9.1.2) and external provider
evaluations (8.4), one module each."""

from reviews.models.audits import AuditFinding
from reviews.models.feedback import CustomerFeedback
from reviews.models.management_reviews import (
    ManagementReview,
    ReviewAddendum,
    ReviewAttendee,
    ReviewDecision,
    ReviewInput,
    ReviewSchedule,
    ReviewStatus,
)
from reviews.models.nonconformities import Nonconformity
from reviews.models.providers import ProviderEvaluation

__all__ = [
    "AuditFinding",
    "CustomerFeedback",
    "ManagementReview",
    "Nonconformity",
    "ProviderEvaluation",
    "ReviewAddendum",
    "ReviewAttendee",
    "ReviewDecision",
    "ReviewInput",
    "ReviewSchedule",
    "ReviewStatus",
]
