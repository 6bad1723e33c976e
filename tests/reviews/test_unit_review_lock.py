"""A review of one unit locks what it saw, its unit subtree's values, and no other unit's: a
value it never saw stays its owner's to correct."""

import datetime
from decimal import Decimal

import pytest

from objectives.models import Measurement
from objectives.services import measurement_record
from qms.core.models import OrgUnit
from reviews.services import management_reviews as s
from tests.objectives.factories import add_values, make_objective

pytestmark = pytest.mark.django_db

D = datetime.date


def test_a_units_review_locks_only_its_units_values(cast, members):
    plant = OrgUnit.objects.get(organization=cast.org_a, code="A1")
    company = OrgUnit.objects.get(organization=cast.org_a, code="A")
    in_plant = make_objective(cast, code="OBJ-01", unit=plant, owner=members["carl"])
    elsewhere = make_objective(cast, code="OBJ-02", unit=company, owner=members["carl"])
    add_values(in_plant, {"2026-01-31": 96})
    add_values(elsewhere, {"2026-01-31": 96})
    review = s.review_plan(
        membership=members["quinn"], planned_on=D(2026, 3, 31), title="Plant One", org_unit=plant
    )
    s.review_prepare(review=review, membership=members["quinn"], today=D(2026, 4, 14))
    s.review_hold(
        review=review, membership=members["quinn"], held_on=D(2026, 4, 14), today=D(2026, 4, 14)
    )
    seen = Measurement.objects.get(objective=in_plant).seen_in
    assert seen is not None and seen.review_reference == review.reference
    assert Measurement.objects.get(objective=elsewhere).seen_in is None
    # The owner corrects the value Plant One's review never saw, without a quality manager.
    measurement_record(
        objective=elsewhere, period_end=D(2026, 1, 31), value=Decimal("95"), actor=cast.carl
    )
    assert Measurement.objects.get(objective=elsewhere).value == Decimal("95")
    # ... but not the one it saw.
    with pytest.raises(Exception, match="seen by review"):
        measurement_record(
            objective=in_plant, period_end=D(2026, 1, 31), value=Decimal("95"), actor=cast.carl
        )
