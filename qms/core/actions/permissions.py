"""Who may do what with an action. Services enforce these; pages and the API read them to show
only the buttons a member may use."""

from __future__ import annotations

from qms.core.actions.models import Action
from qms.core.models import Membership
from qms.core.roles import APPROVER_ROLES, QUALITY_EDITOR_ROLES, Role

# Create, edit and cancel any action; close or start one on the owner's behalf.
ACTION_EDITOR_ROLES = QUALITY_EDITOR_ROLES | APPROVER_ROLES
# Judge whether a done action was effective (never their own).
VERIFIER_ROLES = ACTION_EDITOR_ROLES
# May raise an action at all (contributors only with themselves as owner).
RAISER_ROLES = ACTION_EDITOR_ROLES | {Role.CONTRIBUTOR}


def _member_of(membership: Membership | None, action: Action) -> bool:
    return membership is not None and membership.organization_id == action.organization_id


def can_raise(membership: Membership | None) -> bool:
    return membership is not None and membership.role in RAISER_ROLES


def can_edit(membership: Membership | None, action: Action) -> bool:
    """Change the title, description, owner, executive or due date; cancel."""
    return _member_of(membership, action) and membership.role in ACTION_EDITOR_ROLES


def can_work_on(membership: Membership | None, action: Action) -> bool:
    """Start and close: the owner (unless an auditor), or an editor on the owner's behalf."""
    if not _member_of(membership, action) or membership.role == Role.AUDITOR:
        return False
    return action.owner_id == membership.id or membership.role in ACTION_EDITOR_ROLES


def can_verify(membership: Membership | None, action: Action) -> bool:
    """Check effectiveness: an executive, quality manager or admin who is not the owner."""
    return (
        _member_of(membership, action)
        and membership.role in VERIFIER_ROLES
        and action.owner_id != membership.id
    )
