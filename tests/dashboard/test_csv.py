"""Each chart's numbers download as CSV, with the page's filters, safe to open in a
spreadsheet."""

import csv
import io

import pytest
from django.urls import reverse

from qms.core.models import OrgUnit
from tests.objectives.factories import make_objective

pytestmark = pytest.mark.django_db


def _csv(client, table, query=""):
    response = client.get(reverse("dashboard:table-csv", args=["acme-test", table]) + query)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    # The table, then after an empty line its notes (period, scope, what is today's).
    return rows[: rows.index([])]


def test_objectives_csv_lists_each_objective_with_its_status(client, cast):
    make_objective(cast, code="OBJ-01", title="On-time delivery")
    client.force_login(cast.audrey)
    rows = _csv(client, "objectives")
    assert rows[0][:5] == ["Code", "Objective", "Unit", "Accountable executive", "Status"]
    assert rows[1][:2] == ["OBJ-01", "On-time delivery"]
    assert rows[1][4] == "No data"


def test_a_title_written_as_a_formula_is_neutralised(client, cast):
    make_objective(cast, code="OBJ-01", title='=HYPERLINK("http://evil","x")')
    client.force_login(cast.alice)
    rows = _csv(client, "objectives")
    assert rows[1][1] == '\'=HYPERLINK("http://evil","x")'


@pytest.mark.parametrize("separator", [",", ";", "\t"])
@pytest.mark.parametrize(
    "title", ["Accuracy;=2*21", "Accuracy,=2*21", "Accuracy\t=2*21", "Accuracy; @SUM(A1)",
              'Scrap;"+1+cmd|\' /C calc\'!A0"', "Scrap\r\n-2+3"],
)  # fmt: skip
def test_a_formula_after_a_separator_stays_text_in_every_locale(client, cast, title, separator):
    # Excel opens a CSV with the locale's list separator: ";" in Germany or France.
    make_objective(cast, code="OBJ-01", title=title)
    client.force_login(cast.alice)
    response = client.get(reverse("dashboard:table-csv", args=["acme-test", "objectives"]))
    text = response.content.decode()
    cells = [c for row in csv.reader(io.StringIO(text), delimiter=separator) for c in row]
    starts = [c.lstrip(' "')[:1] for c in cells]
    assert not set(starts) & {"=", "+", "-", "@"}, cells


def test_csv_follows_the_filters(client, cast):
    plant = OrgUnit.objects.get(organization=cast.org_a, code="A1")
    make_objective(cast, code="OBJ-01")
    make_objective(cast, code="OBJ-02", unit=plant)
    client.force_login(cast.alice)
    assert [r[0] for r in _csv(client, "objectives", f"?unit={plant.pk}")[1:]] == ["OBJ-02"]


def test_every_table_on_the_page_downloads(client, cast):
    client.force_login(cast.alice)
    for table in ("objectives", "kpi-trends", "reviews", "action-closure", "open-actions",
                  "accountability"):  # fmt: skip
        assert _csv(client, table)[0]


def test_an_unknown_table_is_404(client, cast):
    client.force_login(cast.alice)
    url = reverse("dashboard:table-csv", args=["acme-test", "salaries"])
    assert client.get(url).status_code == 404


def test_the_page_shows_the_30_furthest_from_target_and_the_csv_has_them_all(client, cast):
    from decimal import Decimal

    from objectives.models import QualityObjective

    for n in range(1, 36):
        objective = make_objective(cast, code=f"OBJ-{n:02}")
        # OBJ-01 is furthest from its target of 95 (value 51), OBJ-35 nearest (value 85).
        QualityObjective.objects.filter(pk=objective.pk).update(
            current_value=Decimal(50 + n), current_status="red"
        )
    client.force_login(cast.alice)
    page = client.get(reverse("dashboard:dashboard", args=["acme-test"])).content.decode()
    assert "OBJ-01" in page and "OBJ-30" in page
    assert "OBJ-31" not in page
    assert "5 more in the CSV" in page
    assert "35 of 35 active objectives are off track" in page
    codes = [r[0] for r in _csv(client, "objectives")[1:]]
    assert codes == [f"OBJ-{n:02}" for n in range(1, 36)]
