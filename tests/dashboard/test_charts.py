"""The dashboard's figures, built from known data, carry the expected traces and numbers."""

import datetime
from decimal import Decimal

import pytest

from objectives.models import QualityObjective
from qms.core.actions.selectors import ActionsSummary
from qms.core.spreadsheets import safe_cell
from qms.dashboard import charts
from qms.dashboard.selectors import KpiSeries
from qms.dashboard.tables import as_csv

pytestmark = pytest.mark.django_db


def _row(code, value, target, status, direction="higher"):
    return {
        "code": code,
        "title": f"Objective {code}",
        "status": status,
        "status_label": {"green": "On track", "red": "Off track", "no_data": "No data"}[status],
        "value": value,
        "target": target,
        "direction": direction,
        "url": f"/o/x/objectives/{code}/",
    }


def test_attainment_bars_give_percent_of_target_status_in_words_and_links():
    rows = [
        _row("OBJ-01", "90", "100", "red"),
        _row("OBJ-02", "", "100", "no_data"),  # no value: not drawn
        _row("OBJ-03", "2", "4", "green", direction="lower"),  # lower is better: 200% capped
    ]
    trace = charts.attainment_figure(rows)["data"][0]
    assert trace["x"] == [90.0, 150.0]
    assert trace["y"][0].startswith("OBJ-01")
    assert trace["text"] == ["■ Off track", "● On track"]
    assert trace["customdata"] == ["/o/x/objectives/OBJ-01/", "/o/x/objectives/OBJ-03/"]


def test_review_compliance_shows_days_late_on_time_and_not_held():
    reviews = [
        {"reference": "MR-001", "planned_on": datetime.date(2026, 3, 31),
         "held_on": datetime.date(2026, 4, 14), "status": "held", "days_late": 14},
        {"reference": "MR-002", "planned_on": datetime.date(2026, 6, 30),
         "held_on": datetime.date(2026, 6, 30), "status": "signed_off", "days_late": None},
        {"reference": "MR-003", "planned_on": datetime.date(2026, 9, 30),
         "held_on": None, "status": "planned", "days_late": None},
    ]  # fmt: skip
    trace = charts.review_compliance_figure(reviews)["data"][0]
    assert trace["x"] == ["MR-001 (Mar 2026)", "MR-002 (Jun 2026)", "MR-003 (Sep 2026)"]
    assert trace["y"] == [14, 0, 0]
    assert trace["text"] == ["■ 14 days late", "● on time", "○ not held yet"]


def _month(end, closed=0, on_time=0, ages=(0, 0, 0, 0)):
    return ActionsSummary(
        start=end.replace(day=1),
        end=end,
        as_of=end,
        closed=closed,
        closed_on_time=on_time,
        closed_late=closed - on_time,
        open_by_age=dict(zip(["0-30", "31-60", "61-90", "over-90"], ages, strict=True)),
        open_at_end=sum(ages),
    )


def test_action_closure_stacks_on_time_and_late_with_the_rate():
    months = [_month(datetime.date(2026, 1, 31), 4, 3), _month(datetime.date(2026, 2, 28))]
    on_time, late, rate = charts.action_closure_figure(months)["data"]
    assert on_time["y"] == [3, 0]
    assert late["y"] == [1, 0]
    assert rate["y"] == [75.0, None]  # nothing closed: no rate, not 0%
    assert rate["yaxis"] == "y2"


def test_open_actions_by_age_one_trace_per_bucket():
    figure = charts.open_actions_age_figure([_month(datetime.date(2026, 1, 31), ages=(5, 2, 1, 3))])
    assert [t["name"] for t in figure["data"]] == [
        "Up to 30 days",
        "31 to 60 days",
        "61 to 90 days",
        "Over 90 days",
    ]
    assert [t["y"] for t in figure["data"]] == [[5], [2], [1], [3]]


def test_kpi_small_multiples_one_panel_per_objective_with_target_line():
    a = QualityObjective(code="OBJ-01", target=Decimal("95"), unit="%", current_status="red")
    b = QualityObjective(code="OBJ-02", target=Decimal("3"), unit="days", current_status="green")
    series = [
        KpiSeries(a, [(datetime.date(2026, 1, 31), 90.0, "red"),
                      (datetime.date(2026, 2, 28), 96.0, "green")]),
        KpiSeries(b, [(datetime.date(2026, 2, 28), 2.5, "green")]),
    ]  # fmt: skip
    figure = charts.kpi_multiples_figure(series)
    values = [t for t in figure["data"] if not t["name"].endswith("target")]
    targets = [t for t in figure["data"] if t["name"].endswith("target")]
    assert [t["y"] for t in values] == [[90.0, 96.0], [2.5]]
    assert [t["xaxis"] for t in values] == ["x", "x2"]
    assert values[0]["marker"]["symbol"] == ["square", "circle"]  # shape as well as colour
    assert [t["y"] for t in targets] == [[95.0, 95.0], [3.0, 3.0]]
    assert "Off track" in figure["layout"]["annotations"][0]["text"]
    assert "xaxis2" in figure["layout"]


def test_csv_cells_that_look_like_formulas_are_quoted():
    assert safe_cell('=HYPERLINK("http://x")') == '\'=HYPERLINK("http://x")'
    assert safe_cell("+1") == "'+1"
    assert safe_cell("@SUM(A1)") == "'@SUM(A1)"
    assert safe_cell("-2") == "'-2"
    assert safe_cell(-2) == "-2"  # a number stays a number
    assert safe_cell("OBJ-01") == "OBJ-01"


def test_csv_has_the_columns_then_one_line_per_row():
    from qms.dashboard.tables import Panel

    panel = Panel("x", "X", "", ["Code", "Value"], [["OBJ-01", 3], ["=cmd", 4]])
    assert as_csv(panel).splitlines() == ["Code,Value", "OBJ-01,3", "'=cmd,4"]
