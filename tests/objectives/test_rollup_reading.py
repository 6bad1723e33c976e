"""A quarter or year that is not whole never reads as if it were, and a summed KPI says what was
judged against what: on the objective page, and in the API."""

import datetime
from decimal import Decimal as D
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone

from objectives import rollups
from objectives.models import KpiRollup, QualityObjective
from tests.objectives.factories import add_values, make_objective

pytestmark = pytest.mark.django_db


def url(name, **kwargs):
    return reverse(name, kwargs={"org_slug": "acme-test", **kwargs})


def _rollup(objective, granularity, end):
    return KpiRollup.objects.get(
        objective=objective, granularity=granularity, period_end=datetime.date.fromisoformat(end)
    )


@pytest.fixture
def returns(cast):
    """Customer returns a month, summed: at most 8 a month is on track."""
    objective = make_objective(
        cast,
        code="OBJ-21",
        title="Customer returns",
        decimal_places=0,
        direction="lower",
        target=D("6"),
        amber_threshold=D("8"),
        red_threshold=D("10"),
        aggregation="sum",
        valid_min=None,
        valid_max=None,
        start_date=datetime.date(2025, 1, 1),
    )
    # (make_objective's `unit` is the org unit; the KPI's unit of measure is set here.)
    QualityObjective.objects.filter(pk=objective.pk).update(unit="returns")
    objective.refresh_from_db()
    add_values(objective, {"2025-07-31": 7, "2025-08-31": 6, "2025-09-30": 9, "2025-10-31": 5})
    return objective


def test_a_quarter_with_one_month_of_three_says_so_and_that_it_runs(cast, returns):
    today = datetime.date(2025, 11, 20)
    rollups.recompute_all(cast.org_a.id, today=today)
    reading = rollups.rollup_reading(returns, _rollup(returns, "quarter", "2025-12-31"), today)
    assert (reading.values, reading.expected, reading.complete) == (1, 3, False)
    assert reading.coverage == "1 of 3 months, in progress"
    whole = rollups.rollup_reading(returns, _rollup(returns, "quarter", "2025-09-30"), today)
    assert whole.complete and whole.coverage == ""


def test_a_running_year_says_how_many_of_its_ended_months_are_missing(cast, returns):
    """Found by the try-out: "7 of 12 months, in progress" read as if the rest were pending,
    with three months due and never logged."""
    today = datetime.date(2025, 11, 20)
    rollups.recompute_all(cast.org_a.id, today=today)
    reading = rollups.rollup_reading(returns, _rollup(returns, "year", "2025-12-31"), today)
    # January to October have ended (November not yet): 10, of which 4 have a value.
    assert reading.coverage == "4 of 12 months, 6 due and missing, in progress"


def test_an_ended_year_missing_months_says_how_many_it_has(cast, returns):
    # The objective started in January: 2025 should hold 12 months, it holds 4.
    today = datetime.date(2026, 3, 1)
    rollups.recompute_all(cast.org_a.id, today=today)
    reading = rollups.rollup_reading(returns, _rollup(returns, "year", "2025-12-31"), today)
    assert reading.coverage == "4 of 12 months"
    assert reading.period == "2025"


def test_a_summed_quarter_says_it_was_judged_on_its_monthly_average(cast, returns):
    today = datetime.date(2025, 11, 20)
    rollups.recompute_all(cast.org_a.id, today=today)
    q3 = _rollup(returns, "quarter", "2025-09-30")
    assert (q3.value, q3.status) == (D("22"), "green")
    reading = rollups.rollup_reading(returns, q3, today)
    assert reading.judged_value == D("7.333333")
    assert reading.judged == "7.3 a month on average; on track ≤ 8, off track > 10 a month"


def test_the_objective_page_shows_partial_periods_and_what_a_sum_was_judged_on(
    client, cast, returns
):
    rollups.recompute_all(cast.org_a.id, today=timezone.localdate())
    client.force_login(cast.alice)
    html = client.get(url("objectives:detail", code="OBJ-21")).content.decode()
    table = html[html.index('id="rollup-table"') :]
    table = unescape(table[: table.index("</table>")])
    # Q3 2025 is whole; Q4 2025 has October only; 2025 has 4 of its 12 months.
    assert "Q3 2025" in table and "22 returns" in table
    assert "7.3 a month on average; on track ≤ 8, off track > 10 a month" in table
    assert 'Q4 2025<br><span class="small text-secondary">1 of 3 months</span>' in table
    assert "4 of 12 months" in table


def test_the_api_says_how_complete_a_rollup_is(api_client, cast, returns):
    rollups.recompute_all(cast.org_a.id, today=timezone.localdate())
    api_client.force_authenticate(cast.alice)
    data = api_client.get(
        url("rollup-list"), {"objective": "OBJ-21", "granularity": "quarter"}
    ).json()
    by_end = {row["period_end"]: row for row in data["results"]}
    q3, q4 = by_end["2025-09-30"], by_end["2025-12-31"]
    assert (q3["measurement_count"], q3["periods_expected"], q3["complete"]) == (3, 3, True)
    assert q3["value"] == "22" and q3["judged_value"] == "7.333333"
    assert (q4["complete"], q4["coverage"]) == (False, "1 of 3 months")


@pytest.fixture
def started_in_november(cast):
    """An objective that started in November 2023 (as the demo's do): 2023 holds two months."""
    objective = make_objective(
        cast, code="OBJ-23", title="Late starter", start_date=datetime.date(2023, 11, 1)
    )
    add_values(objective, {"2023-11-30": 90, "2023-12-31": 91, "2024-01-31": 92})
    return objective


def test_a_year_the_objective_started_in_part_way_reads_as_partial_not_whole(
    cast, started_in_november
):
    """2023 read as a whole year judged on its last two months (issue 21: the demo's first
    year, begun in November, was labelled like a complete one)."""
    today = datetime.date(2024, 2, 20)
    rollups.recompute_all(cast.org_a.id, today=today)
    objective = started_in_november
    year = rollups.rollup_reading(objective, _rollup(objective, "year", "2023-12-31"), today)
    assert year.coverage == "2 of 12 months; the objective started in November 2023"
    quarter = rollups.rollup_reading(objective, _rollup(objective, "quarter", "2023-12-31"), today)
    assert quarter.coverage == "2 of 3 months; the objective started in November 2023"
    # A whole quarter after the start reads as before: nothing to say.
    january = rollups.rollup_reading(objective, _rollup(objective, "month", "2024-01-31"), today)
    assert january.coverage == ""


def test_the_objective_page_and_api_label_the_part_year(
    client, api_client, cast, started_in_november
):
    rollups.recompute_all(cast.org_a.id, today=timezone.localdate())
    client.force_login(cast.alice)
    html = client.get(url("objectives:detail", code="OBJ-23")).content.decode()
    table = html[html.index('id="rollup-table"') :]
    table = unescape(table[: table.index("</table>")])
    assert (
        '2023<br><span class="small text-secondary">2 of 12 months; the objective started in '
        "November 2023</span>" in table
    )
    api_client.force_authenticate(cast.alice)
    data = api_client.get(url("rollup-list"), {"objective": "OBJ-23", "granularity": "year"}).json()
    by_end = {row["period_end"]: row for row in data["results"]}
    assert by_end["2023-12-31"]["coverage"].startswith("2 of 12 months; the objective started")


def test_an_average_is_written_as_every_average_is_whatever_the_objectives_decimals(cast, returns):
    """The forecast wrote an average of a one-decimal KPI with one decimal, the rollup with
    two ("7.33 a month"): one rule (`average_places`) for both."""
    returns.decimal_places = 1
    returns.save(update_fields=["decimal_places"])
    today = datetime.date(2025, 11, 20)
    rollups.recompute_all(cast.org_a.id, today=today)
    reading = rollups.rollup_reading(returns, _rollup(returns, "quarter", "2025-09-30"), today)
    assert reading.judged.startswith("7.3 a month on average; on track ≤ 8.0")
