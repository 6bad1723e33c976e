"""All-or-nothing import of existing competence records from a CSV or XLSX file.

The same file rules, limits and sentences as the registers' import (`qms.core.spreadsheets`,
2 MB and 2,000 rows): every row is checked, and if any has a problem nothing is saved and each
bad row is listed as "Row N: ...". Members are named by username or e-mail, competences by name.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError

from leadership.models import Competence, CompetenceRecord
from leadership.services.competence import check_editor, competence_records_save_all, default_expiry
from qms.core.models import Membership
from qms.core.registers.forms import MAX_IMPORT_BYTES, MAX_IMPORT_ROWS
from qms.core.registers.importing import MAX_REPORTED_ERRORS, member_lookup
from qms.core.spreadsheets import ImportFileError, SheetSpec, csv_text, read_rows

COLUMNS = [
    # (name, required, what to write, example)
    ("member", True, "Username or e-mail of a current member.", "carl"),
    ("competence", True, "Name of a competence, as on the competences page.", "Internal auditing"),
    ("level", True, "1 (aware) to 4 (expert).", "3"),
    ("attained_on", True, "Date, YYYY-MM-DD.", "2025-06-30"),
    ("evidence_kind", False, "training, qualification, assessment or experience.", "training"),
    ("evidence", False, "What shows it: course, certificate number, assessor.", "IRCA course"),
    ("expires_on", False, "Date, YYYY-MM-DD; empty: the competence's usual validity.", ""),
]

SPEC = SheetSpec(
    required=tuple(c[0] for c in COLUMNS if c[1]),
    optional=tuple(c[0] for c in COLUMNS if not c[1]),
    max_rows=MAX_IMPORT_ROWS,
    max_bytes=MAX_IMPORT_BYTES,
    max_xlsx_uncompressed_bytes=50 * 1024 * 1024,
)


@dataclass
class CompetenceImportResult:
    created: list = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)
    error_count: int = 0
    rows: int = 0

    @property
    def ok(self) -> bool:
        return self.error_count == 0


def _text(cell: Any) -> str:
    if cell is None:
        return ""
    if isinstance(cell, datetime.datetime):
        return cell.date().isoformat()
    if isinstance(cell, datetime.date):
        return cell.isoformat()
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()


def _date(cell: Any, column: str, problems: list[str]) -> datetime.date | None:
    text = _text(cell)
    if not text:
        return None
    try:
        # ISO 8601 only: 03/04/2026 means March to some and April to others.
        return datetime.date.fromisoformat(text)
    except ValueError:
        problems.append(f'{column}: "{text[:20]}" is not a date written YYYY-MM-DD')
        return None


def _check_row(raw: dict, members: dict, competences: dict, organization_id: int):
    problems: list[str] = []
    member_text, competence_text = _text(raw.get("member")), _text(raw.get("competence"))
    member_id = members.get(member_text.lower())
    if not member_text:
        problems.append("member: give a username or e-mail")
    elif member_id is None:
        problems.append(f"member: {member_text[:60]} is not a current member")
    competence = competences.get(competence_text.lower())
    if not competence_text:
        problems.append("competence: give the competence's name")
    elif competence is None:
        problems.append(f"competence: {competence_text[:60]} is not a competence of yours")
    level_text = _text(raw.get("level"))
    level = int(level_text) if level_text in {"1", "2", "3", "4"} else None
    if level is None:
        problems.append(f'level: "{level_text[:10]}" is not a level from 1 to 4')
    attained_on = _date(raw.get("attained_on"), "attained_on", problems)
    if attained_on is None and not any(p.startswith("attained_on") for p in problems):
        problems.append("attained_on: give the date the competence was attained")
    expires_on = _date(raw.get("expires_on"), "expires_on", problems)
    kind_text = _text(raw.get("evidence_kind")).lower() or CompetenceRecord.Evidence.ASSESSMENT
    kinds = {v: v for v in CompetenceRecord.Evidence.values} | {
        label.lower(): value for value, label in CompetenceRecord.Evidence.choices
    }
    if kind_text not in kinds:
        problems.append(
            f'evidence_kind: "{kind_text[:20]}" is not training, qualification, assessment '
            "or experience"
        )
    if problems:
        return problems, None
    record = CompetenceRecord(
        organization_id=organization_id,
        membership_id=member_id,
        competence=competence,
        level=level,
        evidence_kind=kinds[kind_text],
        evidence=_text(raw.get("evidence")),
        attained_on=attained_on,
        expires_on=expires_on or default_expiry(competence, attained_on),
    )
    try:
        record.full_clean(exclude=["membership"])
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            label = "" if name == "__all__" else f"{name}: "
            problems += [f"{label}{m.rstrip('.')}" for m in messages]
        return problems, None
    return [], record


def competence_records_import(
    *, actor: Membership, source, filename: str
) -> CompetenceImportResult:
    """Check every row of the file, then save all of them, or nothing."""
    check_editor(actor)
    organization = actor.organization
    members = member_lookup(organization)
    competences = {c.name.lower(): c for c in Competence.objects.for_organization(organization)}
    result = CompetenceImportResult()
    valid: list[CompetenceRecord] = []
    try:
        for number, raw in read_rows(source, filename, SPEC):
            result.rows += 1
            problems, record = _check_row(raw, members, competences, organization.pk)
            if record is not None:
                valid.append(record)
                continue
            result.error_count += 1
            if len(result.errors) < MAX_REPORTED_ERRORS:
                text = "; ".join(problems)
                result.errors.append({"row": number, "message": f"Row {number}: {text}."})
    except ImportFileError as error:
        return CompetenceImportResult(errors=[{"row": None, "message": str(error)}], error_count=1)
    if result.error_count:
        return result
    if not valid:
        return CompetenceImportResult(
            errors=[{"row": None, "message": "The file has no rows to import."}], error_count=1
        )
    result.created = competence_records_save_all(actor=actor, records=valid, filename=filename)
    return result


def template_csv() -> str:
    return csv_text([[c[0] for c in COLUMNS], [c[3] for c in COLUMNS]])
