"""A KPI value reads as a person writes it: the objective's decimals and unit, and one of a
unit in the singular ("1 item", not "1 items")."""

from decimal import Decimal
from types import SimpleNamespace

import pytest

from objectives.templatetags.objectives_tags import kpi


@pytest.mark.parametrize(
    "value,places,unit,text",
    [
        (Decimal("1"), 0, "items", "1 item"),
        (Decimal("1"), 0, "days", "1 day"),
        (Decimal("1"), 0, "defects per million", "1 defect per million"),
        (Decimal("1"), 1, "days", "1.0 days"),
        (Decimal("2"), 0, "items", "2 items"),
        (Decimal("1"), 0, "ppm", "1 ppm"),
        (Decimal("1"), 0, "kWh", "1 kWh"),
        (Decimal("1"), 0, "%", "1%"),
        (Decimal("1"), 0, "loss", "1 loss"),
        (Decimal("96.44"), 1, "%", "96.4%"),
        (Decimal("60700"), 0, "EUR", "60,700 EUR"),
        (None, 0, "items", "—"),
    ],
)
def test_a_value_reads_with_its_decimals_and_unit(value, places, unit, text):
    assert kpi(value, SimpleNamespace(decimal_places=places, unit=unit)) == text
