"""The headline tiles show figures with the decimals they have."""

import datetime
import re
from decimal import Decimal as D

import pytest
from django.urls import reverse
from django.utils import timezone

from leadership.models import ResourceAllocation
from qms.core.models import Membership, OrgUnit

pytestmark = pytest.mark.django_db
URL = reverse("dashboard:dashboard", args=["acme-test"])


def test_the_resources_tile_shows_half_an_fte_as_half(client, cast):
    alice = Membership.objects.get(user=cast.alice)
    unit = OrgUnit.objects.get(organization=cast.org_a, code="A")
    year = timezone.localdate().year
    for amount, measure in ((D("0.50"), "FTE"), (D("25700.00"), "GBP")):
        ResourceAllocation.objects.create(
            organization=cast.org_a,
            org_unit=unit,
            kind="people" if measure == "FTE" else "budget",
            title=f"{measure} for the audit programme",
            amount=amount,
            unit=measure,
            period_start=datetime.date(year, 1, 1),
            period_end=datetime.date(year, 12, 31),
            status="approved",
            requested_by=alice,
            decided_by=alice,
        )
    client.force_login(cast.alice)
    html = client.get(URL).content.decode()
    tile = re.sub(r"\s+", " ", html[html.index('id="tile-resources"') :][:800])
    # Half a person, not one (it was rounded to "1"); each amount says what it is, and
    # nothing spent is not written as a meaningless "/ 0".
    assert "0.50 <small>FTE approved</small>" in tile
    assert "25,700 <small>GBP approved</small>" in tile
    assert "/ 0" not in tile


@pytest.mark.parametrize(("days", "reads"), [(1, "1 day<"), (-1, "1 day late<")])
def test_the_next_review_tile_counts_one_day_in_the_singular(client, cast, days, reads):
    from reviews.services import management_reviews

    quinn = Membership.objects.get(user=cast.quinn)
    planned_on = timezone.localdate() + datetime.timedelta(days=days)
    management_reviews.review_plan(membership=quinn, planned_on=planned_on, title="Q4 review")
    client.force_login(cast.alice)
    html = client.get(URL).content.decode()
    assert reads in html and "1 days" not in html
