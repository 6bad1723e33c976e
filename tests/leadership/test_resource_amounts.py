"""Resource amounts are written one way wherever they are shown: amounts of one unit of
measure side by side are alike ("0.50" beside "0.00", never "0.50" beside "0"), and the
dashboard's summary says them as a person would."""

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from leadership.services import resources as rs
from qms.core.models import Membership
from qms.dashboard.tables import resources_sentence
from tests.objectives.factories import make_objective

pytestmark = pytest.mark.django_db


@pytest.fixture
def half_an_engineer(cast):
    """0.5 FTE for OBJ-01, approved by alice, nothing recorded against it."""
    people = {m.user.username: m for m in Membership.objects.filter(organization=cast.org_a)}
    objective = make_objective(cast, code="OBJ-01", owner=people["carl"])
    requested = rs.allocation_request(
        membership=people["carl"], kind="people", title="Supplier quality engineer",
        objective=objective, amount=Decimal("0.5"), unit="FTE",
        period_start=datetime.date(2026, 1, 1), period_end=datetime.date(2026, 12, 31),
    )  # fmt: skip
    return rs.allocation_decide(allocation=requested, approver=people["alice"], approve=True)


def _text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def test_the_resources_page_writes_fte_alike_in_the_totals_and_the_list(
    client, cast, half_an_engineer
):
    client.force_login(cast.quinn)
    text = _text(client.get(reverse("leadership:resources", args=["acme-test"])))
    assert "Requested 0.50 Approved 0.50 Spent 0.00" in text
    assert "0.50 FTE 0.00" in text  # the allocation's amount and its spend
    detail = reverse(
        "leadership:resource-detail", kwargs={"org_slug": "acme-test", "pk": half_an_engineer.pk}
    )
    text = _text(client.get(detail))
    assert "Amount 0.50 FTE" in text and "Spent 0.00 FTE" in text


@pytest.mark.parametrize(
    ("row", "sentence"),
    [
        ({"unit": "FTE", "requested": Decimal("0.5"), "approved": Decimal("0.5"),
          "spent": Decimal("0")},
         "0.50 FTE approved (all that was requested), none of it spent yet"),
        ({"unit": "GBP", "requested": Decimal("60700"), "approved": Decimal("25700"),
          "spent": Decimal("12600")},
         "25,700 GBP approved of 60,700 requested, 12,600 of it spent"),
        ({"unit": "GBP", "requested": Decimal("5000"), "approved": Decimal("0"),
          "spent": Decimal("0")},
         "none of 5,000 GBP requested approved yet"),
    ],
)  # fmt: skip
def test_the_dashboards_resources_summary_reads_as_a_person_says_it(row, sentence):
    assert resources_sentence(row) == sentence
