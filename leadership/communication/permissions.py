"""Who may do what with communication records. Services enforce these; pages and the API read
them to show only the buttons a member may use."""

from __future__ import annotations

from qms.core.models import Membership
from qms.core.roles import Role

PUBLISHER_ROLES = frozenset({Role.EXECUTIVE, Role.QUALITY_MANAGER})
PLAN_EDITOR_ROLES = frozenset({Role.EXECUTIVE, Role.QUALITY_MANAGER, Role.ADMIN})
# Leadership activities: executives log their own; quality managers and auditors read them.
ACTIVITY_LOGGER_ROLES = frozenset({Role.EXECUTIVE})
ACTIVITY_READER_ROLES = frozenset({Role.EXECUTIVE, Role.QUALITY_MANAGER, Role.AUDITOR})
# The plan and every announcement's reach: management and auditors.
PLAN_READER_ROLES = frozenset(
    {Role.EXECUTIVE, Role.QUALITY_MANAGER, Role.ADMIN, Role.AUDITOR, Role.CONTRIBUTOR}
)


def can_publish(membership: Membership | None) -> bool:
    return membership is not None and membership.role in PUBLISHER_ROLES


def can_edit_plan(membership: Membership | None) -> bool:
    return membership is not None and membership.role in PLAN_EDITOR_ROLES


def can_fulfil(membership: Membership | None, item) -> bool:
    """Record an occurrence as done: the item's communicator or a plan editor."""
    if membership is None or membership.organization_id != item.organization_id:
        return False
    return membership.role in PLAN_EDITOR_ROLES or (
        item.communicator_id == membership.id and membership.role != Role.AUDITOR
    )


def can_log_activity(membership: Membership | None) -> bool:
    return membership is not None and membership.role in ACTIVITY_LOGGER_ROLES


def can_change_activity(membership: Membership | None, activity) -> bool:
    """Only the executive who logged an activity corrects it."""
    return membership is not None and activity.executive_id == membership.id


def can_read_activities(membership: Membership | None) -> bool:
    return membership is not None and membership.role in ACTIVITY_READER_ROLES
