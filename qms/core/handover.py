"""What a member is still responsible for, so that it can be handed over when they leave.

Apps register each kind of responsibility from AppConfig.ready() ("this field of this model
names a person, and while a record is still open that person must be someone who is here"), so
the core lists and reassigns a leaver's open records without importing any app. The leaver's
closed records keep their name: only what is still open moves.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import models

# A kind of responsibility is referred to in forms and the API as "<key>:<record id>".
ITEM_SEPARATOR = ":"


@dataclass(frozen=True)
class Responsibility:
    key: str  # short and stable, used in forms and the API: "action-owner"
    model: type[models.Model]
    field: str  # the foreign key to Membership that names the responsible person
    label: str  # what the person is, in a sentence: "Owner of the action"
    still_open: Callable[[models.QuerySet], models.QuerySet]  # the records that must move
    url: Callable[[models.Model], str]  # the record's page (its organisation is loaded)
    # Roles the new holder must have (an accountable executive must be an executive); empty:
    # anyone who may own records (`MembershipQuerySet.assignable`).
    holder_roles: frozenset[str] = frozenset()
    # How the record is named in lists; str(record) when None.
    describe: Callable[[models.Model], str] | None = None
    select_related: tuple[str, ...] = ()
    # Hands the record over instead of changing the field in place (a responsibility
    # assignment ends and a new one starts, so the matrix "as of" a past date keeps the
    # leaver): called as hand_over(record, new_holder, actor=..., reason=...).
    hand_over: Callable[..., None] | None = None


_REGISTRY: dict[str, Responsibility] = {}


def register_responsibility(
    key: str,
    *,
    model: type[models.Model],
    field: str,
    label: str,
    still_open: Callable[[models.QuerySet], models.QuerySet],
    url: Callable[[models.Model], str],
    holder_roles: Iterable[str] = (),
    describe: Callable[[models.Model], str] | None = None,
    select_related: Iterable[str] = (),
    hand_over: Callable[..., None] | None = None,
) -> None:
    """Declare that `model.field` names a person who must be replaced while the record is
    `still_open` when they leave. The model must have an `organization` foreign key."""
    if ITEM_SEPARATOR in key:
        raise ValueError(f'A responsibility key cannot contain "{ITEM_SEPARATOR}".')
    if not any(f.name == "organization" for f in model._meta.fields):
        raise TypeError(f"{model.__name__} has no organization field.")
    related = tuple(dict.fromkeys(("organization", *select_related)))
    _REGISTRY[key] = Responsibility(
        key, model, field, label, still_open, url, frozenset(holder_roles), describe, related,
        hand_over,
    )  # fmt: skip


def registered_responsibilities() -> list[Responsibility]:
    return list(_REGISTRY.values())


@dataclass(frozen=True)
class OpenItem:
    """One open record a member is responsible for, as the leaver's page lists it."""

    responsibility: Responsibility
    record: models.Model

    @property
    def ref(self) -> str:
        return f"{self.responsibility.key}{ITEM_SEPARATOR}{self.record.pk}"

    @property
    def title(self) -> str:
        describe = self.responsibility.describe
        return describe(self.record) if describe else str(self.record)

    @property
    def label(self) -> str:
        return self.responsibility.label

    @property
    def url(self) -> str:
        return self.responsibility.url(self.record)

    @property
    def holder_roles(self) -> frozenset[str]:
        return self.responsibility.holder_roles


def open_items(membership, *, lock: bool = False) -> list[OpenItem]:
    """Everything still open that `membership` is responsible for, in registration order: one
    query per kind of responsibility. `lock`: the rows are locked until the transaction ends
    (the handover must see what it moves, not what was open when the page was drawn)."""
    items = []
    for responsibility in _REGISTRY.values():
        queryset = responsibility.model._default_manager.filter(
            organization_id=membership.organization_id, **{responsibility.field: membership}
        )
        queryset = responsibility.still_open(queryset).select_related(
            *responsibility.select_related
        )
        if lock:
            queryset = queryset.select_for_update(of=("self",))
        items.extend(OpenItem(responsibility, record) for record in queryset.order_by("pk"))
    return items


def set_holder(item: OpenItem, new_holder, *, actor, reason: str) -> None:
    """Give one open record to `new_holder`, audited with `reason` (who is checked by the
    caller, `qms.core.services.membership_deactivate`)."""
    responsibility = item.responsibility
    if responsibility.hand_over is not None:
        responsibility.hand_over(item.record, new_holder, actor=actor, reason=reason)
        return
    record = item.record
    setattr(record, responsibility.field, new_holder)
    record._history_user = actor
    record._change_reason = reason
    # Only the holder changes: validating the whole record again would refuse the handover
    # of a record that a later rule finds fault with, which is not the leaver's problem.
    fields = [responsibility.field]
    if any(f.name == "updated_at" for f in record._meta.concrete_fields):
        fields.append("updated_at")
    record.save(update_fields=fields)
