"""An administrator runs the organisation's units: add, change (name, code, kind), move (the
subtree follows), close and reopen. Pages and API call these; each is one transaction, checks
who asks, and lands in the audit trail with the administrator's name.

Closing rules (docs/administrator.md, "Units"):
- a closed unit keeps its records, history and rollups; it is offered to no new record
  (`OrgUnitQuerySet.for_new_records`), and a record that already has it keeps it;
- the top unit cannot be closed (it is the whole organisation);
- a unit with open units beneath it cannot be closed: close or move them first;
- a unit with active members, or with open invitations into it, cannot be closed: give them
  another unit first (a member of a closed unit could not be given it again later);
- the day it closed is today or earlier, never in the future;
- a closed unit's units beneath it are closed too, so reopening one under a closed parent is
  refused (reopen the parent first), as is adding or moving a unit under a closed one.

A move changes the materialised path of the whole subtree: the rollups of the units above the
old and the new place are recomputed by the worker (`units_moved`, heard by the objectives
app), and each moved unit's history says where it moved from and to.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.dispatch import Signal
from django.utils import formats, timezone

from qms.core.immutable import TransitionError
from qms.core.models import Membership, Organization, OrgUnit
from qms.core.services import require_administrator

# Sent during a move, with `organization_id`: the apps that roll results up the tree
# recompute them (the core knows no app).
units_moved = Signal()

EDITABLE = ("name", "code", "kind")


def closed_unit_sentence(*, organization, value) -> str | None:
    """ "Leeds site is closed (since 3 December 2026): it takes no new records." for a unit id
    (as sent) of this organisation that is closed; None otherwise. Forms and the API say it
    instead of "not a valid choice" for a closed unit sent from a page opened before it
    closed, or typed."""
    try:
        pk = int(str(value))
    except (TypeError, ValueError):
        return None
    unit = OrgUnit.objects.filter(organization=organization, pk=pk, closed_on__isnull=False).first()
    if unit is None:
        return None
    day = formats.date_format(unit.closed_on, "j F Y")
    return f"{unit.name} is closed (since {day}): it takes no new records."


def unit_trail(unit: OrgUnit) -> str:
    """The unit and the units above it by name, joined by a single right angle quote
    ("ACME", then "Leeds site"): as a reader of the trail reads it, never ids or paths."""
    ancestors = OrgUnit.objects.filter(
        organization_id=unit.organization_id,
        path__in=[
            unit.path[:end] for end in range(OrgUnit.steplen, len(unit.path), OrgUnit.steplen)
        ],
    ).order_by("path")
    return " \u203a ".join([*(a.name for a in ancestors), unit.name])


def parent_of(unit: OrgUnit) -> OrgUnit | None:
    if unit.depth <= 1:
        return None
    return OrgUnit.objects.get(organization_id=unit.organization_id, path=unit.parent_path())


def _lock(unit: OrgUnit) -> OrgUnit:
    return OrgUnit.objects.select_for_update().get(pk=unit.pk)


def lock_tree(organization_id: int) -> None:
    """Lock the organisation's tree of units (its organisation row) until the transaction
    ends: every change of a unit takes it first, before any unit's row (pages and API take it
    before the version check locks the unit). Treebeard rewrites the paths of a moved branch
    and of the siblings around a sorted insert, and closing checks the units beneath: two
    administrators changing the tree at once queue instead of interleaving, or deadlocking
    each on the unit the other moves under."""
    Organization.objects.select_for_update().filter(pk=organization_id).values_list("pk").first()


def _check_fields(*, organization_id: int, name: str, code: str, kind: str, pk=None) -> None:
    errors = {}
    if not (name or "").strip():
        errors["name"] = "Give the unit a name."
    elif len(name) > 200:
        errors["name"] = f"A unit's name has at most 200 characters (this one has {len(name)})."
    if code and len(code) > 30:
        errors["code"] = f"A unit's code has at most 30 characters (this one has {len(code)})."
    elif code:
        clash = (
            # Whatever the case: "LDS" and "ldS" read as one code in a list or a spreadsheet
            # (try-out finding).
            OrgUnit.objects.filter(organization_id=organization_id, code__iexact=code)
            .exclude(pk=pk)
            .first()
        )
        if clash is not None:
            errors["code"] = f"The code {code} is already the code of {clash.name}."
    if kind not in OrgUnit.Kind.values:
        errors["kind"] = "Choose one of the kinds listed."
    if errors:
        raise ValidationError(errors)


def _resort(unit: OrgUnit) -> OrgUnit:
    """Keep siblings in name order after a rename (treebeard sorts on insert and move only)."""
    parent = parent_of(unit)
    if parent is None:
        return unit
    OrgUnit.objects.move(unit, parent, pos="sorted-child")
    return OrgUnit.objects.get(pk=unit.pk)


@transaction.atomic
def org_unit_add(
    *,
    organization,
    actor: Membership,
    name: str,
    parent: OrgUnit | None,
    code: str = "",
    kind: str = OrgUnit.Kind.DEPARTMENT,
    reason: str = "Added by an administrator",
) -> OrgUnit:
    """A new unit under `parent` (the first unit of an organisation has none: it is the top)."""
    require_administrator(actor, organization.id, "change its units")
    lock_tree(organization.id)
    if parent is not None and parent.organization_id == organization.id:
        parent = _lock(parent)  # as it is now: closed since the form was opened?
    name, code = (name or "").strip(), (code or "").strip()
    has_units = OrgUnit.objects.filter(organization_id=organization.id).exists()
    errors = {}
    if parent is None and has_units:
        errors["parent"] = "Choose the unit it belongs under: the organisation has one top unit."
    elif parent is not None and parent.organization_id != organization.id:
        errors["parent"] = "Choose a unit of this organisation."
    elif parent is not None and parent.is_closed:
        errors["parent"] = f"{parent.name} is closed: a closed unit takes no new units."
    if errors:
        raise ValidationError(errors)
    _check_fields(organization_id=organization.id, name=name, code=code, kind=kind)
    unit = OrgUnit(organization=organization, name=name, code=code, kind=kind)
    unit._history_user = actor.user
    unit._change_reason = reason
    try:
        with transaction.atomic():
            if parent is None:
                unit = OrgUnit.objects.add_root(instance=unit)
            else:
                unit = OrgUnit.objects.add_child(parent, instance=unit)
    except IntegrityError:  # a second administrator took the code at the same moment
        raise ValidationError({"code": f"The code {code} is already taken."}) from None
    return OrgUnit.objects.get(pk=unit.pk)


@transaction.atomic
def org_unit_change(
    *, unit: OrgUnit, actor: Membership, name: str, code: str, kind: str
) -> OrgUnit:
    """Rename a unit, or change its code or kind. Its records and history stay with it."""
    require_administrator(actor, unit.organization_id, "change its units")
    lock_tree(unit.organization_id)  # a rename re-sorts the unit among its siblings
    locked = _lock(unit)
    name, code = (name or "").strip(), (code or "").strip()
    _check_fields(
        organization_id=locked.organization_id, name=name, code=code, kind=kind, pk=locked.pk
    )
    changes = {"name": name, "code": code, "kind": kind}
    changed = [field for field, value in changes.items() if getattr(locked, field) != value]
    if not changed:
        return locked
    for field in changed:
        setattr(locked, field, changes[field])
    locked._history_user = actor.user
    locked._change_reason = "Changed by an administrator"
    locked.save()
    if "name" in changed:
        locked = _resort(locked)
    return locked


def move_targets(unit: OrgUnit):
    """Where a unit may move: the organisation's open units outside its own subtree."""
    return (
        OrgUnit.objects.for_organization(unit.organization_id)
        .open()
        .exclude(path__startswith=unit.path)
    )


@transaction.atomic
def org_unit_move(*, unit: OrgUnit, new_parent: OrgUnit | None, actor: Membership) -> OrgUnit:
    """Move a unit, with every unit beneath it, under `new_parent`. Refused, changing nothing:
    the top unit, a move into itself or beneath itself, a parent of another organisation or a
    closed one. The rollups above the old and the new place are recomputed once this commits."""
    require_administrator(actor, unit.organization_id, "change its units")
    lock_tree(unit.organization_id)
    locked = _lock(unit)
    if locked.depth == 1:
        raise TransitionError(
            f"{locked.name} is the top unit: it holds the whole organisation and cannot move."
        )
    errors = None
    if new_parent is None:
        errors = "Choose the unit to move it under: the organisation has one top unit."
    elif new_parent.organization_id != locked.organization_id:
        errors = "Choose a unit of this organisation."
    else:
        new_parent = _lock(new_parent)
        if new_parent.path.startswith(locked.path):
            where = "itself" if new_parent.pk == locked.pk else f"{new_parent.name}, beneath it"
            errors = f"A unit cannot move under {where}: choose a unit outside its branch."
        elif new_parent.is_closed:
            errors = f"{new_parent.name} is closed: a closed unit takes no units."
    if errors:
        raise ValidationError({"parent": errors})
    old_parent = parent_of(locked)
    if old_parent.pk == new_parent.pk:
        raise ValidationError(
            {"parent": f"{locked.name} is already under {new_parent.name}: choose another unit."}
        )
    before = unit_trail(old_parent)
    after = unit_trail(new_parent)
    subtree_ids = list(locked.subtree().values_list("pk", flat=True))
    OrgUnit.objects.move(locked, new_parent, pos="sorted-child")
    # treebeard rewrote the paths with one UPDATE: no history row. Each moved unit gets one
    # that says where it went, in the administrator's name.
    for moved in OrgUnit.objects.filter(pk__in=subtree_ids).order_by("path"):
        moved._history_user = actor.user
        if moved.pk == locked.pk:
            moved._change_reason = f"Moved from under {before} to under {after}"
        else:
            moved._change_reason = f"Moved with {locked.name} from under {before} to under {after}"
        moved.save()
    # Listeners queue their work through the outbox: written in this transaction, sent once
    # it commits (`qms.core.outbox.enqueue`).
    units_moved.send(sender=OrgUnit, organization_id=locked.organization_id)
    return OrgUnit.objects.get(pk=locked.pk)


def close_blockers(unit: OrgUnit) -> dict:
    """What keeps a unit from closing: its open units beneath it, its active members and the
    open invitations into it."""
    from qms.core.invitations.models import Invitation

    children = list(
        OrgUnit.objects.filter(
            organization_id=unit.organization_id,
            path__startswith=unit.path,
            depth=unit.depth + 1,
            closed_on__isnull=True,
        ).order_by("name")
    )
    members = list(
        Membership.objects.filter(org_unit=unit, is_active=True)
        .select_related("user")
        .order_by("user__first_name", "user__last_name", "user__username")
    )
    invitations = list(Invitation.objects.filter(org_unit=unit).open())
    return {"children": children, "members": members, "invitations": invitations}


def _names(items, limit: int = 10) -> str:
    names = [str(item) for item in items[:limit]]
    more = len(items) - limit
    return ", ".join(names) + (f" and {more} more" if more > 0 else "")


@transaction.atomic
def org_unit_close(*, unit: OrgUnit, actor: Membership, on: datetime.date | None = None) -> OrgUnit:
    """Close a unit from `on` (today if not given). Its records, history and rollups stay; it
    is offered to no new record. Refused, changing nothing, by the rules in this module's
    docstring, each said with what to do."""
    require_administrator(actor, unit.organization_id, "change its units")
    lock_tree(unit.organization_id)  # no unit is added beneath it while it closes
    locked = _lock(unit)
    today = timezone.localdate()
    on = on or today
    if locked.is_closed:
        day = formats.date_format(locked.closed_on, "j F Y")
        raise TransitionError(f"{locked.name} is already closed (since {day}).")
    if locked.depth == 1:
        raise TransitionError(
            f"{locked.name} is the top unit: it is the whole organisation and cannot be closed."
        )
    problems = []
    if on > today:
        raise ValidationError(
            {
                "closed_on": "The day it closed cannot be in the future: close the unit on "
                f"that day, or give today ({formats.date_format(today, 'j F Y')})."
            }
        )
    opened = timezone.localdate(locked.created_at)
    if on < opened:
        # A unit cannot have closed before it was recorded (try-out: "Closed on 1 Jan 1800").
        raise ValidationError(
            {
                "closed_on": "The day it closed cannot be before the unit was added "
                f"({formats.date_format(opened, 'j F Y')})."
            }
        )
    blockers = close_blockers(locked)
    if blockers["children"]:
        problems.append(
            f"Units beneath it are still open: {_names(blockers['children'])}. Close them or "
            "move them under another unit first."
        )
    if blockers["members"]:
        names = _names([m.display_name for m in blockers["members"]])
        problems.append(
            f"Active members belong to it: {names}. Give them another unit on People first "
            "(a member of a closed unit could not be given it again)."
        )
    if blockers["invitations"]:
        problems.append(
            "Open invitations would make members of it: "
            f"{_names([i.email for i in blockers['invitations']])}. Revoke them on People, or "
            "invite them again into another unit."
        )
    if problems:
        raise ValidationError([f"{locked.name} was not closed.", *problems])
    locked.closed_on = on
    locked._history_user = actor.user
    locked._change_reason = "Closed by an administrator"
    locked.save()
    return locked


@transaction.atomic
def org_unit_reopen(*, unit: OrgUnit, actor: Membership) -> OrgUnit:
    """A closed unit takes new records again."""
    require_administrator(actor, unit.organization_id, "change its units")
    lock_tree(unit.organization_id)
    locked = _lock(unit)
    if not locked.is_closed:
        raise TransitionError(f"{locked.name} is open.")
    parent = parent_of(locked)
    if parent is not None and parent.is_closed:
        raise TransitionError(
            f"{locked.name} is beneath {parent.name}, which is closed: reopen {parent.name} "
            "first, or move this unit under an open one."
        )
    locked.closed_on = None
    locked._history_user = actor.user
    locked._change_reason = "Reopened by an administrator"
    locked.save()
    return locked
