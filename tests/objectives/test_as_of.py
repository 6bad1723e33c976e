"""Objectives as they stood at a past moment (objectives.as_of): the values entered by then,
as they read then, whatever was corrected, withdrawn or added since."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from objectives.as_of import end_of_day, statuses_as_of, values_known_at
from objectives.services import measurement_record, measurement_withdraw
from tests.objectives.factories import make_objective

pytestmark = pytest.mark.django_db

D = datetime.date


def _at(day):
    return time_machine.travel(
        timezone.make_aware(datetime.datetime.combine(day, datetime.time(10))), tick=False
    )


def test_a_value_withdrawn_or_corrected_later_reads_as_it_was(cast):
    with _at(D(2027, 2, 5)):
        objective = make_objective(cast, code="OBJ-A", due_date=D(2027, 12, 31))
        for end, value in (("2027-01-31", "96"), ("2026-12-31", "90")):
            measurement_record(
                objective=objective, period_end=D.fromisoformat(end), value=Decimal(value),
                actor=cast.quinn,
            )  # fmt: skip
    meeting = D(2027, 2, 20)
    with _at(D(2027, 3, 1)):
        january = objective.measurements.get(period_end=D(2027, 1, 31))
        measurement_withdraw(measurement=january, actor=cast.quinn, reason="Wrong month.")
        measurement_record(
            objective=objective, period_end=D(2026, 12, 31), value=Decimal("70"),
            actor=cast.quinn, reason="Recounted.",
        )  # fmt: skip
        measurement_record(
            objective=objective, period_end=D(2027, 2, 28), value=Decimal("60"), actor=cast.quinn
        )
    assert values_known_at([objective], end_of_day(meeting))[objective.pk] == [
        (D(2026, 12, 31), Decimal("90")),
        (D(2027, 1, 31), Decimal("96")),
    ]
    status = statuses_as_of([objective], meeting)[objective.pk]
    assert (status.status, status.value, status.period_end) == (
        "green",
        Decimal("96"),
        D(2027, 1, 31),
    )
    # A meeting on 5 March, after all of it: December corrected, January withdrawn, February
    # in (red).
    later = statuses_as_of([objective], D(2027, 3, 5))[objective.pk]
    assert (later.status, later.value) == ("red", Decimal("60"))
    assert values_known_at([objective], end_of_day(D(2027, 3, 5)))[objective.pk] == [
        (D(2026, 12, 31), Decimal("70")),
        (D(2027, 2, 28), Decimal("60")),
    ]


def test_no_value_by_then_is_no_data(cast):
    with _at(D(2027, 2, 5)):
        objective = make_objective(cast, code="OBJ-B", due_date=D(2027, 12, 31))
        measurement_record(
            objective=objective, period_end=D(2027, 1, 31), value=Decimal("96"), actor=cast.quinn
        )
    status = statuses_as_of([objective], D(2027, 2, 4))[objective.pk]
    assert (status.status, status.value) == ("no_data", None)
