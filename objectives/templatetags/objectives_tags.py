"""Template filters for KPI values."""

from decimal import Decimal

from django import template

register = template.Library()


def _singular(unit: str) -> str:
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
        unit = _singular(unit)
    return f"{number} {unit}".strip()
