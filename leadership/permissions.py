"""Who may do what with leadership records beyond their role (object-level rules). Services
enforce these; pages and the API read them to show only what a member may use."""

from __future__ import annotations

from qms.core.models import Membership
from qms.core.roles import Role

# The quality team records spend against any allocation of the organisation.
SPEND_RECORDER_ROLES = frozenset({Role.QUALITY_MANAGER})


def can_record_spend(membership: Membership | None, allocation) -> bool:
    """Record spend against an allocation: whoever requested it, the owner of the objective it
    serves, and quality managers; never an auditor, never another organisation's member."""
    if membership is None or membership.organization_id != allocation.organization_id:
        return False
    if membership.role == Role.AUDITOR:
        return False
    return (
        membership.role in SPEND_RECORDER_ROLES
        or allocation.requested_by_id == membership.id
        or (allocation.objective_id is not None and allocation.objective.owner_id == membership.id)
    )
