"""Reads of the evidence app shared by its pages and commands."""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from qms.core.models import Membership, Organization
from qms.core.roles import Role
from qms.core.tenancy import limit_to_audit_scope
from qms.core.worker_wait import not_picked_up
from qms.evidence.models import AuditorAccess, EvidencePack, PackStatus

# Custodians of the organisation's packs: they may download any of them.
CUSTODIAN_ROLES = frozenset({Role.QUALITY_MANAGER, Role.ADMIN})


def pack_list(
    organization: Organization, membership: Membership | None = None
) -> QuerySet[EvidencePack]:
    """The organisation's packs; to an auditor limited to a unit, the packs of that subtree."""
    packs = EvidencePack.objects.for_organization(organization).select_related(
        "requested_by__user", "org_unit", "organization"
    )
    return limit_to_audit_scope(packs, membership)


def pack_get(*, organization: Organization, uuid, membership: Membership | None = None):
    return get_object_or_404(pack_list(organization, membership), uuid=uuid)


def may_download(pack: EvidencePack, membership: Membership) -> bool:
    """The requester, and the organisation's custodians (quality managers, admins)."""
    return pack.requested_by_id == membership.pk or membership.role in CUSTODIAN_ROLES


def access_log(organization: Organization) -> QuerySet[AuditorAccess]:
    return (
        AuditorAccess.objects.for_organization(organization)
        .select_related("membership__user")
        .order_by("-at", "-id")
    )


def pack_not_picked_up(pack: EvidencePack) -> str:
    """What the pack's page says of a pack still queued after a worker's reasonable delay
    ("" otherwise): the worker has not picked it up, since when, and what to do."""
    if pack.status != PackStatus.QUEUED:
        return ""
    return not_picked_up(
        pack.created_at,
        what="this evidence pack",
        kept="the request is saved",
    )
