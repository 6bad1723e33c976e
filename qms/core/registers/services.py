"""Writes of register records: numbered per organisation, checked against their organisation,
validated by the model, audited. Pages, the API and imports all call these."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Max

from qms.core.immutable import NotAllowed
from qms.core.models import Membership
from qms.core.registers.definition import Register
from qms.core.registers.models import RegisterRecord


def check_same_organization(record: RegisterRecord, m2m: dict[str, Iterable] | None = None) -> None:
    """Every record a register record points to must belong to its organisation: a foreign id
    reads as an invalid choice, whichever path (form, API, import) it came through."""
    errors: dict[str, str] = {}
    for field in record._meta.concrete_fields:
        if not field.many_to_one or field.name == "organization":
            continue
        related = getattr(record, field.name, None)
        organization_id = getattr(related, "organization_id", None)
        if related is not None and organization_id not in (None, record.organization_id):
            errors[field.name] = f"Choose a {field.verbose_name} of this organisation."
    for name, objects in (m2m or {}).items():
        if any(getattr(o, "organization_id", None) != record.organization_id for o in objects):
            label = record._meta.get_field(name).verbose_name
            errors[name] = f"Choose {label} of this organisation."
    if errors:
        raise ValidationError(errors)


def _check_role(register: Register, membership: Membership, roles: frozenset, verb: str) -> None:
    if membership.role not in roles:
        raise NotAllowed(f"Your role cannot {verb} {register.title.lower()}.")


def _next_number(model: type[RegisterRecord], organization_id: int) -> int:
    highest = model.objects.filter(organization_id=organization_id).aggregate(n=Max("number"))
    return (highest["n"] or 0) + 1


def _save(record: RegisterRecord, m2m: dict | None, user, reason: str) -> None:
    check_same_organization(record, m2m)
    record._history_user = user
    if reason:
        record._change_reason = reason
    record.full_clean(exclude=["number"] if not record.number else None)
    record.save()
    for name, objects in (m2m or {}).items():
        getattr(record, name).set(objects)


def _decisions_refresh(membership: Membership, about) -> None:
    """A record waiting for someone's decision (a nonconformity reported) reaches them once and
    leaves them once decided (see qms.core.notifications)."""
    from qms.core.notifications.services import waiting_refresh

    waiting_refresh(organization=membership.organization, about=about)


@transaction.atomic
def record_create(
    *,
    register: Register,
    membership: Membership,
    record: RegisterRecord,
    m2m: dict[str, Iterable] | None = None,
    reason: str = "",
) -> RegisterRecord:
    """Save a new record of `register` for the member's organisation, numbered next."""
    _check_role(register, membership, register.create_roles, "add to")
    record.organization_id = membership.organization_id
    # Two people adding at once could take the same number: the unique constraint refuses the
    # second, which retries with the next one.
    for attempt in range(3):
        record.number = _next_number(type(record), membership.organization_id)
        try:
            with transaction.atomic():
                _save(record, m2m, membership.user, reason)
            _decisions_refresh(membership, record)
            return record
        except IntegrityError:
            if attempt == 2:
                raise
            record.pk = None
    return record  # pragma: no cover - the loop returns or raises


@transaction.atomic
def record_update(
    *,
    register: Register,
    membership: Membership,
    record: RegisterRecord,
    m2m: dict[str, Iterable] | None = None,
    reason: str = "",
) -> RegisterRecord:
    _check_role(register, membership, register.edit_roles, "edit")
    if record.organization_id != membership.organization_id:  # never reached through pages/API
        raise NotAllowed("This record belongs to another organisation.")
    _save(record, m2m, membership.user, reason)
    _decisions_refresh(membership, record)
    return record


@transaction.atomic
def records_import(
    *,
    register: Register,
    membership: Membership,
    records: list[tuple[RegisterRecord, dict]],
    filename: str,
) -> list[RegisterRecord]:
    """Save already validated records, all or none, numbered in file order."""
    if not register.may_import(membership):
        raise NotAllowed(f"Your role cannot import into {register.title.lower()}.")
    model = register.model
    # Lock the organisation's numbering while this file takes its block of numbers.
    list(model.objects.select_for_update().filter(organization_id=membership.organization_id)[:1])
    number = _next_number(model, membership.organization_id)
    saved = []
    for record, m2m in records:
        record.organization_id = membership.organization_id
        record.number = number
        number += 1
        _save(record, m2m, membership.user, f"Imported from {filename[:100]}")
        saved.append(record)
    _decisions_refresh(membership, model)
    return saved


def m2m_fields(model: type[models.Model]) -> list[str]:
    return [f.name for f in model._meta.many_to_many]
