"""The audit trail of the period: every change to an audited record (who, when, what it was
before and after), as one CSV: of the whole organisation, or, for a pack limited to a unit, of
the records of that unit's subtree only (the rule of `qms.core.tenancy`: a model with no unit
is left out)."""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace

from django.contrib.auth import get_user_model
from django.db.models import Subquery
from django.utils.text import capfirst

from qms.core import audit
from qms.core.models import Membership
from qms.core.spreadsheets import safe_cell
from qms.core.tenancy import in_unit, limit_to_unit, unit_lookup
from qms.evidence.sections import Finding, Scope, register_section
from qms.evidence.writer import PackWriter

PATH = "audit-trail/audit-trail.csv"
SKIP = {"history_id", "history_date", "history_change_reason", "history_type", "history_user",
        "history_user_id", "updated_at", "created_at", "id"}  # fmt: skip
ACTIONS = {"+": "created", "~": "changed", "-": "deleted"}


def _rows(scope: Scope, users: dict[int, str]):
    for model in sorted(audit.audited_models(), key=lambda m: m._meta.label):
        history = audit.history_for_organization(model, scope.organization.pk)
        if scope.unit is not None:
            lookup = unit_lookup(model)
            if lookup is None:
                continue
            # Historical rows keep their foreign keys, so the same path reaches the unit.
            history = history.filter(in_unit(lookup, scope.unit))
        pk = model._meta.pk.attname
        fields = [
            f.attname for f in model.history.model._meta.concrete_fields if f.attname not in SKIP
        ]
        writers = {name: _field_writer(model, name, scope) for name in fields}
        changed = history.filter(
            history_date__gte=scope.start_dt(), history_date__lt=scope.end_dt()
        ).values(pk)
        # Each record changed in the period, with its earlier versions (to say what a change
        # changed from), oldest first; streamed in chunks.
        versions = (
            history.filter(**{f"{pk}__in": Subquery(changed)}, history_date__lt=scope.end_dt())
            .order_by(pk, "history_date", "history_id")
            .values(pk, "history_date", "history_type", "history_user_id",
                    "history_change_reason", *fields)
            .iterator(chunk_size=2000)
        )  # fmt: skip
        previous = None
        for version in versions:
            same = previous is not None and previous[pk] == version[pk]
            if version["history_date"] >= scope.start_dt():
                if version["history_type"] == "~" and same:
                    changes = [
                        f"{label}: {safe_cell(write(previous[name]))} → "
                        f"{safe_cell(write(version[name]))}"
                        for name, (label, write) in writers.items()
                        if previous[name] != version[name]
                    ]
                else:
                    changes = []
                yield [
                    version["history_date"],
                    capfirst(model._meta.verbose_name),
                    version[pk],
                    ACTIONS.get(version["history_type"], version["history_type"]),
                    # As the trail page says it: an anonymous suggestion's creation was not
                    # the system's (*sixth try-out*: "system" read as automatic).
                    "Anonymous"
                    if audit.version_is_anonymous(model, SimpleNamespace(**version))
                    else users.get(version["history_user_id"], "system"),
                    version["history_change_reason"] or "",
                    # One change a line: a value ending in "." then "; " read as a typo.
                    "\n".join(changes),
                ]
            previous = version


def _field_writer(model, attname: str, scope: Scope) -> tuple[str, Callable]:
    """A field's label and how its value reads, as on the record's history page: a choice by
    its label, a related record by its name (looked up once per record), not by its id. In a
    unit's pack a related record outside the unit (a parent objective of the whole company,
    say) is not named: the unit rule decides, as for every other file of the pack."""
    field = next((f for f in model._meta.concrete_fields if f.attname == attname), None)
    if field is None:
        return attname, _as_is
    label = str(field.verbose_name)
    if field.choices:
        labels = {value: str(text) for value, text in field.flatchoices}
        return label, lambda value: labels.get(value, value)
    if field.is_relation and field.many_to_one:
        names: dict = {}

        def name(value):
            if value is None:
                return None
            if value not in names:
                records = field.related_model._base_manager.filter(pk=value)
                if field.related_model not in (Membership, get_user_model()):  # people: named
                    records = limit_to_unit(records, scope.unit)
                related = records.first()
                if related is not None:
                    names[value] = str(related)
                elif scope.unit is not None:
                    names[value] = f"a record outside {scope.unit.name}"
                else:
                    names[value] = value
            return names[value]

        return label, name
    return label, _as_is


def _as_is(value):
    return value


def audit_trail(scope: Scope, writer: PackWriter) -> list[Finding]:
    members = Membership.objects.filter(organization=scope.organization).values("user_id")
    users = {
        u.pk: (u.get_full_name() or u.get_username())
        for u in get_user_model().objects.filter(pk__in=members)
    }
    entry = writer.csv(
        PATH,
        ["When (UTC)", "Record type", "Record id", "Action", "Who", "Reason", "Changes"],
        _rows(scope, users),
    )
    return [
        Finding(
            "audit",
            f"{entry.rows} recorded changes to quality records in the period (whole "
            "organisation): who, when, and each field's value before and after.",
            [PATH],
            missing=not entry.rows,
        )
    ]


register_section(200, "audit-trail", audit_trail)
