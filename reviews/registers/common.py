"""What the review registers share: widgets, date text and the org-unit import column."""

from __future__ import annotations

import datetime

from django import forms

from qms.core.models import OrgUnit
from qms.core.registers.definition import ImportColumn

TEXTAREA = forms.Textarea(attrs={"rows": 3})


def date_text(value: datetime.date | None) -> str:
    return value.strftime("%-d %b %Y") if value else ""


def unit_lookup(organization) -> dict:
    units = OrgUnit.objects.for_organization(organization).exclude(code="")
    codes = units.values_list("code", "id")
    return {"units": {code.lower(): pk for code, pk in codes}}


def unit_to_form(cell, lookups) -> int | str:
    code = str(cell or "").strip()
    if not code:
        return ""
    pk = lookups["units"].get(code.lower())
    if pk is None:
        raise ValueError(f"{code[:40]} is not an org unit code of this organisation")
    return pk


UNIT_COLUMN = ImportColumn(
    "unit_code", "org_unit", "Code of the org unit (site, department).", "", to_form=unit_to_form
)
