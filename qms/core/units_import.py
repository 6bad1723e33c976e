"""An administrator imports units from a CSV or XLSX file: one row per unit, keyed by its code,
naming the code of the unit it belongs under. Every row is checked first; if any has a problem
nothing is imported and each problem is listed with its row number. A row whose code already
exists with the same name and parent is left as it is, so the same file imported twice adds
nothing; a row that would change an existing unit is refused (change it on its page: a move
has rules and recomputes rollups). Units are added with `qms.core.units.org_unit_add`, so the
same rules and the same audit trail apply as on the page.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction

from qms.core import units
from qms.core.immutable import TransitionError
from qms.core.limits import max_bytes
from qms.core.models import Membership, OrgUnit
from qms.core.spreadsheets import ImportFileError, SheetSpec, read_rows

MAX_ROWS = 2_000  # as the upload form says (the registers' imports alike)
COLUMNS = (
    ("name", True, "The unit's name, as people call it.", "Goods Inwards"),
    ("code", True, "Its code, unique in the organisation: rows refer to units by it.", "LDS-GI"),
    (
        "parent_code",
        True,
        "The code of the unit it belongs under: an existing open unit's, or another row's. "
        "Empty only for the top unit of an organisation that has no units yet.",
        "LDS",
    ),
    ("kind", False, "Company, Site, Department or Team; empty means Department.", "Team"),
)
SHOWN_ERRORS = 50


def sheet_spec() -> SheetSpec:
    return SheetSpec(
        required=("name", "code", "parent_code"),
        optional=("kind",),
        max_rows=MAX_ROWS,
        max_bytes=max_bytes("IMPORT_MAX_BYTES"),
    )


@dataclass
class UnitsImportResult:
    created: list[OrgUnit] = field(default_factory=list)
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class _Row:
    number: int
    name: str
    code: str
    parent_code: str
    kind: str


def _kind(value: str) -> str | None:
    if not value:
        return OrgUnit.Kind.DEPARTMENT
    for key, label in OrgUnit.Kind.choices:
        if value.lower() in (key, str(label).lower()):
            return key
    return None


def _cell(raw: dict, name: str) -> str:
    value = raw.get(name)
    return "" if value is None else str(value).strip()


def _read(source, filename: str, result: UnitsImportResult) -> list[_Row]:
    rows = []
    try:
        for number, raw in read_rows(source, filename, sheet_spec()):
            kind_text = _cell(raw, "kind")
            kind = _kind(kind_text)
            row = _Row(
                number, _cell(raw, "name"), _cell(raw, "code"), _cell(raw, "parent_code"), kind
            )
            problems = []
            if not row.name:
                problems.append("the name is empty")
            elif len(row.name) > 200:
                problems.append(f"the name has {len(row.name)} characters (at most 200)")
            if not row.code:
                problems.append("the code is empty (rows refer to units by their code)")
            elif len(row.code) > 30:
                problems.append(f"the code has {len(row.code)} characters (at most 30)")
            if kind is None:
                problems.append(
                    f"the kind {kind_text[:40]!r} is not Company, Site, Department or Team"
                )
            if problems:
                result.errors.append(f"Row {number}: {'; '.join(problems)}.")
            rows.append(row)
    except ImportFileError as error:
        result.errors.append(str(error))
    return rows


def _key(code: str) -> str:
    return code.casefold()


def _plan(organization, rows: list[_Row], result: UnitsImportResult) -> list[_Row]:
    """The rows to add, parents before children; problems go to `result.errors`."""
    # Codes match whatever their case, as the units' own pages compare them: "acme" names ACME.
    existing = {
        _key(u.code): u for u in OrgUnit.objects.for_organization(organization).exclude(code="")
    }
    parents_of_existing = {u.path: u.code for u in OrgUnit.objects.for_organization(organization)}
    seen: dict[str, int] = {}
    new: dict[str, _Row] = {}
    has_units = bool(parents_of_existing)
    for row in rows:
        if not row.code:
            continue
        if _key(row.code) in seen:
            result.errors.append(
                f"Row {row.number}: the code {row.code} is also on row {seen[_key(row.code)]}."
            )
            continue
        seen[_key(row.code)] = row.number
        unit = existing.get(_key(row.code))
        if unit is not None:
            parent_code = parents_of_existing.get(unit.parent_path(), "") if unit.depth > 1 else ""
            if unit.name == row.name and _key(parent_code) == _key(row.parent_code):
                result.unchanged += 1
            else:
                where = f"under {parent_code}" if parent_code else "as the top unit"
                result.errors.append(
                    f"Row {row.number}: {row.code} is already {unit.name} {where}; an import "
                    "only adds units: change or move it on its page."
                )
            continue
        new[_key(row.code)] = row
    roots = [row for row in new.values() if not row.parent_code]
    for row in roots:
        if has_units or len(roots) > 1:
            result.errors.append(
                f"Row {row.number}: parent_code is empty; only the first unit of an organisation "
                "(its top unit) has none. Give the code of the unit it belongs under."
            )
    for row in new.values():
        if not row.parent_code or _key(row.parent_code) in new:
            continue
        parent = existing.get(_key(row.parent_code))
        if parent is None:
            result.errors.append(
                f"Row {row.number}: there is no unit with the code {row.parent_code} in the "
                "organisation or in the file."
            )
        elif parent.is_closed:
            result.errors.append(
                f"Row {row.number}: {parent.name} ({parent.code}) is closed and takes no new units."
            )
    # Parents first; a loop of rows naming each other never gets a place.
    ordered, placed = [], set()
    pending = list(new.values())
    while pending:
        ready = [
            r
            for r in pending
            if not r.parent_code or _key(r.parent_code) not in new or _key(r.parent_code) in placed
        ]
        if not ready:
            for row in pending:
                result.errors.append(
                    f"Row {row.number}: {row.code} belongs under {row.parent_code}, which "
                    f"belongs (directly or through other rows of the file) under {row.code}: a "
                    "loop, so neither has a place in the tree."
                )
            break
        for row in ready:
            ordered.append(row)
            placed.add(_key(row.code))
        pending = [r for r in pending if _key(r.code) not in placed]
    return ordered


def org_units_import(
    *, organization, actor: Membership, source, filename: str
) -> UnitsImportResult:
    """Check every row, then add the new units in one transaction, or none."""
    result = UnitsImportResult()
    rows = _read(source, filename, result)
    if result.errors and not rows:
        return result
    if not rows and not result.errors:
        result.errors.append("The file has no rows of units below its first row.")
        return result
    plan = _plan(organization, rows, result)
    if result.errors:
        return result
    try:
        with transaction.atomic():
            units.lock_tree(organization.id)
            added: dict[str, OrgUnit] = {}
            for row in plan:
                parent = None
                if row.parent_code:
                    parent = added.get(_key(row.parent_code)) or OrgUnit.objects.get(
                        organization=organization, code__iexact=row.parent_code
                    )
                unit = units.org_unit_add(
                    organization=organization,
                    actor=actor,
                    name=row.name,
                    parent=parent,
                    code=row.code,
                    kind=row.kind,
                    reason=f"Imported from {filename[:100]}",
                )
                added[_key(row.code)] = unit
                result.created.append(unit)
    except (ValidationError, TransitionError) as error:
        messages = error.messages if isinstance(error, ValidationError) else [str(error)]
        result.created = []
        result.errors.append(
            f"Nothing was imported: {' '.join(messages)} (the units changed while the file was "
            "checked; import it again)."
        )
    return result
