"""A target of 0 ("0 lost-time accidents", lower is better) has no percentages: met reads
100 %, and a value short of it is said as the value against the target, in every chart and
table of attainment; never "0%" beside a status with no bar."""

import datetime
import io
from decimal import Decimal as D

import pytest
from django.urls import reverse
from pypdf import PdfReader

from objectives.models import QualityObjective
from reviews.charts import objectives_attainment_figure
from tests.objectives.factories import make_objective

pytestmark = pytest.mark.django_db
URL = reverse("dashboard:dashboard", args=["acme-test"])
ZERO = {
    "direction": "lower",
    "target": D("0"),
    "amber_threshold": D("1"),
    "red_threshold": D("3"),
    "decimal_places": 0,
    "valid_min": D("0"),
    "valid_max": D("100"),
}


@pytest.fixture
def objectives(cast):
    for code, title, status, value in (
        ("OBJ-01", "Lost-time accidents, Plant One", "amber", "1"),
        ("OBJ-02", "Lost-time accidents, Plant Two", "green", "0"),
    ):
        objective = make_objective(cast, code=code, title=title, **ZERO)
        QualityObjective.objects.filter(pk=objective.pk).update(
            unit="accidents",
            current_status=status,
            current_value=D(value),
            current_period_end=datetime.date(2026, 10, 31),
        )


def test_a_zero_target_reads_as_the_value_against_it_on_the_dashboard(client, cast, objectives):
    client.force_login(cast.alice)
    panel = client.get(URL).context["panels"]["objectives"]
    rows = {str(row[0]): [str(cell) for cell in row] for row in panel.rows}
    assert rows["OBJ-01"][-1] == "1 accident against a target of 0 accidents"
    assert rows["OBJ-02"][-1] == "100"
    bars = panel.figure["data"][0]
    assert bars["y"] == ["OBJ-01", "OBJ-02"]  # the missed one is in the chart, not dropped
    assert bars["text"][0] == "▲ At risk: 1 accident against a target of 0 accidents"
    assert "0%" not in bars["hovertext"][0]
    assert bars["x"][1] == 100


def test_a_zero_target_reads_the_same_in_the_review_chart():
    row = {"code": "OBJ-01", "title": "Lost-time accidents", "value": "1", "target": "0"}
    row |= {"direction": "lower", "status": "amber", "status_label": "At risk"}
    figure = objectives_attainment_figure([row])
    # A review frozen before rows carried their texts: the bare numbers.
    assert figure["data"][0]["text"] == ["▲ At risk: 1 against a target of 0"]


def test_a_zero_target_reads_as_the_value_against_it_in_the_board_pdf(client, cast, objectives):
    client.force_login(cast.alice)
    content = client.get(reverse("dashboard:board-pdf", args=["acme-test"])).content
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    text = " ".join(text.split())
    assert "1 accident against a target of 0 accidents" in text
    assert "0% at risk" not in text
    assert "100% on track" in text
