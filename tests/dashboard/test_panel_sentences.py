"""The dashboard's panel sentences agree in number and say what the accountability table
covers (try-out findings: "1 actions open", "1 executives answer for", and the table read as
Sheffield's under a Sheffield filter when it is the whole organisation's, today)."""

import datetime
from types import SimpleNamespace

import pytest
from django.urls import reverse

from qms.core.actions.selectors import ActionsSummary
from qms.dashboard import tables

D = datetime.date


def _months(closed: int, open_at_end: int):
    return [
        ActionsSummary(
            start=D(2026, 11, 1), end=D(2026, 11, 30), as_of=D(2026, 11, 30), raised=1,
            closed=closed, closed_on_time=closed, open_at_end=open_at_end,
            open_by_age={"0-30": open_at_end},
        )
    ]  # fmt: skip


def _data(closed=1, open_at_end=1, reviews=()):
    return SimpleNamespace(
        action_months=_months(closed, open_at_end),
        actions=SimpleNamespace(overdue_at_end=0, as_of=D(2026, 11, 30)),
        as_of=None,
        actions_scope_label="whole organisation",
        reviews=list(reviews),
        today=D(2026, 12, 3),
    )


@pytest.mark.parametrize(("n", "word"), [(1, "1 action "), (2, "2 actions ")])
def test_action_sentences_agree_in_number(n, word):
    assert tables.action_closure_panel(_data(closed=n)).summary.startswith(f"{word}closed")
    assert tables.open_actions_panel(_data(open_at_end=n)).summary.startswith(f"{word}open")


def test_one_review_held_on_time_reads_in_the_singular():
    held = {"reference": "MR-001", "planned_on": D(2026, 9, 1), "held_on": D(2026, 9, 1),
            "days_late": 0, "status": "signed_off"}  # fmt: skip
    summary = tables.reviews_panel(_data(reviews=[held])).summary
    assert summary == "1 of the 1 review held since Sep 2026 was on time."


@pytest.fixture
def demo(django_db_setup, django_db_blocker):
    from tests.seeded import demo_for_module

    with demo_for_module(django_db_blocker) as context:
        yield context


@pytest.mark.django_db
def test_the_accountability_table_says_it_is_the_whole_organisation_today(client, demo):
    client.force_login(demo.members["quality"].user)
    sheffield, eleanor = demo.units["SHF"], demo.members["executive"]
    url = reverse("dashboard:dashboard", args=["acme"])
    page = client.get(url, {"unit": sheffield.pk, "period": "quarter"}).content.decode()
    assert (
        "Today, for the whole of Acme Precision Ltd (not only Sheffield Machining), whatever the "
        "period:" in page
    )
    assert "Policy approvals to date" in page and "Reviews attended to date" in page
    page = client.get(url, {"executive": eleanor.pk}).content.decode()
    assert "Today, for Eleanor Hart, across Acme Precision Ltd, whatever the period: " in page
    assert "1 executive answers for" in page and "1 executives" not in page


@pytest.mark.parametrize(
    ("places", "unit", "expected"),
    [
        (0, "items", '[=1]0 "item";#,##0 "items"'),
        (1, "days", '#,##0.0 "days"'),
        (1, "%", '#,##0.0"%"'),
        (0, "ppm", '#,##0 "ppm"'),
        (0, "", "#,##0"),
    ],
)
def test_workbook_cells_read_one_in_the_singular(places, unit, expected):
    """Found by the try-out: OBJ-09's cell showed "1 items" in Excel."""
    assert tables.number_format(places, unit) == expected


@pytest.mark.django_db
def test_the_agendas_pulse_survey_line_reads_like_the_dashboards(client, demo):
    """Found by the try-out: the agenda mixed "4.1" with "4.06" and read "per closed round 3"."""
    import re

    from reviews.models import ManagementReview

    client.force_login(demo.members["quality"].user)
    held = (
        ManagementReview.objects.filter(
            organization=demo.organization,
            status="signed_off",
            inputs__data__has_key="pulse_survey",
        )
        .exclude(inputs__data__pulse_survey=[])
        .latest("held_on")
    )
    page = client.get(reverse("reviews:detail", args=["acme", held.number])).content.decode()
    line = page.split("<strong>Staff pulse survey</strong>")[1].split("</p>")[0]
    assert re.search(r"in closed rounds? \d", line) and "per closed round" not in line
    assert re.findall(r"\d\.\d", line) and not re.findall(r"\d\.\d\d", line)


def test_a_review_two_days_late_does_not_fill_the_chart():
    """Found by the try-out: the only late review, 2 days late, was a bar the chart's height."""
    from qms.dashboard import charts

    held = {"reference": "MR-006", "planned_on": D(2026, 9, 20), "held_on": D(2026, 9, 22),
            "days_late": 2, "status": "signed_off"}  # fmt: skip
    figure = charts.review_compliance_figure([held])
    top = figure["layout"]["yaxis"]["range"][1]
    assert 2 / top < 0.2
    assert figure["narrow"]["xaxis"]["range"][1] >= 14
