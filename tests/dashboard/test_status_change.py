"""The status tile's "change" compares each objective's latest judged period with the one
before: a value that is not yet due never counts as a change, and the objectives that did
change are named."""

import datetime
import re
from decimal import Decimal as D

import pytest
import time_machine
from django.urls import reverse

from objectives import rollups
from tests.objectives.factories import add_values, make_objective

pytestmark = pytest.mark.django_db
URL = reverse("dashboard:dashboard", args=["acme-test"])
# 3 November 2026: September's values were due on 10 October; October's are due on 10 November.
TODAY = datetime.date(2026, 11, 3)


def _objective(cast, code, values, **fields):
    fields.setdefault("start_date", datetime.date(2026, 1, 1))
    objective = make_objective(cast, code=code, title=f"Objective {code}", **fields)
    add_values(objective, values)
    return objective


@pytest.fixture
def organisation(cast):
    # Five objectives red for months (green at 93 % and above, red below 90 %); one of them
    # already has October's value, before it is due.
    for n in range(1, 6):
        values = {"2026-08-31": 80, "2026-09-30": 81}
        _objective(cast, f"OBJ-0{n}", values | ({"2026-10-31": 82} if n == 1 else {}))
    # Green in August, off track in September.
    _objective(cast, "OBJ-06", {"2026-08-31": 96, "2026-09-30": 85})
    # Green in August, September's value missing (due 10 October): no data.
    _objective(cast, "OBJ-07", {"2026-08-31": 97})
    # Started in October: nothing to compare yet.
    _objective(cast, "OBJ-08", {}, start_date=datetime.date(2026, 10, 1))
    rollups.recompute_all(cast.org_a.id, today=TODAY)


def _tile(html: str) -> str:
    start = html.index('id="tile-objectives"')
    return html[start : html.index("</section>", start)]


def test_long_red_objectives_and_values_not_yet_due_are_no_change(client, cast, organisation):
    client.force_login(cast.alice)
    with time_machine.travel(datetime.datetime(2026, 11, 3, 12, tzinfo=datetime.UTC)):
        response = client.get(URL)
    data = response.context["data"]
    # Only OBJ-06 (on track → off track) and OBJ-07 (on track → no data) changed.
    assert data.rag_change == {"green": -2, "amber": 0, "red": 1, "no_data": 1}
    assert [(c.code, c.before, c.after) for c in data.status_change.changes] == [
        ("OBJ-06", "green", "red"),
        ("OBJ-07", "green", "no_data"),
    ]
    tile = re.sub(r"\s+", " ", _tile(response.content.decode()))
    assert (
        "Change: September 2026 vs August 2026 (6 objectives); "
        "October 2026 vs September 2026 (1 objective)" in tile
    )
    assert "or a later one whose value came early" in tile
    assert "waiting for a value that is not yet due is not counted as a change" in tile
    assert "1 objective too new to compare" in tile
    assert (
        '/o/acme-test/objectives/OBJ-06/" title="Objective OBJ-06">OBJ-06</a> on track → off track'
        in tile
    )
    assert "OBJ-07</a> on track → no data" in tile
    assert "OBJ-01" not in tile


def test_no_change_says_so(client, cast):
    _objective(cast, "OBJ-01", {"2026-08-31": 96, "2026-09-30": 97}, target=D("95"))
    rollups.recompute_all(cast.org_a.id, today=TODAY)
    client.force_login(cast.alice)
    with time_machine.travel(datetime.datetime(2026, 11, 3, 12, tzinfo=datetime.UTC)):
        html = client.get(URL).content.decode()
    tile = re.sub(r"\s+", " ", _tile(html))
    assert "Change: September 2026 vs August 2026 (each objective" in tile
    assert "No objective changed status." in tile


def test_a_quarterly_objective_compares_quarters(client, cast):
    _objective(cast, "OBJ-01", {"2026-06-30": 96, "2026-09-30": 85}, frequency="quarterly")
    rollups.recompute_all(cast.org_a.id, today=TODAY)
    client.force_login(cast.alice)
    with time_machine.travel(datetime.datetime(2026, 11, 3, 12, tzinfo=datetime.UTC)):
        html = client.get(URL).content.decode()
    tile = re.sub(r"\s+", " ", _tile(html))
    assert "Change: Q3 2026 vs Q2 2026 (each objective" in tile
    assert "OBJ-01</a> on track → off track" in tile


def test_a_new_objective_is_named_new_not_counted_as_a_change(client, cast):
    """Found by the try-out: an objective whose first value arrived counted as a change out of
    "no data" in the tile; it had no status before, so it is new."""
    _objective(cast, "OBJ-01", {"2026-08-31": 96, "2026-09-30": 97}, target=D("95"))
    # Set up with a start date in January, its first value is September's.
    _objective(cast, "OBJ-02", {"2026-09-30": 80}, target=D("95"))
    # Set up without any value yet.
    _objective(cast, "OBJ-03", {}, target=D("95"))
    rollups.recompute_all(cast.org_a.id, today=TODAY)
    client.force_login(cast.alice)
    with time_machine.travel(datetime.datetime(2026, 11, 3, 12, tzinfo=datetime.UTC)):
        response = client.get(URL)
    data = response.context["data"]
    assert data.rag_change == {"green": 0, "amber": 0, "red": 0, "no_data": 0}
    tile = re.sub(r"\s+", " ", _tile(response.content.decode()))
    assert "September 2026 vs August 2026 (each objective" in tile
    assert "2 objectives too new to compare (started since, or no value before)" in tile
    assert "No objective changed status." in tile
    assert "OBJ-02</a> new: off track" in tile
    assert "OBJ-03</a> new: no value yet" in tile
    assert "→" not in tile
    counts = dict(re.findall(r'data-rag="(\w+)">(\d+)</strong>', tile))
    assert counts == {"green": "1", "amber": "0", "red": "1", "no_data": "1"}
