"""Customer satisfaction (9.1.2) as an objective's KPI: the mean survey score per period."""

import datetime
from decimal import Decimal

import pytest

from objectives.models import Measurement
from qms.core.immutable import NotAllowed
from reviews.services import customer_satisfaction_to_objective
from tests.objectives.factories import make_objective
from tests.reviews.factories import make_feedback

pytestmark = pytest.mark.django_db

D = datetime.date


def _satisfaction(cast, org=None, **overrides):
    fields = {
        "title": "Customer satisfaction score",
        "baseline": Decimal("7.6"),
        "target": Decimal("8.5"),
        "amber_threshold": Decimal("8.2"),
        "red_threshold": Decimal("7.8"),
        "valid_max": Decimal("10"),
        **overrides,
    }
    # make_objective's `unit` is the org unit; the KPI's unit of measure stays its default.
    return make_objective(cast, code="OBJ-CS", org=org, **fields)


def _scores(cast, org=None):
    for day, score in (
        (D(2026, 1, 5), "8"),
        (D(2026, 1, 25), "9"),
        (D(2026, 2, 3), "7.25"),
        (D(2026, 2, 27), "7.3"),
        (D(2026, 4, 2), "6"),  # April is not over on 15 April
    ):
        make_feedback(
            cast,
            org=org,
            received_on=day,
            feedback_type="survey_score",
            score=score,
            channel="survey",
        )
    make_feedback(cast, org=org, received_on=D(2026, 1, 10), feedback_type="compliment")


def _values(objective):
    return {
        m.period_end: (m.value, m.note, m.source)
        for m in Measurement.objects.filter(objective=objective)
    }


def test_mean_survey_score_of_each_whole_month_becomes_the_objectives_values(cast):
    objective = _satisfaction(cast)
    _scores(cast)
    _scores(cast, org=cast.org_b)  # another organisation's surveys count for nothing here
    make_feedback(
        cast, org=cast.org_b, received_on=D(2026, 3, 3), feedback_type="survey_score", score="1"
    )
    result = customer_satisfaction_to_objective(
        objective=objective, user=cast.quinn, start=D(2026, 1, 1), end=D(2026, 4, 15)
    )
    assert (result.created, result.updated) == (2, 0)
    assert _values(objective) == {
        D(2026, 1, 31): (Decimal("8.5"), "Mean of 2 customer survey scores", "import"),
        D(2026, 2, 28): (Decimal("7.3"), "Mean of 2 customer survey scores", "import"),
    }


def test_a_rerun_changes_only_what_changed(cast):
    objective = _satisfaction(cast)
    _scores(cast)
    run = {
        "objective": objective,
        "user": cast.quinn,
        "start": D(2026, 1, 1),
        "end": D(2026, 4, 15),
    }
    customer_satisfaction_to_objective(**run)
    make_feedback(cast, received_on=D(2026, 2, 10), feedback_type="survey_score", score="10")
    result = customer_satisfaction_to_objective(**run)
    assert (result.created, result.updated, result.unchanged) == (0, 1, 1)
    assert _values(objective)[D(2026, 2, 28)][0] == Decimal("8.2")  # (7.25 + 7.3 + 10) / 3


def test_a_quarterly_objective_gets_the_quarters_mean_with_its_decimals(cast):
    objective = _satisfaction(cast, frequency="quarterly", decimal_places=2)
    _scores(cast)
    customer_satisfaction_to_objective(
        objective=objective, user=cast.quinn, start=D(2026, 2, 15), end=D(2026, 6, 30)
    )
    # The whole first quarter (from 1 January, though asked from 15 February), and the second.
    assert {end: value for end, (value, _, _) in _values(objective).items()} == {
        D(2026, 3, 31): Decimal("7.89"),  # (8 + 9 + 7.25 + 7.3) / 4 = 7.8875
        D(2026, 6, 30): Decimal("6.00"),
    }


def test_a_weekly_objective_gets_values_on_sundays(cast):
    objective = _satisfaction(cast, frequency="weekly")
    _scores(cast)
    customer_satisfaction_to_objective(
        objective=objective, user=cast.quinn, start=D(2026, 1, 1), end=D(2026, 1, 31)
    )
    assert sorted(_values(objective)) == [D(2026, 1, 11), D(2026, 1, 25)]
    assert all(end.weekday() == 6 for end in _values(objective))


def test_another_organisations_objective_or_a_member_who_may_not_log_values_is_refused(cast):
    foreign = _satisfaction(cast, org=cast.org_b)
    _scores(cast)
    with pytest.raises(NotAllowed):
        customer_satisfaction_to_objective(objective=foreign, user=cast.quinn)
    ours = _satisfaction(cast)
    for user in (cast.bob, cast.carl, cast.audrey):
        with pytest.raises(NotAllowed):
            customer_satisfaction_to_objective(objective=ours, user=user)
    assert not Measurement.objects.exists()


def test_a_mean_halfway_between_two_values_rounds_up(cast):
    objective = _satisfaction(cast)
    for score in ("8.1", "8.2"):
        make_feedback(cast, received_on=D(2026, 3, 9), feedback_type="survey_score", score=score)
    customer_satisfaction_to_objective(
        objective=objective, user=cast.quinn, start=D(2026, 3, 1), end=D(2026, 3, 31)
    )
    assert _values(objective)[D(2026, 3, 31)][0] == Decimal("8.2")  # 8.15, half up
