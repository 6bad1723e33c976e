"""The audit trail: who changed which quality record, when, from what to what.

django-simple-history keeps a snapshot of every saved version of a registered model (its
`history` field). This module reads those snapshots as changes: per record (its page shows
them) and across the organisation (the audit trail page, the evidence pack).

Apps register each audited model with `register(Model)` in their AppConfig.ready(), naming
how the model reaches its organisation.
"""

from __future__ import annotations

import datetime
import heapq
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ObjectDoesNotExist
from django.db import models


@dataclass(frozen=True)
class _Registration:
    # Lookup from the historical row to the organisation's id ("organization" is the row's
    # organization_id column; "id" is for the Organization model itself).
    organization_field: str
    # Relations the record's str() reads, loaded with the records in one query.
    select_related: tuple[str, ...]
    # Named in the trail as each version read (a KPI value's name carries the value: its
    # "created" line showed the corrected value), not as the record reads today.
    named_as_it_was: bool = False


_REGISTRY: dict[type[models.Model], _Registration] = {}

ACTION_LABELS = {"+": "created", "~": "changed", "-": "deleted"}


def register(
    model: type[models.Model],
    organization_field: str = "organization",
    select_related: tuple[str, ...] = (),
    named_as_it_was: bool = False,
) -> None:
    if not hasattr(model, "history"):
        raise TypeError(f"{model.__name__} has no HistoricalRecords field named 'history'.")
    _REGISTRY[model] = _Registration(organization_field, tuple(select_related), named_as_it_was)


def audited_models() -> list[type[models.Model]]:
    return list(_REGISTRY)


def history_for_organization(model: type[models.Model], organization_id: int) -> models.QuerySet:
    """Every saved version of an audited model's records in one organisation."""
    registration = _REGISTRY[model]
    return model.history.model.objects.filter(**{registration.organization_field: organization_id})


@dataclass
class FieldChange:
    field: str
    label: str
    before: Any
    after: Any


@dataclass
class AuditEntry:
    when: datetime.datetime
    action: str  # created / changed / deleted
    who: str
    model_label: str
    object_id: Any
    object_repr: str
    reason: str = ""
    changes: list[FieldChange] = field(default_factory=list)
    history_id: int = 0
    # True when the version's time was kept to the day only (a suggestion's creation): the date
    # is shown, not a made-up "00:00". An anonymous version's author reads "Anonymous".
    day_only: bool = False


def _anonymous(model: type[models.Model], version) -> bool:
    """Whether this version was written anonymously (no user, time kept to the day); a model
    says so with a `history_version_is_anonymous(version)` classmethod."""
    check = getattr(model, "history_version_is_anonymous", None)
    return bool(check and check(version))


def version_is_anonymous(model: type[models.Model], version) -> bool:
    """Whether a history version (a row, or its values with attribute access) was written
    anonymously: the trail page and the evidence pack's trail say "Anonymous" alike."""
    return _anonymous(model, version)


def _kept_to_the_day(model: type[models.Model], version) -> bool:
    """Whether the version's time was kept to the day only: an anonymous version's always, and
    any a model says so of with a `history_kept_to_the_day(version)` classmethod."""
    check = getattr(model, "history_kept_to_the_day", None)
    return _anonymous(model, version) or bool(check and check(version))


def _who(model: type[models.Model], version, user) -> str:
    return "Anonymous" if _anonymous(model, version) else user_label(user)


# Bookkeeping columns that change on every save and say nothing to an auditor.
_IGNORED_FIELDS = {"updated_at", "created_at", "path", "depth", "numchild"}


def user_label(user) -> str:
    if user is None:
        return "system"
    return user.get_full_name() or user.get_username()


def _changes(new, old) -> list[FieldChange]:
    if old is None:
        return []
    delta = new.diff_against(old, excluded_fields=_IGNORED_FIELDS & _field_names(new))
    meta = new.instance_type._meta
    result = []
    for change in delta.changes:
        try:
            model_field = meta.get_field(change.field)
        except Exception:
            result.append(FieldChange(change.field, change.field, change.old, change.new))
            continue
        before, after = change.old, change.new
        if isinstance(model_field, models.BooleanField):
            # "Is active: Yes → No", not Python's True and False.
            before, after = _yes_no(before), _yes_no(after)
        if getattr(model_field, "choices", None):
            # "Quality manager", not "quality_manager": the trail is read by people.
            labels = {str(k): str(v) for k, v in model_field.flatchoices}
            before = labels.get(str(before), before) if before not in (None, "") else before
            after = labels.get(str(after), after) if after not in (None, "") else after
        result.append(FieldChange(change.field, str(model_field.verbose_name), before, after))
    return result


def _yes_no(value):
    return {True: "Yes", False: "No"}.get(value, value)


def _field_names(historical) -> set[str]:
    return {f.name for f in historical.instance_type._meta.fields}


def _name_foreign_keys(model: type[models.Model], entries: list[AuditEntry], within=None) -> None:
    """Replace related ids in the changes by the related records' names: one query per related
    model for the whole list, so a history page costs the same however many changes it shows.
    `within` (an auditor's unit): a related record outside it is not named (people are)."""
    from qms.core.models import Membership  # the models register with the audit trail
    from qms.core.tenancy import limit_to_unit

    wanted: dict[type[models.Model], set] = {}
    for entry in entries:
        for change in entry.changes:
            field = _concrete_field(model, change.field)
            if field is not None and field.is_relation and field.many_to_one:
                ids = {v for v in (change.before, change.after) if v is not None}
                wanted.setdefault(field.related_model, set()).update(ids)
    names = {}
    for related, ids in wanted.items():
        records = related._default_manager.filter(pk__in=ids)
        if within is not None and related not in (Membership, get_user_model()):
            records = limit_to_unit(records, within)
        names[related] = {obj.pk: str(obj) for obj in records}
        if within is not None:
            for pk in set(ids) - set(names[related]):
                names[related][pk] = f"a record outside {within.name}"
    for entry in entries:
        for change in entry.changes:
            field = _concrete_field(model, change.field)
            if field is not None and field.is_relation and field.related_model in names:
                lookup = names[field.related_model]
                change.before = lookup.get(change.before, change.before)
                change.after = lookup.get(change.after, change.after)


def _concrete_field(model, name: str):
    try:
        return model._meta.get_field(name)
    except Exception:
        return None


def record_history(instance: models.Model, limit: int = 50, within=None) -> list[AuditEntry]:
    """The latest `limit` versions of one record, newest first, each with its changes against
    the version before it. A fixed number of queries whatever the number of versions. `within`:
    the unit an auditor's access is limited to (related records outside it are not named)."""
    recent = list(
        instance.history.select_related("history_user").order_by("-history_date", "-history_id")[
            : limit + 1
        ]
    )
    recent.reverse()  # oldest first, with one extra version to diff the oldest shown against
    entries = []
    for index, version in enumerate(recent):
        previous = recent[index - 1] if index else None
        if index == 0 and len(recent) > limit:
            continue  # only there to be diffed against
        entries.append(
            AuditEntry(
                when=version.history_date,
                action=ACTION_LABELS.get(version.history_type, version.history_type),
                who=_who(type(instance), version, version.history_user),
                model_label=str(instance._meta.verbose_name),
                object_id=instance.pk,
                object_repr=str(instance),
                reason=version.history_change_reason or "",
                changes=_changes(version, previous),
                history_id=version.history_id,
                day_only=_kept_to_the_day(type(instance), version),
            )
        )
    entries.reverse()
    _name_foreign_keys(type(instance), entries, within)
    return entries


def organization_trail(
    organization_id: int,
    *,
    before: datetime.datetime | None = None,
    limit: int = 25,
    since: datetime.datetime | None = None,
) -> list[AuditEntry]:
    """The organisation's most recent changes across every audited model, newest first.

    Keyset-paginated by time (`before`): each model's history table is asked for at most
    `limit` rows through its (organisation, date) indexes and the results are merged, so a page
    costs the same however long the trail grows.
    """
    user_model = get_user_model()
    streams = []
    for model, registration in _REGISTRY.items():
        history = model.history.model.objects.filter(
            **{registration.organization_field: organization_id}
        )
        if before is not None:
            history = history.filter(history_date__lt=before)
        if since is not None:
            history = history.filter(history_date__gte=since)
        rows = list(history.order_by("-history_date", "-history_id")[:limit])
        streams.append([(row.history_date, row.history_id, model, row) for row in rows])
    merged = heapq.merge(*streams, key=lambda item: (item[0], item[1]), reverse=True)
    page = [item for _, item in zip(range(limit), merged, strict=False)]

    user_ids = {row.history_user_id for *_, row in page if row.history_user_id}
    users = user_model.objects.in_bulk(user_ids)
    names = _current_names(page) | _names_as_they_were(page)
    return [
        AuditEntry(
            when=row.history_date,
            action=ACTION_LABELS.get(row.history_type, row.history_type),
            who=_who(model, row, users.get(row.history_user_id)),
            model_label=str(model._meta.verbose_name),
            object_id=_pk(model, row),
            object_repr=names.get((model, _pk(model, row), row.history_id))
            or names.get((model, _pk(model, row)))
            or _name_as_it_was(model, row),
            reason=row.history_change_reason or "",
            history_id=row.history_id,
            day_only=_kept_to_the_day(model, row),
        )
        for _, _, model, row in page
    ]


def _name_as_it_was(model, row) -> str:
    """A deleted record (a withdrawn KPI value, say) is named as its last version read, as
    people call it ("OBJ-04 2026-11-30: 93.5%"), not by its internal id."""
    try:
        return str(row.instance)
    except Exception:  # a related record gone too: its id is all there is
        return f"{model._meta.verbose_name} #{_pk(model, row)}"


def _pk(model, row):
    return getattr(row, model._meta.pk.attname)


def _names_as_they_were(page) -> dict:
    """str() of each version on the page of the models named as they were, their related
    records (`select_related`) loaded once per relation, not once per row."""
    rows_by_model: dict = {}
    for _, _, model, row in page:
        if _REGISTRY[model].named_as_it_was:
            rows_by_model.setdefault(model, []).append(row)
    names = {}
    for model, rows in rows_by_model.items():
        instances = [(row, row.instance) for row in rows]
        for relation in _REGISTRY[model].select_related:
            field = model._meta.get_field(relation)
            related = field.related_model._default_manager.in_bulk(
                {getattr(row, field.attname) for row in rows}
            )
            for row, instance in instances:
                if getattr(row, field.attname) in related:
                    setattr(instance, relation, related[getattr(row, field.attname)])
        for row, instance in instances:
            try:
                names[(model, _pk(model, row), row.history_id)] = str(instance)
            except ObjectDoesNotExist:  # a related record gone: named by its current name
                continue
    return names


def _current_names(page) -> dict:
    """str() of each record on the page as it is now, one query per model (a deleted record
    has no current name and is shown by its id)."""
    ids_by_model: dict = {}
    for _, _, model, row in page:
        ids_by_model.setdefault(model, set()).add(_pk(model, row))
    names = {}
    for model, ids in ids_by_model.items():
        related = _REGISTRY[model].select_related
        queryset = (
            model._default_manager.select_related(*related)
            if related
            else model._default_manager.all()
        )
        for pk, obj in queryset.in_bulk(ids).items():
            names[(model, pk)] = str(obj)
    return names
