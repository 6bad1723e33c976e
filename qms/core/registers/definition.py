"""How an app declares a register: its model, form, filters, list columns, detail fields,
import columns and who may write. Declared once, in the app's AppConfig.ready()."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from qms.core.roles import QUALITY_EDITOR_ROLES


@dataclass(frozen=True)
class Column:
    """A column of the list page. `value(record)` gives the text; `chip(record)` (optional)
    a status style (green, amber, red, nodata) shown with the text, never colour alone."""

    label: str
    value: Callable[[Any], Any]
    chip: Callable[[Any], str] | None = None
    sort: str = ""  # the ordering field that sorts by this column, if sortable
    numeric: bool = False


@dataclass(frozen=True)
class ImportColumn:
    """A spreadsheet column: which form field it fills, what to write, and how a cell becomes
    the form's input (`to_form(cell, lookups)`; default: the cell as text, choices matched by
    value or label)."""

    name: str
    field: str
    help: str
    example: str = ""
    required: bool = False
    to_form: Callable[[Any, Any], Any] | None = None


@dataclass(frozen=True)
class Register:
    key: str  # in URLs and URL names: /registers/<key>/
    model: type
    title: str  # plural, for the list page and the navigation
    singular: str
    clause: str  # e.g. "ISO 9001 6.1"
    lead: str  # one sentence under the title: what the register is for
    form_class: type
    filterset_class: type
    columns: tuple[Column, ...]
    detail_fields: tuple[str, ...]
    import_columns: tuple[ImportColumn, ...]
    status_field: str  # counted per value on the list page
    api_fields: tuple[str, ...]
    select_related: tuple[str, ...] = ()
    prefetch_related: tuple[str, ...] = ()
    ordering: tuple[str, ...] = ("-number",)
    create_roles: frozenset = QUALITY_EDITOR_ROLES
    edit_roles: frozenset = QUALITY_EDITOR_ROLES
    # Where members who may create but not edit (e.g. staff reporting a nonconformity) see a
    # shorter form: only these fields; the rest is for the editors. Empty: the whole form.
    reporter_fields: tuple[str, ...] = ()
    nav_order: int = 100
    # Optional template included on the detail page under the fields (e.g. a risk's score).
    detail_template: str = ""
    # Optional template for the quality team above the list, and its context (request -> dict).
    list_template: str = ""
    list_context: Callable[[Any], dict] | None = None
    empty_text: str = ""
    # Set to let the register's records raise actions (qms.core.actions): the source kind and
    # its label, and when the detail page should push for one (e.g. an open major finding).
    action_kind: str = ""
    action_label: str = ""
    action_prominent: Callable[[Any], bool] | None = None
    action_prompt: str = ""  # why, when prominent and no action is open
    # Extra ready-made lookups the import's `to_form` functions use (built once per file).
    import_lookups: Callable[[Any], dict] | None = None
    extra: dict = field(default_factory=dict)

    def is_reporter(self, membership) -> bool:
        """May create, may not edit: gets the reporter's fields only."""
        return bool(self.reporter_fields) and membership.role not in self.edit_roles

    def may_import(self, membership) -> bool:
        # A file of records is the editors' work, even where anyone may report one.
        return membership.role in self.create_roles and membership.role in self.edit_roles

    @property
    def verbose_name(self) -> str:
        return str(self.model._meta.verbose_name)


_REGISTERS: dict[str, Register] = {}


def add_register(register: Register) -> None:
    _REGISTERS.setdefault(register.key, register)


def get_register(key: str) -> Register:
    return _REGISTERS[key]


def all_registers() -> list[Register]:
    return sorted(_REGISTERS.values(), key=lambda r: (r.nav_order, r.title))


def register_for_model(model) -> Register | None:
    return next((r for r in _REGISTERS.values() if r.model is model), None)
