"""The audit trail of the period: every change to an audited record (who, when, what it was
before and after), as one CSV: of the whole organisation, or, for a pack limited to a unit, of
the records of that unit's subtree only (the rule of `qms.core.tenancy`: a model with no unit
is left out)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Subquery

from qms.core import audit
from qms.core.models import Membership
from qms.core.spreadsheets import safe_cell
from qms.core.tenancy import unit_lookup
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
            history = history.filter(**{f"{lookup}__path__startswith": scope.unit.path})
        pk = model._meta.pk.attname
        fields = [
            f.attname for f in model.history.model._meta.concrete_fields if f.attname not in SKIP
        ]
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
                        f"{name}: {safe_cell(previous[name])} → {safe_cell(version[name])}"
                        for name in fields
                        if previous[name] != version[name]
                    ]
                else:
                    changes = []
                yield [
                    version["history_date"],
                    model._meta.verbose_name,
                    version[pk],
                    ACTIONS.get(version["history_type"], version["history_type"]),
                    users.get(version["history_user_id"], "system"),
                    version["history_change_reason"] or "",
                    "; ".join(changes),
                ]
            previous = version


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
