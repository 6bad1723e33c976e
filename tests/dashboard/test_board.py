"""The dashboard for the board: a PDF that opens and holds the figures, marked as a controlled
copy; every table as XLSX, text kept as text."""

import datetime
import io
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from leadership.services import resources
from objectives.models import QualityObjective
from objectives.rollups import recompute_all
from qms.core.models import Membership
from qms.core.svg_charts import attainment_bars, line_series, stacked_columns
from tests.objectives.factories import add_values, make_objective

pytestmark = pytest.mark.django_db


def _objective(cast, code, status, value, **kwargs):
    objective = make_objective(cast, code=code, **kwargs)
    QualityObjective.objects.filter(pk=objective.pk).update(
        current_status=status, current_value=value
    )
    return objective


def test_the_board_pdf_opens_and_holds_the_figures(client, cast):
    _objective(cast, "OBJ-01", "red", 70, title="On-time delivery")
    _objective(cast, "OBJ-02", "green", 99, title="Right first time")
    client.force_login(cast.alice)
    response = client.get(reverse("dashboard:board-pdf", args=["acme-test"]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="acme-test-board-' in response["Content-Disposition"]
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "Board report" in text or "board report" in text
    assert "1 off track" in text
    assert "OBJ-01 On-time delivery" in text
    assert "Acme Test Ltd" in text and "Controlled copy" in text


def test_the_board_pdf_follows_the_filters(client, cast):
    from qms.core.models import OrgUnit

    plant = OrgUnit.objects.get(organization=cast.org_a, code="A1")
    _objective(cast, "OBJ-01", "red", 70)
    _objective(cast, "OBJ-02", "green", 99, unit=plant)
    client.force_login(cast.alice)
    url = reverse("dashboard:board-pdf", args=["acme-test"]) + f"?unit={plant.pk}"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(client.get(url).content)).pages)
    assert "OBJ-02" in text and "OBJ-01" not in text
    assert "Plant One" in text


def test_every_table_downloads_as_xlsx_with_text_kept_as_text(client, cast):
    _objective(cast, "OBJ-01", "red", 70, title='=HYPERLINK("http://evil","x")')
    client.force_login(cast.quinn)
    response = client.get(reverse("dashboard:board-xlsx", args=["acme-test"]))
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == [
        "Headline figures", "Objectives", "KPI trends", "Management reviews",
        "Actions closed per month", "Open actions by age", "Accountability", "Resources",
        "Staff pulse survey",
    ]  # fmt: skip
    sheet = book["Objectives"]
    assert sheet["A2"].value == "OBJ-01"
    assert sheet["B2"].value == '=HYPERLINK("http://evil","x")'
    assert sheet["B2"].data_type == "s"  # a string, not a formula


def test_strangers_get_no_board_pack(client, cast):
    client.force_login(cast.bob)
    assert client.get(reverse("dashboard:board-pdf", args=["acme-test"])).status_code == 404
    assert client.get(reverse("dashboard:board-xlsx", args=["acme-test"])).status_code == 404


def test_the_workbook_holds_numbers_and_dates_not_text(client, cast):
    objective = _objective(cast, "OBJ-01", "red", 70)
    # Every month of the period has its value: a missing one would leave "no data" at its end.
    add_values(objective, dict.fromkeys(("2026-01-31", "2026-02-28", "2026-03-31"), "96.5"))
    recompute_all(cast.org_a.pk)
    client.force_login(cast.quinn)
    url = reverse("dashboard:board-xlsx", args=["acme-test"])
    book = load_workbook(io.BytesIO(client.get(url, {"period": "custom", "start": "2026-01-01",
                                                     "end": "2026-03-31"}).content))  # fmt: skip
    value, target, percent = (book["Objectives"].cell(2, c) for c in (6, 7, 8))
    assert value.value == pytest.approx(96.5) and value.data_type == "n"
    assert value.number_format == '#,##0.0"%"'  # shown as "96.5%", summed as 96.5
    assert target.value == 95 and percent.value == pytest.approx(101.6, abs=0.1)
    trend = book["KPI trends"]
    assert trend["B2"].is_date and trend["B2"].value.date() == datetime.date(2026, 1, 31)
    assert trend["C2"].value == pytest.approx(96.5)
    closed = book["Actions closed per month"]
    # Each row of the table (its notes follow after an empty row).
    dates = [closed.cell(r, 1) for r in range(2, closed.max_row + 1)]
    dates = dates[: [c.value for c in dates].index(None)]
    assert dates and all(c.is_date for c in dates)
    assert book["Headline figures"]["B2"].data_type == "n"


def test_the_board_pdf_carries_every_panel_of_the_page(client, cast):
    objective = _objective(cast, "OBJ-01", "red", 70)
    quinn = Membership.objects.get(user=cast.quinn)
    alice = Membership.objects.get(user=cast.alice)
    today = timezone.localdate()
    requested = resources.allocation_request(
        membership=quinn, kind="people", title="Inspector", objective=objective,
        amount=Decimal("0.50"), unit="FTE",
        period_start=today.replace(day=1), period_end=today + datetime.timedelta(days=60),
    )  # fmt: skip
    resources.allocation_decide(allocation=requested, approver=alice, approve=True)
    client.force_login(cast.quinn)
    content = client.get(reverse("dashboard:board-pdf", args=["acme-test"])).content
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    for heading in (
        "Objectives: attainment of target", "Accountability", "KPI trends",
        "Management reviews: planned vs held", "Actions closed per month",
        "Open actions by age", "Resources: requested, approved and spent", "Staff pulse survey",
    ):  # fmt: skip
        assert heading in text, heading
    # Not rounded to "1"; said as a person says it, not "0.50 of 0.50 FTE approved, 0.00 spent".
    assert "0.50 FTE approved (all that was requested), none of it spent yet" in text
    # The footer names the organisation once, then what part of it the copy covers.
    assert "Acme Test Ltd · Board report · whole organisation, " in " ".join(text.split())


def test_the_pdf_attainment_chart_writes_each_objective_label_whole():
    label = "OBJ-12 Machine availability (OEE availability) on both machining lines"
    svg = attainment_bars([(label, 93.0, "red"), ("OBJ-01 Short", 100.0, "green")])
    lines = re.findall(r"<tspan[^>]*>([^<]*)</tspan>", svg)
    assert " ".join(lines[:-1]) == label and lines[-1] == "OBJ-01 Short"


def test_the_pdf_action_charts_tick_on_whole_numbers_and_write_each_total():
    stacks = [("Closed on time", "#1e7b45", [1, 2]), ("Closed late", "#b3261e", [0, 1])]
    svg = stacked_columns(["Nov 26", "Dec 26"], stacks)
    ticks = re.findall(r'text-anchor="end">([^<]*)</text>', svg)
    assert ticks == ["0", "1", "2", "3"]
    assert ">3</text>" in svg and "Closed late" in svg  # total above the column, legend in words


def test_the_pdf_survey_chart_names_every_group_whole_and_leaves_a_gap_for_a_folded_group():
    svg = line_series(
        ["Round 1 (Mar 2026)", "Round 2 (Jun 2026)", "Round 3 (Sep 2026)"],
        [("Whole organisation", [3.0, 4.1, 4.0]), ("Leeds Assembly", [3.1, None, 4.1])],
        low=1,
        high=5,
    )
    assert "Whole organisation</text>" in svg and "Leeds Assembly</text>" in svg
    assert "Round 3 (Sep 2026)</text>" in svg
    assert svg.count("<polyline") == 3  # Leeds: two separate pieces around the folded round
