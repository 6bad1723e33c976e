"""All-or-nothing import of register records from a CSV or XLSX file.

Each row is checked by the register's own form (the same rules and messages as the page), after
its cells are turned into form input: choices by value or label, members by username or e-mail,
objectives by code. If any row has a problem nothing is saved and every bad row is listed.
Register files are small (at most 2,000 rows, checked in about a second), so the import runs in
the request; measurement files, which reach 100,000 rows, go through Celery instead.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django import forms

from qms.core.models import Membership
from qms.core.registers.definition import ImportColumn, Register
from qms.core.registers.forms import MAX_IMPORT_BYTES, MAX_IMPORT_ROWS
from qms.core.registers.services import m2m_fields, records_import
from qms.core.spreadsheets import ImportFileError, SheetSpec, csv_text, read_rows

MAX_REPORTED_ERRORS = 200
TRUE_WORDS = {"yes", "y", "true", "1", "x"}
FALSE_WORDS = {"no", "n", "false", "0", ""}


@dataclass
class RegisterImportResult:
    created: list = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)
    error_count: int = 0
    rows: int = 0

    @property
    def ok(self) -> bool:
        return self.error_count == 0


def sheet_spec(register: Register) -> SheetSpec:
    return SheetSpec(
        required=tuple(c.name for c in register.import_columns if c.required),
        optional=tuple(c.name for c in register.import_columns if not c.required),
        max_rows=MAX_IMPORT_ROWS,
        max_bytes=MAX_IMPORT_BYTES,
        max_xlsx_uncompressed_bytes=50 * 1024 * 1024,
    )


def member_lookup(organization) -> dict[str, int]:
    """Members who may own records, by lower-case username and e-mail."""
    lookup: dict[str, int] = {}
    members = (
        Membership.objects.for_organization(organization)
        .assignable()
        .values_list("id", "user__username", "user__email")
    )
    for pk, username, email in members:
        lookup[username.lower()] = pk
        if email:
            lookup.setdefault(email.lower(), pk)
    return lookup


def member_to_form(cell: Any, lookups: dict) -> Any:
    text = _text(cell)
    if not text:
        return ""
    pk = lookups["members"].get(text.lower())
    if pk is None:
        raise ValueError(f"{text[:60]} is not a current member (give a username or e-mail)")
    return pk


def _text(cell: Any) -> str:
    if cell is None:
        return ""
    if isinstance(cell, datetime.datetime):
        return cell.date().isoformat()
    if isinstance(cell, datetime.date):
        return cell.isoformat()
    return str(cell).strip()


def _default_to_form(form_field: forms.Field, cell: Any) -> Any:
    if isinstance(form_field, forms.BooleanField | forms.NullBooleanField):
        text = _text(cell).lower()
        if text in TRUE_WORDS:
            return "true"
        if text in FALSE_WORDS:
            return "" if isinstance(form_field, forms.NullBooleanField) and not text else "false"
        raise ValueError(f'"{text[:20]}" is not yes or no')
    if isinstance(form_field, forms.DateField):
        if isinstance(cell, datetime.date) or cell is None:
            return cell or ""
        text = _text(cell)
        try:
            # ISO 8601 only: 03/04/2026 means March to some and April to others.
            return datetime.date.fromisoformat(text) if text else ""
        except ValueError:
            raise ValueError(f'"{text[:20]}" is not a date written YYYY-MM-DD') from None
    if isinstance(form_field, forms.ChoiceField) and not isinstance(
        form_field, forms.ModelChoiceField
    ):
        text = _text(cell)
        for value, label in form_field.choices:
            if text.lower() in (str(value).lower(), str(label).lower()):
                return value
        return text  # the form says it is not one of the choices
    if isinstance(cell, datetime.date | int | float) or cell is None:
        return cell if cell is not None else ""
    return _text(cell)


def _row_data(register, form_fields, number, raw, lookups) -> tuple[dict, list[str]]:
    data: dict = {}
    problems: list[str] = []
    for column in register.import_columns:
        cell = raw.get(column.name)
        model_field = _model_field(register.model, column.field)
        if _text(cell) == "" and model_field is not None and model_field.has_default():
            # An empty cell means "the usual", as a new record on the page would start.
            data[column.field] = model_field.get_default()
            continue
        try:
            if column.to_form is not None:
                data[column.field] = column.to_form(cell, lookups)
            elif column.field in form_fields:
                data[column.field] = _default_to_form(form_fields[column.field], cell)
        except ValueError as error:
            problems.append(f"{column.name}: {error}")
    return data, problems


def _model_field(model, name: str):
    try:
        return model._meta.get_field(name)
    except Exception:
        return None


def _column_name(register: Register, field_name: str) -> str:
    column: ImportColumn | None = next(
        (c for c in register.import_columns if c.field == field_name), None
    )
    return column.name if column else field_name


def import_file(*, register: Register, membership: Membership, source, filename: str):
    """Check every row of the file, then save all of them, or nothing."""
    organization = membership.organization
    result = RegisterImportResult()
    lookups = {"members": member_lookup(organization)}
    if register.import_lookups:
        lookups.update(register.import_lookups(organization))
    valid: list[tuple[Any, dict]] = []
    many = set(m2m_fields(register.model))
    form_fields = register.form_class(organization=organization).fields
    try:
        for number, raw in read_rows(source, filename, sheet_spec(register)):
            result.rows += 1
            data, problems = _row_data(register, form_fields, number, raw, lookups)
            if not problems:
                form = register.form_class(
                    organization=organization,
                    data=data,
                    instance=register.model(organization=organization),
                )
                if form.is_valid():
                    record = form.save(commit=False)
                    valid.append(
                        (record, {n: form.cleaned_data[n] for n in many if n in form.cleaned_data})
                    )
                    continue
                for name, messages in form.errors.items():
                    prefix = "" if name == "__all__" else f"{_column_name(register, name)}: "
                    problems += [f"{prefix}{message}" for message in messages]
            result.error_count += 1
            if len(result.errors) < MAX_REPORTED_ERRORS:
                text = "; ".join(p.rstrip(".") for p in problems)
                result.errors.append({"row": number, "message": f"Row {number}: {text}."})
    except ImportFileError as error:
        return RegisterImportResult(errors=[{"row": None, "message": str(error)}], error_count=1)
    if result.error_count:
        return result
    result.created = records_import(
        register=register, membership=membership, records=valid, filename=filename
    )
    return result


def template_csv(register: Register) -> str:
    """A header row and one example row, for the "download a template" link."""
    columns = register.import_columns
    return csv_text([[c.name for c in columns], [c.example for c in columns]])
