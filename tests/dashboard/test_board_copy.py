"""A board copy is the organisation's results, not the viewer's: an executive and the quality
manager who export the same filters get the same objectives and figures in the PDF, the
workbook and the CSVs. An executive's own objectives are a filter, labelled as theirs."""

import datetime
import io
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from objectives.periods import month_end
from objectives.rollups import recompute_all
from qms.core.roles import Role
from tests.factories import MembershipFactory, UserFactory
from tests.objectives.factories import add_values, make_objective

pytestmark = pytest.mark.django_db
SLUG = "acme-test"


def _last_month_ends(count: int) -> list[datetime.date]:
    end = month_end(timezone.localdate().replace(day=1) - datetime.timedelta(days=1))
    ends = []
    for _ in range(count):
        ends.append(end)
        end = month_end(end.replace(day=1) - datetime.timedelta(days=1))
    return sorted(ends)


@pytest.fixture
def results(cast, members):
    """alice answers for two objectives on track; olivia for three off track."""
    olivia = MembershipFactory(
        user=UserFactory(username="olivia", first_name="Olivia"),
        organization=cast.org_a,
        role=Role.EXECUTIVE,
    )
    months = _last_month_ends(4)
    for code, executive, value in [
        ("OBJ-01", members["alice"], 97),
        ("OBJ-02", members["alice"], 99),
        ("OBJ-03", olivia, 70),
        ("OBJ-04", olivia, 75),
        ("OBJ-05", olivia, 80),
    ]:
        objective = make_objective(
            cast, code=code, accountable_executive=executive, owner=executive
        )
        add_values(objective, dict.fromkeys(months, value))
    recompute_all(cast.org_a.pk)
    return olivia


def _get(client, user, name, *args, query=""):
    client.force_login(user)
    response = client.get(reverse(f"dashboard:{name}", args=[SLUG, *args]) + query)
    assert response.status_code == 200
    return response


def _pdf_text(content: bytes) -> str:
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    # Only the footer's "made <when>" may differ between two copies.
    return re.sub(r"made \d+ \w+ \d{4} \d\d:\d\d", "made …", text)


def _workbook(content: bytes) -> dict:
    book = load_workbook(io.BytesIO(content))
    return {
        sheet.title: [[cell.value for cell in row] for row in sheet.iter_rows()] for sheet in book
    }


def test_the_executive_and_the_quality_manager_get_the_same_board_pdf(client, cast, results):
    by_executive = _pdf_text(_get(client, cast.alice, "board-pdf").content)
    by_quality_manager = _pdf_text(_get(client, cast.quinn, "board-pdf").content)
    assert by_executive == by_quality_manager
    # The off-track objectives the executive is not accountable for are in her copy too.
    for code in ("OBJ-03", "OBJ-04", "OBJ-05"):
        assert by_executive.count(code) >= 2  # the attainment chart and the KPI trends


def test_the_executive_and_the_quality_manager_get_the_same_workbook_and_csvs(
    client, cast, results
):
    assert _workbook(_get(client, cast.alice, "board-xlsx").content) == _workbook(
        _get(client, cast.quinn, "board-xlsx").content
    )
    for table in ("objectives", "kpi-trends", "headline", "accountability"):
        by_executive = _get(client, cast.alice, "table-csv", table).content
        assert by_executive == _get(client, cast.quinn, "table-csv", table).content, table
    trends = _get(client, cast.alice, "table-csv", "kpi-trends").content.decode()
    assert {"OBJ-03", "OBJ-04", "OBJ-05"} <= {line.split(",")[0] for line in trends.splitlines()}


def test_the_kpi_trends_say_what_they_show_and_are_the_same_on_everyones_page(
    client, cast, results
):
    executive = _get(client, cast.alice, "dashboard")
    quality_manager = _get(client, cast.quinn, "dashboard")
    codes = [s.objective.code for s in executive.context["data"].kpi_series]
    assert codes == [s.objective.code for s in quality_manager.context["data"].kpi_series]
    assert codes[:3] == ["OBJ-03", "OBJ-04", "OBJ-05"]  # worst first, whoever looks
    summary = executive.context["panels"]["kpi-trends"].summary
    assert "furthest from target in these filters, worst first" in summary
    # The executive is offered her own objectives, as a filter anyone could open.
    assert "Show only your objectives" in executive.content.decode()
    assert "Show only your objectives" not in quality_manager.content.decode()


def test_an_executive_choosing_her_own_objectives_sees_them_labelled_as_hers(
    client, cast, members, results
):
    query = f"?executive={members['alice'].pk}"
    page = _get(client, cast.alice, "dashboard", query=query)
    text = page.content.decode()
    assert "Trends: your objectives" in text
    assert "Show all executives' objectives" in text
    assert [s.objective.code for s in page.context["data"].kpi_series] == ["OBJ-01", "OBJ-02"]
    # The same address opened by the quality manager: the same objectives, named as Alice's.
    other = _get(client, cast.quinn, "dashboard", query=query)
    assert [s.objective.code for s in other.context["data"].kpi_series] == ["OBJ-01", "OBJ-02"]
    assert "your objectives" not in other.content.decode()
    assert "those Alice Test is accountable for" in other.context["panels"]["kpi-trends"].summary
