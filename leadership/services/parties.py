"""Writes of the kinds of interested party (ISO 9001 4.2); the parties and their requirements
are register records, written by `qms.core.registers.services`."""

from __future__ import annotations

from django.db import transaction

from leadership.models import PartyKind
from leadership.models.parties import STANDARD_PARTY_KINDS
from qms.core.immutable import NotAllowed
from qms.core.models import Membership, Organization
from qms.core.roles import QUALITY_EDITOR_ROLES, Role

# The context of the organisation is top management's as much as the quality team's (5.1.1).
CONTEXT_EDITORS = QUALITY_EDITOR_ROLES | {Role.EXECUTIVE}


@transaction.atomic
def party_kinds_ensure_standard(organization: Organization) -> None:
    """Every organisation starts with the six usual kinds of party (idempotent)."""
    existing = set(PartyKind.objects.for_organization(organization).values_list("name", flat=True))
    PartyKind.objects.bulk_create(
        [
            PartyKind(organization=organization, name=name)
            for name in STANDARD_PARTY_KINDS
            if name not in existing
        ],
        ignore_conflicts=True,
    )


@transaction.atomic
def party_kind_add(*, membership: Membership, name: str) -> PartyKind:
    if membership.role not in CONTEXT_EDITORS:
        raise NotAllowed("Your role cannot add kinds of interested party.")
    kind = PartyKind(organization_id=membership.organization_id, name=name.strip())
    kind._history_user = membership.user
    kind.full_clean()
    kind.save()
    return kind
