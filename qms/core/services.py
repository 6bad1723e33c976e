"""Writes to the core records: each in a transaction, validated, and attributed in the audit
trail to the member who made it (`_history_user`, read by django-simple-history)."""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats, timezone

from qms.core import handover
from qms.core.immutable import NotAllowed, TransitionError
from qms.core.models import Membership, Organization, OrgUnit
from qms.core.roles import ADMIN_ROLES, Role


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


# --- an administrator runs the organisation's people --------------------------------------------


def require_administrator(actor: Membership, organization_id: int, doing: str) -> None:
    """Only the organisation's own administrators do what `doing` says ("change its members"):
    pages and API check the role first; this keeps any other caller to the same rule."""
    if actor is None or actor.role not in ADMIN_ROLES or actor.organization_id != organization_id:
        raise NotAllowed(f"Only the organisation's administrators {doing}.")


def _is_current_admin(membership: Membership, today: datetime.date) -> bool:
    return (
        membership.is_active and membership.role == Role.ADMIN and not membership.has_expired(today)
    )


def _lock_administrators(organization_id: int) -> None:
    """Lock the organisation's administrator rows, in one order, before the member being
    changed: two administrators demoting each other at once then queue instead of each
    locking their target and waiting for the other's (*found by the fourth try-out:* a
    deadlock on PostgreSQL, answered 500)."""
    list(
        Membership.objects.select_for_update()
        .filter(organization_id=organization_id, role=Role.ADMIN)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _keep_an_administrator(before: Membership, after: Membership, *, actor) -> None:
    """Refuse a change that would leave the organisation with no current administrator: nobody
    could then manage its members without the platform's operator. The organisation's admin
    rows are already locked (`_lock_administrators`), so two administrators demoting each
    other at once cannot both pass."""
    today = timezone.localdate()
    if not _is_current_admin(before, today) or _is_current_admin(after, today):
        return
    others = [
        m
        for m in Membership.objects.select_for_update()
        .filter(organization_id=before.organization_id, role=Role.ADMIN, is_active=True)
        .exclude(pk=before.pk)
        if not m.has_expired(today)
    ]
    if others:
        return
    who = "You are" if actor is not None and actor.pk == before.pk else f"{before.display_name} is"
    raise TransitionError(
        f"{who} the last administrator of {before.organization.name}: make another member an "
        "administrator first, or nobody could manage its members. Nothing was changed."
    )


def membership_terms(
    *,
    organization_id: int,
    role: str,
    org_unit: OrgUnit | None,
    access_expires_on: datetime.date | None,
    kept_end: datetime.date | None = None,
) -> datetime.date | None:
    """The rules a role, unit and access end date meet, for a member's change and for an
    invitation alike: the unit is the organisation's, an auditor's access has a last day that
    is not in the past (unless it is the one they already have, `kept_end`), and no other
    role has one. Answers the end date to keep; raises ValidationError naming each field."""
    errors: dict[str, str] = {}
    if org_unit is not None and org_unit.organization_id != organization_id:
        errors["org_unit"] = "Choose a unit of this organisation."
    if role not in Role.values:
        errors["role"] = "Choose one of the roles listed."
    if role == Role.AUDITOR:
        today = timezone.localdate()
        if access_expires_on is None:
            errors["access_expires_on"] = (
                "An auditor's access is time-boxed: give the last day of their access."
            )
        elif access_expires_on < today and access_expires_on != kept_end:
            day = formats.date_format(today, "j F Y")
            errors["access_expires_on"] = (
                f"The last day of access cannot be in the past; to end the access now, give "
                f"today ({day})."
            )
    else:
        # Only auditors' access is time-boxed; another role's end date would lock them out
        # silently one day.
        access_expires_on = None
    if errors:
        raise ValidationError(errors)
    return access_expires_on


@transaction.atomic
def membership_change(
    *,
    membership: Membership,
    actor: Membership,
    role: str,
    org_unit: OrgUnit | None,
    job_title: str,
    access_expires_on: datetime.date | None,
) -> Membership:
    """An administrator changes a member's role, unit, job title and (auditors) access end
    date. Refused with a sentence, changing nothing: a unit of another organisation, an
    auditor without an end date or with one in the past, the last administrator demoted or
    expired. The member's next request reads the new role (nothing caches it)."""
    require_administrator(actor, membership.organization_id, "change its members")
    _lock_administrators(membership.organization_id)
    locked = (
        Membership.objects.select_for_update(of=("self",))
        .select_related("organization", "user")
        .get(pk=membership.pk)
    )
    access_expires_on = membership_terms(
        organization_id=locked.organization_id,
        role=role,
        org_unit=org_unit,
        access_expires_on=access_expires_on,
        kept_end=locked.access_expires_on if locked.role == Role.AUDITOR else None,
    )
    after = Membership(
        pk=locked.pk,
        organization=locked.organization,
        user=locked.user,
        role=role,
        is_active=locked.is_active,
        access_expires_on=access_expires_on,
    )
    _keep_an_administrator(locked, after, actor=actor)
    changes = {
        "role": role,
        "org_unit": org_unit,
        "job_title": job_title,
        "access_expires_on": access_expires_on,
    }
    changed = [name for name, value in changes.items() if getattr(locked, name) != value]
    if not changed:
        return locked
    for name in changed:
        setattr(locked, name, changes[name])
    _save_audited(locked, actor=actor.user, reason="Changed by an administrator")
    return locked


def handover_holders(membership: Membership):
    """Who may take over a leaver's records: the organisation's members who may own records,
    the leaver excepted, with their users (one query)."""
    return (
        Membership.objects.for_organization(membership.organization_id)
        .assignable()
        .exclude(pk=membership.pk)
    )


@transaction.atomic
def membership_deactivate(
    *,
    membership: Membership,
    actor: Membership,
    give_all_to: Membership | None = None,
    give_to: dict[str, Membership | None] | None = None,
) -> list[handover.OpenItem]:
    """A member leaves: every record still open that they are responsible for (see
    `qms.core.handover`) goes to a new holder, then their membership ends. `give_to` names a
    holder per item ("<kind>:<id>"), `give_all_to` the one for the items it does not name and
    whose role fits. Refused, changing nothing, while any item would be left without a holder,
    for the last administrator, or when the member has already left. Their closed records,
    history and past accountability keep their name. Returns what was handed over."""
    require_administrator(actor, membership.organization_id, "change its members")
    _lock_administrators(membership.organization_id)
    locked = (
        Membership.objects.select_for_update(of=("self",))
        .select_related("organization", "user")
        .get(pk=membership.pk)
    )
    if not locked.is_active:
        raise TransitionError(f"{locked.display_name} is not an active member.")
    after = Membership(pk=locked.pk, role=locked.role, is_active=False)
    _keep_an_administrator(locked, after, actor=actor)
    give_to = give_to or {}
    holders = {m.pk: m for m in handover_holders(locked)}
    items = handover.open_items(locked, lock=True)
    unknown = set(give_to) - {item.ref for item in items}
    problems = []
    if unknown:
        problems.append(
            "Some of the records you handed over are no longer theirs or still open; "
            "look at the list again."
        )
    plan = []
    for item in items:
        holder = give_to.get(item.ref)
        chosen = holder is not None
        if holder is None and give_all_to is not None:
            holder = give_all_to
        if holder is not None and holder.pk not in holders:
            problems.append(
                f"{item.label} {item.title}: {holder.display_name} cannot take it over "
                "(not a current member who may own records)."
            )
            continue
        if holder is not None and item.holder_roles and holder.role not in item.holder_roles:
            if chosen:
                problems.append(
                    f"{item.label} {item.title}: {holder.display_name} is not "
                    f"{_roles_text(item.holder_roles)}; choose someone who is."
                )
                continue
            holder = None
        if holder is None:
            problems.append(f"{item.label} {item.title} needs a new holder.")
            continue
        plan.append((item, holders[holder.pk]))
    if problems:
        count = len(problems)
        raise ValidationError(
            [
                f"{locked.display_name} was not deactivated: "
                f"{count} {'thing needs' if count == 1 else 'things need'} attention first.",
                *problems,
            ]
        )
    reason = f"Handed over from {locked.display_name} (leaving)"
    for item, holder in plan:
        handover.set_holder(item, holder, actor=actor.user, reason=reason)
    locked.is_active = False
    locked.deactivated_at = timezone.now()
    _save_audited(locked, actor=actor.user, reason="Deactivated: left the organisation")
    # An invitation still open for their address would let them back in with its role
    # (*found by the sixth try-out*): it goes with them.
    from qms.core.invitations.services import withdraw_open_invitations_of

    withdraw_open_invitations_of(locked, actor=actor)
    return [item for item, _ in plan]


def _roles_text(roles) -> str:
    names = [Role(role).label.lower() for role in sorted(roles)]
    article = "an" if names[0][0] in "aeiou" else "a"
    return f"{article} {' or '.join(names)}"


@transaction.atomic
def membership_reactivate(*, membership: Membership, actor: Membership) -> Membership:
    """A member who left comes back, or one waiting for a first role (a new SSO user) is let
    in: they may open the organisation, with the role the membership holds. What was handed
    over stays with its new holders."""
    require_administrator(actor, membership.organization_id, "change its members")
    locked = Membership.objects.select_for_update().get(pk=membership.pk)
    if locked.is_active:
        raise TransitionError(f"{locked.display_name} is already an active member.")
    reason = (
        "Reactivated by an administrator" if locked.has_left else "Activated by an administrator"
    )
    locked.is_active = True
    locked.deactivated_at = None
    _save_audited(locked, actor=actor.user, reason=reason)
    return locked
