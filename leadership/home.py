"""The leadership panel of the organisation's home page: the policy in force and whether this
member has acknowledged it (7.3 awareness); for executives, the decisions waiting for them."""

from __future__ import annotations

from leadership.models import PolicyAcknowledgement
from leadership.selectors import accountability
from leadership.selectors import policy as policy_selectors
from qms.core.roles import APPROVER_ROLES, Role


def home_panel_context(request) -> dict:
    membership = request.membership
    version = policy_selectors.current_version(request.organization)
    acknowledgement = (
        PolicyAcknowledgement.objects.filter(version=version, membership=membership).first()
        if version is not None
        else None
    )
    return {
        "version": version,
        "acknowledgement": acknowledgement,
        # Auditors read the policy but are not staff who acknowledge it.
        "asks_acknowledgement": membership.role != Role.AUDITOR,
        # Each decision once: what waits for this executive by name, then what any may take.
        "awaiting": accountability.awaiting_top_management(request.organization)
        if membership.role in APPROVER_ROLES
        else None,
        "yours": accountability.pending_for(request.organization, membership)
        if membership.role in APPROVER_ROLES
        else [],
    }
