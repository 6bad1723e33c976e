"""The period reaches every panel and export: a period that ended before today shows each
objective as it stood at the period's end, on the page, in the CSV, the PDF and the workbook;
figures that can only be today's say so."""

import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from objectives.periods import month_end
from objectives.rollups import recompute_all
from reviews.services import management_reviews as reviews
from tests.objectives.factories import add_values, make_objective

pytestmark = pytest.mark.django_db
SLUG = "acme-test"


def _month_ends(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    ends, end = [], month_end(first)
    while end <= last:
        ends.append(end)
        end = month_end(end + datetime.timedelta(days=1))
    return ends


@pytest.fixture
def history(cast):
    """OBJ-01 was off track (80 %) through a year that ended over a year ago, and has been on
    track (97 %) every month since. OBJ-02 started after that year."""
    today = timezone.localdate()
    end = month_end(datetime.date(today.year - 2, 12, 1))  # 31 Dec, two years back
    start = datetime.date(end.year, 1, 1)
    objective = make_objective(cast, code="OBJ-01", start_date=datetime.date(end.year - 1, 1, 1))
    add_values(objective, dict.fromkeys(_month_ends(start, end), 80))
    since = _month_ends(end + datetime.timedelta(days=1), today.replace(day=1))
    add_values(objective, dict.fromkeys([e for e in since if e < today], 97))
    later = make_objective(cast, code="OBJ-02", start_date=end + datetime.timedelta(days=20))
    add_values(later, {e: 97 for e in since if e < today})
    recompute_all(cast.org_a.pk)
    return {"period": "custom", "start": start.isoformat(), "end": end.isoformat()}, end


def _get(client, cast, name, query, *args):
    client.force_login(cast.quinn)
    response = client.get(reverse(f"dashboard:{name}", args=[SLUG, *args]), query)
    assert response.status_code == 200
    return response


def test_the_status_tiles_count_objectives_as_they_stood_at_the_end_of_the_period(
    client, cast, history
):
    query, end = history
    page = _get(client, cast, "dashboard", query).content.decode()
    assert 'data-rag="red">1<' in page and 'data-rag="green">0<' in page
    assert f"on {end:%-d %b %Y}" in page  # the tile says which day the statuses are of
    assert "(today, not the period)" in page  # the next review and the policy cannot be older
    # Today: on track, and the objective that started later counts too.
    today_page = _get(client, cast, "dashboard", {}).content.decode()
    assert 'data-rag="red">0<' in today_page and 'data-rag="green">2<' in today_page


def test_the_attainment_chart_and_its_table_show_the_value_at_the_end_of_the_period(
    client, cast, history
):
    query, end = history
    panel = _get(client, cast, "dashboard", query).context["panels"]["objectives"]
    row = [str(c) for c in panel.rows[0]]
    assert row[0] == "OBJ-01" and row[4:6] == ["Off track", "80.0%"]
    assert len(panel.rows) == 1  # OBJ-02 had not started
    assert panel.figure["data"][0]["x"] == [pytest.approx(100 * 80 / 95, abs=0.1)]
    assert f"as of {end:%-d %b %Y}, the end of the period" in panel.summary


def _table(response) -> list[str]:
    """A CSV's lines up to the empty one before its notes."""
    lines = response.content.decode().splitlines()
    return lines[: lines.index("")]


def test_the_objectives_csv_follows_the_period(client, cast, history):
    query, end = history
    lines = _table(_get(client, cast, "table-csv", query, "objectives"))
    assert f"Value on {end:%-d %b %Y}" in lines[0]
    assert len(lines) == 2 and lines[1].startswith("OBJ-01,") and ",Off track,80.0%," in lines[1]
    today = _table(_get(client, cast, "table-csv", {}, "objectives"))
    assert "Current value" in today[0] and ",On track,97.0%," in today[1]


def test_the_board_pdf_follows_the_period(client, cast, history):
    query, end = history
    content = _get(client, cast, "board-pdf", query).content
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages)
    assert f"objectives' status on {end:%-d %B %Y}" in text
    assert "1 off track" in text
    assert "84% off track" in text  # 80 of 95: the bar of the period, not today's 102 %
    assert "OBJ-02" not in text


def test_the_workbook_follows_the_period(client, cast, history):
    query, end = history
    book = load_workbook(io.BytesIO(_get(client, cast, "board-xlsx", query).content))
    objectives = list(book["Objectives"].iter_rows(values_only=True))
    assert objectives[0][5] == f"Value on {end:%-d %b %Y}"
    assert objectives[1][0] == "OBJ-01" and objectives[1][4] == "Off track"
    assert objectives[1][5] == 80
    headline = {row[0]: row[1] for row in book["Headline figures"].iter_rows(values_only=True)}
    assert headline["Objectives off track"] == 1


def test_the_kpi_trends_and_their_csv_show_the_months_of_the_period(client, cast, history):
    query, end = history
    lines = _table(_get(client, cast, "table-csv", query, "kpi-trends"))
    assert lines[-1] == f"OBJ-01,{end.isoformat()},80.0%,Off track,95.0%"
    # Each small chart's title gives the status at the end of the period, not today's.
    figure = _get(client, cast, "dashboard", query).context["panels"]["kpi-trends"].figure
    assert "Off track" in str(figure["layout"]["annotations"][0])


def test_reviews_planned_after_the_period_are_not_in_it(client, cast, members, history):
    query, end = history
    inside = reviews.review_plan(
        membership=members["quinn"], planned_on=end - datetime.timedelta(days=30)
    )
    after = reviews.review_plan(
        membership=members["quinn"], planned_on=end + datetime.timedelta(days=30)
    )
    rows = _get(client, cast, "dashboard", query).context["panels"]["reviews"].rows
    assert [r[0] for r in rows] == [inside.reference]
    assert after.reference not in _get(client, cast, "table-csv", query, "reviews").content.decode()


def test_the_action_figures_of_a_past_period_are_of_its_end_not_now(client, cast, history):
    query, end = history
    panels = _get(client, cast, "dashboard", query).context["panels"]
    assert f"0 overdue on {end:%-d %b %Y}" in panels["action-closure"].summary
    assert "now" not in panels["action-closure"].summary
    assert f"open on {end:%-d %b %Y}" in panels["open-actions"].summary
    # What can only be today's says so, whatever the period (its approvals and reviews
    # attended count to date even in the last 12 months: try-out finding).
    for shown in (panels, _get(client, cast, "dashboard", {}).context["panels"]):
        summary = shown["accountability"].summary
        assert summary.startswith("Today, for the whole of Acme Test Ltd, whatever the period: ")
        assert summary.endswith("Approvals, decisions and reviews attended are counted to date.")


def test_a_past_periods_accountability_csv_says_its_columns_are_todays(client, cast, history):
    """Issue 21: the 2025 accountability CSV carried today's figures without saying so."""
    query, end = history
    text = _get(client, cast, "table-csv", query, "accountability").content.decode()
    notes = text.splitlines()[len(_table(_get(client, cast, "table-csv", query, "accountability")))
                              + 1 :]  # fmt: skip
    today = f"{timezone.localdate():%-d %b %Y}"
    assert notes[0].startswith(f"Period: 1 Jan {end.year} to 31 Dec {end.year}. Scope: ")
    assert f"The period ended on 31 Dec {end.year}: figures are as of that day" in notes[1]
    assert notes[2].startswith('"Every column (objectives by their current status')
    assert f"today's figures ({today}), whatever the period." in notes[2]


def test_every_sheet_of_a_past_periods_workbook_says_its_period_and_what_is_todays(
    client, cast, history
):
    query, end = history
    book = load_workbook(io.BytesIO(_get(client, cast, "board-xlsx", query).content))
    for sheet in book.worksheets:
        column = [row[0] for row in sheet.iter_rows(values_only=True)]
        notes = column[column.index(None) + 1 :]
        assert notes[0].startswith(f"Period: 1 Jan {end.year} to 31 Dec {end.year}."), sheet.title
        assert notes[1].startswith(f"The period ended on 31 Dec {end.year}"), sheet.title
    accountability = [row[0] for row in book["Accountability"].iter_rows(values_only=True)]
    assert "today's figures" in accountability[-1]
    assert "today's figures" in [r[0] for r in book["Resources"].iter_rows(values_only=True)][-1]
    # The months of the trends are the period's own: nothing in them is today's.
    assert "today's" not in str([r[0] for r in book["KPI trends"].iter_rows(values_only=True)])


def test_a_running_periods_csv_says_its_figures_are_todays(client, cast, history):
    text = _get(client, cast, "table-csv", {}, "open-actions").content.decode()
    assert f"figures are as of today, {timezone.localdate():%-d %b %Y}." in text


def test_the_overdue_tile_of_a_past_period_names_the_year_and_the_end_of_the_period(
    client, cast, history
):
    query, end = history
    html = _get(client, cast, "dashboard", query).content.decode()
    assert f"open on 31 Dec {end.year}, the end of the period (" in html


def test_a_custom_period_in_the_future_falls_back_and_says_why(client, cast, history):
    """Found by the try-out: 1 Jan 2099 to 31 Dec 2099 was shown "as of" today, with today's
    statuses under the future heading. It falls back, as an unknown period does, and says so;
    its exports follow."""
    future = {"period": "custom", "start": "2099-01-01", "end": "2099-12-31"}
    page = _get(client, cast, "dashboard", future).content.decode()
    assert "The custom period starts after today" in page and "showing the last 12 months" in page
    assert "1 Jan 2099" not in page
    csv = _get(client, cast, "table-csv", future, "objectives").content.decode()
    assert "2099" not in csv
