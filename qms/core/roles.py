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

# What an auditor may change: only their own things, never a quality record. Pages by URL name,
# API by the viewset's `auditor_write_actions`. Everything else they send to change something
# is refused with 403 before any view runs (`auditor_may_write`), so a view that forgets its
# role check still cannot take an auditor's write.
AUDITOR_WRITABLE_PAGES = frozenset(
    {
        "evidence:packs",  # request an evidence pack
        "evidence:verify",  # check a pack they were given
        "core:calendar-reset",  # their own calendar link
        "core:notifications-read-all",
        "core:notification-open",
        "core:notification-settings",
    }
)


def auditor_may_write(membership, request) -> bool:
    """False when `request` asks to change something an auditor may not (pages only; the API
    asks the same in `qms.core.api.scoping.HasRoleForMethod`)."""
    if membership is None or membership.role != Role.AUDITOR:
        return True
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return True
    match = getattr(request, "resolver_match", None)
    return match is not None and match.view_name in AUDITOR_WRITABLE_PAGES
