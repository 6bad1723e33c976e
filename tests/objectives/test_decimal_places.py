"""A value with more decimals than its objective shows is refused with the same sentence in
the log form, the API and an import (one rule, `objectives.validation.value_problem`): it
would be stored and then shown rounded, 93.456 read as 93.5."""

import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from objectives.import_files import read_rows
from objectives.imports import measurements_import
from objectives.models import Measurement
from objectives.periods import month_end
from qms.core.models import Membership
from tests.objectives.factories import make_objective

pytestmark = pytest.mark.django_db
SENTENCE = "OBJ-03 takes 1 decimal place; 93.456 has 3"


@pytest.fixture
def objective(cast):
    return make_objective(
        cast, code="OBJ-03", decimal_places=1, owner=Membership.objects.get(user=cast.carl)
    )


def _last_month() -> datetime.date:
    return month_end(timezone.localdate().replace(day=1) - datetime.timedelta(days=1))


def test_the_log_form_refuses_more_decimals_than_the_objective_shows(client, cast, objective):
    client.force_login(cast.carl)
    url = reverse("objectives:log", args=["acme-test", "OBJ-03"])
    page = client.post(url, {"period_end": _last_month().isoformat(), "value": "93.456"})
    assert page.status_code == 400
    assert SENTENCE + "." in page.content.decode()
    assert not Measurement.objects.filter(objective=objective).exists()


def test_the_api_refuses_more_decimals_than_the_objective_shows(api_client, cast, objective):
    api_client.force_authenticate(cast.carl)
    body = {"objective": "OBJ-03", "period_end": _last_month().isoformat(), "value": "93.456"}
    response = api_client.post(
        reverse("measurement-list", kwargs={"org_slug": "acme-test"}), body, format="json"
    )
    assert response.status_code == 400
    assert response.json()["value"] == [SENTENCE + "."]
    assert not Measurement.objects.filter(objective=objective).exists()


def test_an_import_refuses_more_decimals_than_the_objective_shows(cast, objective):
    text = "objective_code,period_end,value\nOBJ-03,2025-01-31,93.4\nOBJ-03,2025-02-28,93.456\n"
    result = measurements_import(
        organization=cast.org_a,
        rows=read_rows(io.BytesIO(text.encode()), "values.csv"),
        user=cast.quinn,
        reason="Imported from values.csv",
    )
    assert not result.ok
    assert [e["message"] for e in result.errors] == [f"Row 3: {SENTENCE}."]
    assert not Measurement.objects.filter(objective=objective).exists()


def test_trailing_zeros_and_whole_numbers_are_not_extra_decimals(client, cast, objective):
    text = "objective_code,period_end,value\nOBJ-03,2025-01-31,93.40\nOBJ-03,2025-02-28,94\n"
    result = measurements_import(
        organization=cast.org_a,
        rows=read_rows(io.BytesIO(text.encode()), "values.csv"),
        user=cast.quinn,
        reason="Imported from values.csv",
    )
    assert result.ok, result.errors


def test_an_objective_of_whole_numbers_says_so(cast):
    from decimal import Decimal

    from objectives.validation import value_problem

    complaints = make_objective(cast, code="OBJ-04", decimal_places=0)
    assert value_problem(complaints, Decimal("2.5")) == (
        "OBJ-04 takes whole numbers; 2.5 has 1 decimal place"
    )


def test_a_spreadsheet_formula_result_is_refused_in_the_same_words(cast, objective):
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.append(["objective_code", "period_end", "value"])
    workbook.active.append(["OBJ-03", "2025-01-31", 100 / 3])  # shown as 33.3 in Excel
    data = io.BytesIO()
    workbook.save(data)
    data.seek(0)
    result = measurements_import(
        organization=cast.org_a,
        rows=read_rows(data, "values.xlsx"),
        user=cast.quinn,
        reason="Imported from values.xlsx",
    )
    assert [e["message"] for e in result.errors] == [
        "Row 2: OBJ-03 takes 1 decimal place; 33.333333 has 6."
    ]
