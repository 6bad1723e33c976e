"""The dashboard sorts objectives "furthest from target first" in the database and loads only
the worst; the database's attainment must be the same number the charts draw."""

from decimal import Decimal

import pytest

from objectives.attainment import attainment_expression, furthest_from_target_first
from objectives.models import QualityObjective
from reviews.charts import attainment
from tests.objectives.factories import make_objective

pytestmark = pytest.mark.django_db

LOWER = {"direction": "lower", "amber_threshold": Decimal("3"), "red_threshold": Decimal("5")}
BAND = {"direction": "band", "amber_threshold": Decimal("1"), "red_threshold": Decimal("2")}
CASES = [
    # code, current value, target, other fields, expected attainment
    ("H-95", "90.25", "95", {}, 95.0),
    ("H-CAP", "500", "95", {}, 150.0),
    # A target of 0 has no percentages: met is 100 %, missed has none (said in words).
    ("H-ZERO-TARGET", "5", "0", {"amber_threshold": 0, "red_threshold": 0}, 100.0),
    ("L-ZERO-TARGET-MET", "0", "0", LOWER, 100.0),
    ("L-ZERO-TARGET-MISSED", "1", "0", LOWER, None),
    ("B-ZERO-TARGET-MISSED", "0.5", "0", BAND, None),
    ("H-INT", "95", "100", {}, 95.0),  # SQLite would divide these as integers
    ("L-50", "4", "2", LOWER, 50.0),
    ("L-ZERO-VALUE", "0", "2", LOWER, 150.0),
    ("B-80", "12", "10", BAND, 80.0),
    ("B-FLOOR", "40", "10", BAND, 0.0),
    ("NONE", None, "95", {}, None),
]


def _objective(cast, code, value=None, status="no_data", **fields):
    """An objective with a stored current value and status (as the rollups leave them)."""
    objective = make_objective(cast, code=code, **fields)
    QualityObjective.objects.filter(pk=objective.pk).update(
        current_value=Decimal(value) if value is not None else None, current_status=status
    )
    return objective


def test_the_database_computes_the_same_attainment_as_the_charts(cast):
    for code, value, target, fields, _ in CASES:
        status = "green" if value is not None else "no_data"
        _objective(cast, code, value, status, target=Decimal(target), **fields)
    found = dict(
        QualityObjective.objects.annotate(a=attainment_expression()).values_list("code", "a")
    )
    for code, value, target, fields, expected in CASES:
        row = {"value": value, "target": target, "direction": fields.get("direction", "higher")}
        row["status"] = "green" if value is not None else "no_data"
        python = attainment(row)
        assert python == pytest.approx(expected) if expected is not None else python is None
        assert (
            found[code] == pytest.approx(expected) if expected is not None else found[code] is None
        )


def test_a_stale_value_with_no_data_draws_no_bar_anywhere(cast):
    # OBJ-13's latest value (July) is 101 % of target, but August to October are missing: its
    # status is "no data" and no chart may draw a 101 % bar for it.
    _objective(cast, "STALE", "101", "no_data", target=Decimal("100"))
    row = {"value": "101", "target": "100", "direction": "higher", "status": "no_data"}
    assert attainment(row) is None
    found = QualityObjective.objects.annotate(a=attainment_expression()).get(code="STALE")
    assert found.a is None


def test_worst_status_first_then_furthest_from_target_then_without_a_value(cast):
    _objective(cast, "GREEN", "99", "green")
    _objective(cast, "RED-NEAR", "87", "red")
    _objective(cast, "RED-FAR", "40", "red")
    _objective(cast, "RED-NONE", None, "red")
    _objective(cast, "AMBER", "90", "amber")
    order = list(
        furthest_from_target_first(QualityObjective.objects.all()).values_list("code", flat=True)
    )
    assert order == ["RED-FAR", "RED-NEAR", "RED-NONE", "AMBER", "GREEN"]
