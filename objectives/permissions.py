"""Who may do what with an objective (object-level rules on top of the roles)."""

from qms.core.roles import QUALITY_EDITOR_ROLES


def can_edit_objectives(membership) -> bool:
    """Create objectives and change their definition: quality managers and admins."""
    return membership is not None and membership.role in QUALITY_EDITOR_ROLES


def can_log_values(membership, objective) -> bool:
    """Record or correct KPI values: the objective's owner, quality managers and admins."""
    if membership is None or membership.organization_id != objective.organization_id:
        return False
    return membership.role in QUALITY_EDITOR_ROLES or (
        objective.owner_id == membership.id and membership.role != "auditor"
    )


def can_plan(membership, objective) -> bool:
    """Add or change steps of the objective's plan: same people as for values."""
    return can_log_values(membership, objective)
