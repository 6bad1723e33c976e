"""The dashboard for the board: a PDF that opens and holds the figures, marked as a controlled
copy; every table as XLSX, text kept as text."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from objectives.models import QualityObjective
from tests.objectives.factories import make_objective

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
        "Objectives", "KPI trends", "Management reviews", "Actions closed per month",
        "Open actions by age", "Accountability", "Staff pulse survey",
    ]  # fmt: skip
    sheet = book["Objectives"]
    assert sheet["A2"].value == "OBJ-01"
    assert sheet["B2"].value == '=HYPERLINK("http://evil","x")'
    assert sheet["B2"].data_type == "s"  # a string, not a formula


def test_strangers_get_no_board_pack(client, cast):
    client.force_login(cast.bob)
    assert client.get(reverse("dashboard:board-pdf", args=["acme-test"])).status_code == 404
    assert client.get(reverse("dashboard:board-xlsx", args=["acme-test"])).status_code == 404
