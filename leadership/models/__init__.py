"""Leadership records (ISO 9001 clauses 5 and 7.1), split by concept."""

from leadership.models.policy import (
    PolicyAcknowledgement,
    PolicyCommitment,
    PolicyVersion,
    QualityPolicy,
)
from leadership.models.resources import ResourceAllocation, ResourceSpend
from leadership.models.responsibilities import Responsibility, ResponsibilityAssignment

__all__ = [
    "PolicyAcknowledgement",
    "PolicyCommitment",
    "PolicyVersion",
    "QualityPolicy",
    "ResourceAllocation",
    "ResourceSpend",
    "Responsibility",
    "ResponsibilityAssignment",
]
