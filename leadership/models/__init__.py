"""Leadership records (ISO 9001 clauses 4.1, 5, 6.1 and 7.1), split by concept."""

from leadership.models.context import ContextIssue
from leadership.models.policy import (
    PolicyAcknowledgement,
    PolicyCommitment,
    PolicyVersion,
    QualityPolicy,
)
from leadership.models.resources import ResourceAllocation, ResourceSpend
from leadership.models.responsibilities import Responsibility, ResponsibilityAssignment
from leadership.models.risks import Risk

__all__ = [
    "ContextIssue",
    "PolicyAcknowledgement",
    "PolicyCommitment",
    "PolicyVersion",
    "QualityPolicy",
    "ResourceAllocation",
    "ResourceSpend",
    "Responsibility",
    "ResponsibilityAssignment",
    "Risk",
]
