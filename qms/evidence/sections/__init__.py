"""What goes in an evidence pack, clause by clause.

A section is a function `(scope, writer) -> list[Finding]`: it writes its data files through the
`PackWriter` (reading only through the apps' models and selectors) and says, in sentences, what
evidence it put in the pack and what is missing. The report's contents list is built from the
findings, so "no management review held in the period" is stated, never hidden.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db.models import DecimalField, QuerySet, Value
from django.db.models.functions import Concat
from django.utils.text import capfirst

from qms.core.models import Organization, OrgUnit
from qms.evidence.writer import PackWriter

# The clauses a pack always covers (the list), in the report's order; sections may add
# others (4.2, 4.4, 7.2, 7.3, 7.4 ...), which are shown when they report something.
CLAUSES = {
    "4.1": "Understanding the organisation and its context",
    "4.2": "Needs and expectations of interested parties",
    "4.4": "Quality management system and its processes",
    "5.1": "Leadership and commitment",
    "5.2": "Quality policy",
    "5.3": "Organisational roles, responsibilities and authorities",
    "6.1": "Actions to address risks and opportunities",
    "6.2": "Quality objectives and planning to achieve them",
    "7.1": "Resources",
    "7.2": "Competence",
    "7.3": "Awareness",
    "7.4": "Communication",
    "9.1.3": "Analysis and evaluation",
    "9.3": "Management review",
    "10.2": "Nonconformity and corrective action",
}
REQUIRED = ("5.1", "5.2", "5.3", "6.1", "6.2", "7.1", "9.1.3", "9.3", "10.2")


@dataclass(frozen=True)
class Scope:
    organization: Organization
    unit: OrgUnit | None
    start: datetime.date
    end: datetime.date

    @property
    def limited(self) -> bool:
        """A pack of one unit holds only the sections that read through the unit rule
        (LIMITED_SECTIONS); the organisation-wide ones are named as left out. Whoever asked for
        it: a unit's pack is handed on, often to an auditor limited to that unit, and must hold
        nothing of other units (management review inputs, training sessions, ...)."""
        return self.unit is not None

    @property
    def label(self) -> str:
        return self.unit.name if self.unit else "whole organisation"

    def in_unit(self, queryset: QuerySet, field: str | None = None) -> QuerySet:
        """Records of the chosen unit's subtree (all of them for the whole organisation), by
        the unit-auditor rule (`qms.core.tenancy.limit_to_unit`) unless `field` names the way
        to the unit."""
        from qms.core.tenancy import limit_to_unit

        if field is None or self.unit is None:
            return limit_to_unit(queryset, self.unit)
        return queryset.filter(**{f"{field}__path__startswith": self.unit.path})

    def start_dt(self) -> datetime.datetime:
        from django.utils import timezone

        return timezone.make_aware(datetime.datetime.combine(self.start, datetime.time.min))

    def end_dt(self) -> datetime.datetime:
        """The first instant after the period (exclusive bound)."""
        from django.utils import timezone

        day = self.end + datetime.timedelta(days=1)
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


@dataclass
class Finding:
    clause: str
    text: str  # a sentence: what this evidence shows, or what is missing
    files: list[str] = field(default_factory=list)
    missing: bool = False


Section = Callable[[Scope, PackWriter], list[Finding]]
# The sections that read only through `Scope.in_unit` (and the audit trail's own filter): the
# ones built for a pack of one unit.
LIMITED_SECTIONS = frozenset({"objectives", "analysis", "improvement", "audit-trail"})
_SECTIONS: list[tuple[int, str, Section]] = []


def register_section(order: int, name: str, section: Section) -> None:
    if all(existing != name for _, existing, _ in _SECTIONS):
        _SECTIONS.append((order, name, section))
        _SECTIONS.sort(key=lambda item: item[0])


def sections() -> list[tuple[str, Section]]:
    return [(name, section) for _, name, section in _SECTIONS]


def member_name(prefix: str):
    """A member's name for a CSV column, e.g. member_name("owner") (one join, no N+1)."""
    return Concat(f"{prefix}__user__first_name", Value(" "), f"{prefix}__user__last_name")


# The two people every objective and action names, as CSV columns.
PEOPLE = {
    "owner_name": member_name("owner"),
    "executive_name": member_name("accountable_executive"),
}


def stream(queryset: QuerySet, *fields: str):
    """Rows of a queryset as tuples, fetched in chunks (memory stays flat)."""
    return queryset.values_list(*fields).iterator(chunk_size=2000)


def readable(queryset: QuerySet, *fields: str, places: str | None = None):
    """Rows for a CSV a person reads, as `stream` fetches them but written as the pages write
    them: a choice as its label ("Customer complaint", not "customer_complaint"), a record's
    number as its reference ("NC-007"), and a KPI value with the decimals of its objective
    (`places` names the lookup to the objective's `decimal_places`) instead of the six it is
    stored with. The JSON files keep the stored codes and numbers."""
    model = queryset.model
    writers = [_cell_writer(model, name) for name in fields]
    lookups = [*fields, places] if places else list(fields)
    for row in queryset.values_list(*lookups).iterator(chunk_size=2000):
        decimals = row[-1] if places else None
        yield tuple(write(value, decimals) for write, value in zip(writers, row, strict=False))


def _model_field(model, lookup: str):
    """(the model that holds the lookup's last field, that field), or (model, None) for an
    annotation (a member's name), which is written as it is."""
    field = None
    for part in lookup.split("__"):
        if field is not None:
            model = field.related_model
        try:
            field = model._meta.get_field(part)
        except FieldDoesNotExist:
            return model, None
    return model, field


def _cell_writer(model, lookup: str) -> Callable:
    owner, field = _model_field(model, lookup)
    if lookup.split("__")[-1] == "number" and hasattr(owner, "reference"):
        return lambda value, _: owner(number=value).reference if value else ""
    if owner is ContentType and lookup.endswith("model"):  # what kind of record a source is
        names = {m._meta.model_name: capfirst(m._meta.verbose_name) for m in apps.get_models()}
        return lambda value, _: names.get(value, value)
    if field is not None and field.choices:
        labels = {value: str(label) for value, label in field.flatchoices}
        return lambda value, _: labels.get(value, value)
    if field is not None and isinstance(field, DecimalField) and field.decimal_places == 6:
        # A KPI value (objectives.models.VALUE_FIELD): the objective's decimals, or as few as
        # say it exactly.
        def kpi_value(value, decimals):
            if value is None:
                return None
            if decimals is not None:
                return f"{value:.{decimals}f}"
            return f"{value.normalize():f}"

        return kpi_value
    return lambda value, _: value


def plural(n: int, word: str, words: str | None = None) -> str:
    """ "1 review", "2 reviews", "3 monthly statuses"."""
    if n == 1:
        return f"{n} {word}"
    return f"{n} {words or word + ('es' if word.endswith(('s', 'x', 'ch', 'sh')) else 's')}"


def _cell(value):
    """A list in a CSV cell: "a; b" (records in it by their code or reference)."""
    if isinstance(value, list):
        return "; ".join(
            str(v.get("code") or v.get("reference") or v) if isinstance(v, dict) else str(v)
            for v in value
        )
    return value


def dict_rows(writer: PackWriter, path: str, rows: list[dict], header: list[str]):
    """Rows given as dicts (the apps' evidence selectors), in the header's order."""
    return writer.csv(path, header, ([_cell(row.get(key, "")) for key in header] for row in rows))
