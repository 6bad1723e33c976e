"""Roles a member holds in an organisation, and what each may do.

One place answers "who may do X": pages, API permissions and services all read these sets.
"""

from django.db import models


class Role(models.TextChoices):
    EXECUTIVE = "executive", "Executive"
    QUALITY_MANAGER = "quality_manager", "Quality manager"
    CONTRIBUTOR = "contributor", "Contributor"
    AUDITOR = "auditor", "Auditor"
    ADMIN = "admin", "Administrator"


ALL_ROLES = frozenset(Role.values)
# Auditors read everything and change nothing.
WRITER_ROLES = ALL_ROLES - {Role.AUDITOR}
# Record and prepare quality records (objectives, registers, reviews).
QUALITY_EDITOR_ROLES = frozenset({Role.QUALITY_MANAGER, Role.ADMIN})
# Approve policies and resources, sign off reviews: top management only.
APPROVER_ROLES = frozenset({Role.EXECUTIVE})
# Manage members, org units and the system.
ADMIN_ROLES = frozenset({Role.ADMIN})
# See the organisation-wide audit trail.
AUDIT_TRAIL_ROLES = frozenset({Role.ADMIN, Role.QUALITY_MANAGER, Role.AUDITOR, Role.EXECUTIVE})
# See how the policy was received (acknowledgement rates): management and auditors.
AUDITOR_AND_MANAGERS = frozenset({Role.ADMIN, Role.QUALITY_MANAGER, Role.AUDITOR, Role.EXECUTIVE})
