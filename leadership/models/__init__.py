"""Leadership records (ISO 9001 clauses 4.1, 4.2, 4.4, 5, 6.1, 7.1 and 7.2, and the
certificate), split by concept: one module per concept."""

from leadership.models.certification import Certificate, CertificationAudit
from leadership.models.competence import Competence, CompetenceRecord, CompetenceRequirement
from leadership.models.context import ContextIssue
from leadership.models.parties import InterestedParty, PartyKind, PartyRequirement
from leadership.models.policy import (
    PolicyAcknowledgement,
    PolicyCommitment,
    PolicyVersion,
    QualityPolicy,
)
from leadership.models.processes import Process
from leadership.models.resources import ResourceAllocation, ResourceSpend
from leadership.models.responsibilities import Responsibility, ResponsibilityAssignment
from leadership.models.risks import Risk
from leadership.models.training import TrainingAttendance, TrainingSession

__all__ = [
    "Certificate",
    "CertificationAudit",
    "Competence",
    "CompetenceRecord",
    "CompetenceRequirement",
    "ContextIssue",
    "InterestedParty",
    "PartyKind",
    "PartyRequirement",
    "PolicyAcknowledgement",
    "PolicyCommitment",
    "PolicyVersion",
    "Process",
    "QualityPolicy",
    "ResourceAllocation",
    "ResourceSpend",
    "Responsibility",
    "ResponsibilityAssignment",
    "Risk",
    "TrainingAttendance",
    "TrainingSession",
]
