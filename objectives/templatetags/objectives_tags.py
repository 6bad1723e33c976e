"""Template filters for KPI values."""

import re
from decimal import Decimal

from django import template

register = template.Library()


def singular_unit(unit: str) -> str:
    """ "items" → "item", "defects per million" → "defect per million"; other units as they
    are ("ppm", "kWh", "%")."""
    head, sep, tail = unit.partition(" per ")
    words = head.split(" ")
    last = words[-1]
    plural = last.endswith("s") and not last.endswith("ss")
    if plural and len(last) > 2 and last.isalpha() and last.islower():
        words[-1] = last[:-1]
    return " ".join(words) + sep + tail


@register.filter
def kpi(value, objective) -> str:
    """A value with the objective's decimal places and unit: "96.4%", "3.2 days", "1 item"."""
    if value is None or value == "":
        return "—"
    number = f"{Decimal(value):,.{objective.decimal_places}f}"
    unit = objective.unit
    if unit == "%":
        return f"{number}%"
    if number == "1":
        unit = singular_unit(unit)
    return f"{number} {unit}".strip()


def average_places(decimal_places: int) -> int:
    """The decimals of an average of an objective's values: the objective's own, and one where
    it counts whole things, so that 1.7 items is not written "2 items" (a status judged on 1.7
    against "≤ 1" would contradict it). Every average is written so and says it is one."""
    return max(decimal_places, 1)


_ROW_PREFIX = re.compile(r"^Rows? \d[\d, to]*: ")


@register.filter
def without_row_prefix(message: str) -> str:
    """An import error without its "Row 14: " (the table's first column says the row)."""
    return _ROW_PREFIX.sub("", str(message), count=1)
