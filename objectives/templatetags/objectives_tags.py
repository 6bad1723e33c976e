"""Template filters for KPI values."""

from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def kpi(value, objective) -> str:
    """A value with the objective's decimal places and unit: "96.4%", "3.2 days"."""
    if value is None or value == "":
        return "—"
    number = f"{Decimal(value):,.{objective.decimal_places}f}"
    if objective.unit == "%":
        return f"{number}%"
    return f"{number} {objective.unit}".strip()
