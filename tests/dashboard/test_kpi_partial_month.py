"""A weekly KPI's trend on the dashboard leaves out the month not over yet: its first weeks
would read as the whole month."""

import datetime
import re

import pytest
import time_machine
from django.urls import reverse

from objectives import rollups
from tests.objectives.factories import add_values, make_objective

pytestmark = pytest.mark.django_db
URL = reverse("dashboard:dashboard", args=["acme-test"])


def test_the_month_not_over_is_left_out_of_a_weekly_trend_and_said(client, cast):
    objective = make_objective(
        cast, code="OBJ-01", frequency="weekly", start_date=datetime.date(2026, 10, 5)
    )
    # Weeks ending on Sundays: four in November, two so far in December.
    add_values(
        objective,
        {
            "2026-11-08": 96, "2026-11-15": 97, "2026-11-22": 95, "2026-11-29": 96,
            "2026-12-06": 80, "2026-12-13": 81,
        },
    )  # fmt: skip
    today = datetime.date(2026, 12, 20)
    rollups.recompute_all(cast.org_a.id, today=today)
    with time_machine.travel(datetime.datetime(2026, 12, 20, 12, tzinfo=datetime.UTC)):
        client.force_login(cast.alice)
        response = client.get(URL)
    panel = response.context["panels"]["kpi-trends"]
    months = [str(row[1]) for row in panel.rows]
    assert "2026-11-30" in months and "2026-12-31" not in months
    assert "December 2026 is left out until it ends" in panel.summary
    html = re.sub(r"\s+", " ", response.content.decode())
    assert "December 2026 is left out until it ends" in html
