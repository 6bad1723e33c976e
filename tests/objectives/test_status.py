"""RAG status for each direction, hand-computed, in Python and in SQL alike."""

from decimal import Decimal as D

import pytest
from django.db.models import F

from objectives.models import QualityObjective
from objectives.status import rag_expression, rag_for
from tests.objectives.factories import make_objective

CASES = [
    # direction, target, amber, red, value, expected
    ("higher", "95", "92", "88", "96", "green"),
    ("higher", "95", "92", "88", "92", "green"),  # on the amber threshold: the better status
    ("higher", "95", "92", "88", "91.9", "amber"),
    ("higher", "95", "92", "88", "88", "amber"),
    ("higher", "95", "92", "88", "87.99", "red"),
    ("lower", "2", "2.5", "3.2", "1.0", "green"),
    ("lower", "2", "2.5", "3.2", "2.5", "green"),
    ("lower", "2", "2.5", "3.2", "2.6", "amber"),
    ("lower", "2", "2.5", "3.2", "3.2", "amber"),
    ("lower", "2", "2.5", "3.2", "3.21", "red"),
    ("band", "99.5", "0.3", "0.8", "99.5", "green"),
    ("band", "99.5", "0.3", "0.8", "99.2", "green"),
    ("band", "99.5", "0.3", "0.8", "99.81", "amber"),
    ("band", "99.5", "0.3", "0.8", "98.7", "amber"),
    ("band", "99.5", "0.3", "0.8", "100.31", "red"),
    ("band", "99.5", "0.3", "0.8", "98.6", "red"),
]


@pytest.mark.parametrize(("direction", "target", "amber", "red", "value", "expected"), CASES)
def test_rag_in_python(direction, target, amber, red, value, expected):
    assert (
        rag_for(
            D(value),
            direction=direction,
            target=D(target),
            amber_threshold=D(amber),
            red_threshold=D(red),
        )
        == expected
    )


def test_no_value_is_no_data_not_green():
    assert (
        rag_for(None, direction="higher", target=D(1), amber_threshold=D(1), red_threshold=D(0))
        == "no_data"
    )


@pytest.mark.django_db
@pytest.mark.parametrize(("direction", "target", "amber", "red", "value", "expected"), CASES)
def test_rag_in_sql_agrees(cast, direction, target, amber, red, value, expected):
    objective = make_objective(
        cast,
        direction=direction,
        target=D(target),
        amber_threshold=D(amber),
        red_threshold=D(red),
        valid_min=None,
        valid_max=None,
    )
    QualityObjective.objects.filter(pk=objective.pk).update(current_value=D(value))
    row = QualityObjective.objects.annotate(rag=rag_expression(F("current_value"))).get(
        pk=objective.pk
    )
    assert row.rag == expected
