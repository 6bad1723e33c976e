"""An objective with no data gets no bar, and reads "no data", in every attainment chart."""

import datetime
from decimal import Decimal as D

import pytest
from django.urls import reverse

from objectives.models import QualityObjective
from reviews.charts import objectives_attainment_figure
from tests.objectives.factories import make_objective

pytestmark = pytest.mark.django_db
URL = reverse("dashboard:dashboard", args=["acme-test"])


def test_a_stale_value_draws_no_bar_and_its_row_says_no_data(client, cast):
    # OBJ-13's last value (July) is 101 % of its target; August to October are missing.
    for code, status, value in (("OBJ-13", "no_data", "101"), ("OBJ-01", "green", "96")):
        objective = make_objective(cast, code=code, target=D("100"))
        QualityObjective.objects.filter(pk=objective.pk).update(
            current_status=status,
            current_value=D(value),
            current_period_end=datetime.date(2026, 7, 31),
        )
    client.force_login(cast.alice)
    response = client.get(URL)
    panel = response.context["panels"]["objectives"]
    rows = {str(row[0]): row for row in panel.rows}
    assert rows["OBJ-13"][-1] == "no data" and str(rows["OBJ-01"][-1]) == "96"
    bars = panel.figure["data"][0]
    assert [label.split()[0] for label in bars["y"]] == ["OBJ-01"]
    assert "1 with no data (no value for the period now due), not drawn" in panel.summary
    # The review's chart, from the same rows, draws the same bars.
    review = objectives_attainment_figure(
        [
            {"code": c, "title": c, "value": "101", "target": "100", "status": s}
            | {"status_label": s}
            for c, s in (("OBJ-13", "no_data"), ("OBJ-01", "green"))
        ]
    )
    assert [label.split()[0] for label in review["data"][0]["y"]] == ["OBJ-01"]
