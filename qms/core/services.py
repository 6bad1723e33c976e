"""Writes to the core records: each in a transaction, validated, and attributed in the audit
trail to the member who made it (`_history_user`, read by django-simple-history)."""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model
from django.db import transaction

from qms.core.models import Membership, Organization, OrgUnit


def _save_audited(instance, *, actor, reason: str = "") -> None:
    instance._history_user = actor
    if reason:
        instance._change_reason = reason
    instance.full_clean()
    instance.save()


@transaction.atomic
def organization_create(*, name: str, slug: str, currency: str = "GBP", actor=None) -> Organization:
    organization = Organization(name=name, slug=slug, currency=currency)
    _save_audited(organization, actor=actor)
    return organization


@transaction.atomic
def org_unit_create(
    *,
    organization: Organization,
    name: str,
    parent: OrgUnit | None = None,
    kind: str = OrgUnit.Kind.DEPARTMENT,
    code: str = "",
    actor=None,
) -> OrgUnit:
    if parent is not None and parent.organization_id != organization.id:
        raise ValueError("A unit's parent must belong to the same organisation.")
    unit = OrgUnit(organization=organization, name=name, kind=kind, code=code)
    unit._history_user = actor
    unit.full_clean(exclude=["path", "depth", "numchild"])
    if parent is None:
        return OrgUnit.objects.add_root(instance=unit)
    return OrgUnit.objects.add_child(parent, instance=unit)


@transaction.atomic
def membership_create(
    *,
    organization: Organization,
    user,
    role: str,
    org_unit: OrgUnit | None = None,
    job_title: str = "",
    access_expires_on: datetime.date | None = None,
    actor=None,
) -> Membership:
    membership = Membership(
        organization=organization,
        user=user,
        role=role,
        org_unit=org_unit,
        job_title=job_title,
        access_expires_on=access_expires_on,
    )
    _save_audited(membership, actor=actor)
    return membership


@transaction.atomic
def membership_update(*, membership: Membership, actor, reason: str = "", **changes) -> Membership:
    """Change a membership's role, unit, title, expiry or active flag; the before and after
    land in the audit trail."""
    allowed = {"role", "org_unit", "job_title", "access_expires_on", "is_active"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValueError(f"Cannot change {', '.join(sorted(unknown))} on a membership.")
    locked = Membership.objects.select_for_update().get(pk=membership.pk)
    for name, value in changes.items():
        setattr(locked, name, value)
    _save_audited(locked, actor=actor, reason=reason)
    return locked


@transaction.atomic
def user_get_or_create(*, username: str, email: str, first_name: str, last_name: str):
    user_model = get_user_model()
    user, _ = user_model.objects.get_or_create(
        username=username,
        defaults={"email": email, "first_name": first_name, "last_name": last_name},
    )
    return user
