"""A value an earlier review saw as missing may still arrive: the next review's agenda lists it
as arrived after that review, and once the next review is held it protects it too."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from objectives.models import Measurement
from objectives.services import measurement_record
from reviews.services import management_reviews as s
from tests.objectives.factories import add_values, make_objective

pytestmark = pytest.mark.django_db

D = datetime.date


def test_the_next_agenda_lists_a_value_that_arrived_after_the_review(client, cast, members):
    objective = make_objective(cast, code="OBJ-01")
    add_values(objective, {"2026-01-31": 96})
    first = s.review_plan(membership=members["quinn"], planned_on=D(2026, 3, 31), title="Q1")
    s.review_prepare(review=first, membership=members["quinn"], today=D(2026, 4, 14))
    first = s.review_hold(
        review=first, membership=members["quinn"], held_on=D(2026, 4, 14), today=D(2026, 4, 14)
    )
    # March was due on 10 April and missing when the review was held: its value arrives later.
    measurement_record(
        objective=objective, period_end=D(2026, 3, 31), value=Decimal("94"), actor=cast.carl
    )
    second = s.review_plan(membership=members["quinn"], planned_on=D(2026, 6, 30), title="Q2")
    s.review_prepare(review=second, membership=members["quinn"], today=D(2026, 6, 20))
    data = second.inputs.get(key="c_objectives").data
    assert data["arrived_after_review"] == [
        {"code": "OBJ-01", "period": "March 2026", "period_end": "2026-03-31",
         "value_text": "94.0%", "review": first.reference}
    ]  # fmt: skip
    client.force_login(cast.quinn)
    page = client.get(reverse("reviews:detail", args=["acme-test", second.number]))
    assert f"OBJ-01 March 2026: 94.0%, arrived after review {first.reference}" in (
        page.content.decode()
    )
    # Held, the second review has seen it: from now on it is evidence.
    s.review_hold(
        review=second, membership=members["quinn"], held_on=D(2026, 6, 20), today=D(2026, 6, 20)
    )
    march = Measurement.objects.get(period_end=D(2026, 3, 31))
    assert march.seen_in.review_reference == second.reference
    january = Measurement.objects.get(period_end=D(2026, 1, 31))
    assert january.seen_in.review_reference == first.reference


def test_a_value_not_yet_due_at_the_review_did_not_arrive_after_it(client, cast, members):
    """Found by the try-out: a review held on 3 December was said to have seen November's value
    as missing, though it was due on 10 December. It is simply the latest value."""
    objective = make_objective(cast, code="OBJ-01")
    add_values(objective, {"2026-02-28": 96})
    first = s.review_plan(membership=members["quinn"], planned_on=D(2026, 4, 5), title="Q1")
    s.review_hold(
        review=first, membership=members["quinn"], held_on=D(2026, 4, 5), today=D(2026, 4, 5)
    )
    measurement_record(  # March: due on 10 April, after the meeting
        objective=objective, period_end=D(2026, 3, 31), value=Decimal("94"), actor=cast.carl
    )
    second = s.review_plan(membership=members["quinn"], planned_on=D(2026, 6, 30), title="Q2")
    s.review_prepare(review=second, membership=members["quinn"], today=D(2026, 6, 20))
    assert second.inputs.get(key="c_objectives").data["arrived_after_review"] == []
    client.force_login(cast.quinn)
    page = client.get(reverse("reviews:detail", args=["acme-test", second.number]))
    assert "arrived after review" not in page.content.decode()


def test_a_value_corrected_after_a_review_reads_with_its_unit_and_month(client, cast, members):
    """Found by the try-out: "OBJ-04 2026-07-31: 93.200000 → 93.000000" in signed minutes."""
    objective = make_objective(cast, code="OBJ-01")
    add_values(objective, {"2026-01-31": "93.2"})
    first = s.review_plan(membership=members["quinn"], planned_on=D(2026, 3, 31), title="Q1")
    s.review_prepare(review=first, membership=members["quinn"], today=D(2026, 4, 14))
    s.review_hold(
        review=first, membership=members["quinn"], held_on=D(2026, 4, 14), today=D(2026, 4, 14)
    )
    measurement_record(objective=objective, period_end=D(2026, 1, 31), value=Decimal("93"),
                       actor=cast.quinn, reason="Recount")  # fmt: skip
    # The correction is made today: the next review's period runs to a later day.
    later = timezone.localdate() + datetime.timedelta(days=20)
    second = s.review_plan(membership=members["quinn"], planned_on=later, title="Next")
    s.review_prepare(review=second, membership=members["quinn"], today=later)
    client.force_login(cast.quinn)
    page = " ".join(
        client.get(reverse("reviews:detail", args=["acme-test", second.number]))
        .content.decode()
        .split()
    )
    assert "OBJ-01 January 2026: 93.2% → 93.0%, by Quinn Test: Recount" in page
