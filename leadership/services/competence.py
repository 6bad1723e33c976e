"""Writes of competences, the levels responsibilities and roles require, and members' competence
records (ISO 9001 7.2). Only the quality team (quality managers, admins) records them."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction

from leadership.models import Competence, CompetenceRecord, CompetenceRequirement, Responsibility
from objectives.periods import add_months
from qms.core.immutable import NotAllowed
from qms.core.models import Membership
from qms.core.roles import QUALITY_EDITOR_ROLES, Role


def check_editor(membership: Membership, what: str = "competence records") -> None:
    if membership.role not in QUALITY_EDITOR_ROLES:
        raise NotAllowed(f"Only a quality manager or an administrator can change {what}.")


def default_expiry(competence: Competence, attained_on: datetime.date) -> datetime.date | None:
    if not competence.validity_months:
        return None
    return add_months(attained_on, competence.validity_months)


def _save(instance, user, reason: str = "") -> None:
    instance._history_user = user
    if reason:
        instance._change_reason = reason
    instance.full_clean()
    instance.save()


@transaction.atomic
def competence_save(*, membership: Membership, competence: Competence) -> Competence:
    """Create or update a competence of the member's organisation."""
    check_editor(membership, "competences")
    competence.organization_id = membership.organization_id
    _save(competence, membership.user)
    return competence


@transaction.atomic
def competence_requirement_set(
    *,
    membership: Membership,
    competence: Competence,
    level: int | None,
    responsibility: Responsibility | None = None,
    role: str = "",
) -> CompetenceRequirement | None:
    """Require `competence` at `level` of a responsibility's holders or of a role; level None
    (or 0) removes the requirement."""
    check_editor(membership, "competence requirements")
    organization_id = membership.organization_id
    if competence.organization_id != organization_id or (
        responsibility is not None and responsibility.organization_id != organization_id
    ):
        raise ValidationError("Choose a competence and a responsibility of this organisation.")
    if (responsibility is None) == (not role):
        raise ValidationError("Say which responsibility or which role requires the competence.")
    if role and role not in Role.values:
        raise ValidationError({"role": f'"{role}" is not a role.'})
    existing = CompetenceRequirement.objects.filter(
        competence=competence, responsibility=responsibility, role=role
    ).first()
    if not level:
        if existing is not None:
            existing._history_user = membership.user
            existing.delete()
        return None
    requirement = existing or CompetenceRequirement(
        organization_id=organization_id,
        competence=competence,
        responsibility=responsibility,
        role=role,
    )
    requirement.level = level
    _save(requirement, membership.user)
    return requirement


def _check_record(record: CompetenceRecord) -> None:
    errors = {}
    if record.membership.organization_id != record.organization_id:
        errors["membership"] = "Choose a member of this organisation."
    if record.competence.organization_id != record.organization_id:
        errors["competence"] = "Choose a competence of this organisation."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def competence_record_create(*, actor: Membership, reason: str = "", **fields) -> CompetenceRecord:
    """Record that a member (`membership` in fields) holds a competence at a level, from a
    date; `actor` records it. Without an expiry date the competence's validity (if any) sets
    it."""
    check_editor(actor)
    record = CompetenceRecord(organization_id=actor.organization_id, **fields)
    _check_record(record)
    if record.expires_on is None and record.attained_on:
        record.expires_on = default_expiry(record.competence, record.attained_on)
    _save(record, actor.user, reason)
    return record


@transaction.atomic
def competence_records_save_all(
    *, actor: Membership, records: list[CompetenceRecord], filename: str
) -> list[CompetenceRecord]:
    """Save already-checked records in one transaction (the import's second pass)."""
    check_editor(actor)
    for record in records:
        _save(record, actor.user, f"Imported from {filename}"[:100])
    return records
