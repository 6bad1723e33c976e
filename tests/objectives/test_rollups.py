"""KPI rollups (9.1.3): hand-computed aggregates per month/quarter/year, RAG of rollups, the
current status rule, unit subtree counts, idempotency, incremental = full, tenant scoping."""

import datetime
import random
from decimal import Decimal as D
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from objectives import rollups
from objectives.models import KpiRollup, Measurement, QualityObjective, UnitRollup
from objectives.periods import next_period_end, period_end
from objectives.services import measurement_record
from qms.core.models import OrgUnit
from tests.objectives.factories import add_values, make_objective

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2025, 7, 20)
Q1_AND_APRIL = {"2025-01-31": 90, "2025-02-28": 93, "2025-03-31": 95, "2025-04-30": 85}


def rollup(objective, granularity, end):
    return KpiRollup.objects.get(
        objective=objective, granularity=granularity, period_end=datetime.date.fromisoformat(end)
    )


def unit(code):
    return OrgUnit.objects.get(code=code)


def snapshot(organization=None):
    """Every rollup row and current status, without the computed-at times."""
    kpis = KpiRollup.objects.all()
    units = UnitRollup.objects.all()
    objectives = QualityObjective.objects.all()
    if organization is not None:
        kpis, units, objectives = (
            qs.filter(organization=organization) for qs in (kpis, units, objectives)
        )
    return (
        sorted(
            kpis.values_list(
                "objective_id", "granularity", "period_end", "value", "measurement_count", "status"
            )
        ),
        sorted(
            units.values_list(
                "org_unit_id", "granularity", "period_end", "objectives", "green", "amber", "red"
            )
        ),
        sorted(
            objectives.values_list("id", "current_status", "current_value", "current_period_end")
        ),
    )


@pytest.mark.parametrize(
    ("aggregation", "q1", "year"),
    [
        ("mean", "92.666667", "90.75"),
        ("sum", "278", "363"),
        ("last", "95", "85"),
        ("min", "90", "85"),
        ("max", "95", "95"),
    ],
)
def test_each_aggregation_rolls_up_quarter_and_year(cast, aggregation, q1, year):
    objective = make_objective(cast, aggregation=aggregation)
    add_values(objective, Q1_AND_APRIL)
    rollups.recompute_all(cast.org_a.id, today=TODAY)
    assert (
        rollup(objective, "quarter", "2025-03-31").value,
        rollup(objective, "year", "2025-12-31").value,
    ) == (D(q1), D(year))
    assert rollup(objective, "quarter", "2025-03-31").measurement_count == 3
    assert rollup(objective, "quarter", "2025-06-30").value == D("85")
    assert rollup(objective, "year", "2025-12-31").measurement_count == 4
    # A monthly objective's month rollup is the value itself.
    assert rollup(objective, "month", "2025-02-28").value == D("93")
    assert KpiRollup.objects.filter(objective=objective).count() == 4 + 2 + 1


def test_weekly_values_roll_into_the_month_of_their_period_end(cast):
    objective = make_objective(cast, frequency="weekly", valid_min=None, valid_max=None)
    # The week ending Sunday 2 February runs from 27 January: it counts for February.
    add_values(
        objective,
        {"2025-01-05": 90, "2025-01-12": 92, "2025-01-19": 94, "2025-01-26": 96, "2025-02-02": 80},
    )
    rollups.recompute_all(cast.org_a.id, today=TODAY)
    january = rollup(objective, "month", "2025-01-31")
    assert (january.value, january.measurement_count) == (D("93"), 4)
    assert rollup(objective, "month", "2025-02-28").measurement_count == 1
    assert rollup(objective, "quarter", "2025-03-31").value == D("90.4")
    assert rollup(objective, "year", "2025-12-31").measurement_count == 5


def test_quarterly_objective_has_no_month_rollups(cast):
    objective = make_objective(cast, frequency="quarterly")
    add_values(objective, {"2025-03-31": 90, "2025-06-30": 94})
    rollups.recompute_all(cast.org_a.id, today=TODAY)
    assert not KpiRollup.objects.filter(objective=objective, granularity="month").exists()
    assert rollup(objective, "quarter", "2025-06-30").value == D("94")
    assert rollup(objective, "year", "2025-12-31").value == D("92")


@pytest.mark.parametrize(
    ("direction", "target", "amber", "red", "values", "expected"),
    [
        ("higher", "95", "92", "88", {"2025-01-31": 91, "2025-02-28": 93}, "green"),  # 92
        ("higher", "95", "92", "88", {"2025-01-31": 91, "2025-02-28": 92}, "amber"),
        ("higher", "95", "92", "88", {"2025-01-31": 80, "2025-02-28": 90}, "red"),
        ("lower", "2", "3", "5", {"2025-01-31": 2, "2025-02-28": 4}, "green"),  # 3
        ("lower", "2", "3", "5", {"2025-01-31": 4, "2025-02-28": 6}, "amber"),
        ("lower", "2", "3", "5", {"2025-01-31": 5, "2025-02-28": 7}, "red"),
        ("band", "100", "1", "2", {"2025-01-31": 100, "2025-02-28": 101}, "green"),
        ("band", "100", "1", "2", {"2025-01-31": 97, "2025-02-28": 100}, "amber"),  # 98.5
        ("band", "100", "1", "2", {"2025-01-31": 104, "2025-02-28": 103}, "red"),
    ],
)
def test_rollup_status_follows_the_direction(cast, direction, target, amber, red, values, expected):
    objective = make_objective(
        cast,
        direction=direction,
        target=D(target),
        amber_threshold=D(amber),
        red_threshold=D(red),
        valid_min=None,
        valid_max=None,
    )
    add_values(objective, values)
    rollups.recompute_all(cast.org_a.id, today=TODAY)
    assert rollup(objective, "quarter", "2025-03-31").status == expected


def test_sum_is_judged_on_the_average_per_period(cast):
    # Complaints per month: at most 5 is green. 4 + 5 + 6 = 15 in the quarter is 5 a month.
    objective = make_objective(
        cast,
        direction="lower",
        target=D("3"),
        amber_threshold=D("5"),
        red_threshold=D("8"),
        aggregation="sum",
        valid_min=None,
        valid_max=None,
    )
    add_values(objective, {"2025-01-31": 4, "2025-02-28": 5, "2025-03-31": 6})
    rollups.recompute_all(cast.org_a.id, today=TODAY)
    quarter = rollup(objective, "quarter", "2025-03-31")
    assert (quarter.value, quarter.status) == (D("15"), "green")
    assert rollup(objective, "month", "2025-03-31").status == "amber"


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        # April's value is due by 10 May: until then March's value stands.
        (datetime.date(2025, 5, 9), "green"),
        # From 10 May April's value is missing: no data, not green.
        (datetime.date(2025, 5, 10), "no_data"),
    ],
)
def test_current_status_is_no_data_once_a_due_value_is_missing(cast, today, expected):
    objective = make_objective(cast, data_due_days=10)
    add_values(objective, {"2025-02-28": 80, "2025-03-31": 92})  # 92: exactly on amber
    rollups.recompute_all(cast.org_a.id, today=today)
    objective.refresh_from_db()
    assert objective.current_status == expected
    assert (objective.current_value, objective.current_period_end) == (
        D("92"),
        datetime.date(2025, 3, 31),
    )


def test_objective_without_values_has_no_data(cast):
    objective = make_objective(cast)
    rollups.recompute_all(cast.org_a.id, today=TODAY)
    objective.refresh_from_db()
    assert (objective.current_status, objective.current_value) == ("no_data", None)


def test_set_based_current_status_agrees_with_the_python_rule(cast):
    rng = random.Random(7)
    for number in range(12):
        objective = make_objective(
            cast,
            code=f"OBJ-{number:02}",
            frequency=rng.choice(["weekly", "monthly", "quarterly"]),
            data_due_days=rng.choice([0, 5, 10, 30]),
            direction=rng.choice(["higher", "lower"]),
            amber_threshold=D("92"),
            red_threshold=D("88") if number % 2 else D("92"),
            valid_min=None,
            valid_max=None,
        )
        if objective.direction == "lower":
            QualityObjective.objects.filter(pk=objective.pk).update(red_threshold=D("96"))
        ends = _period_ends(objective.frequency, datetime.date(2025, 1, 1), 30)
        add_values(
            objective,
            {end: rng.choice([86, 88, 90, 92, 94, 96]) for end in ends[: rng.randint(0, 30)]},
        )
    for today in (datetime.date(2025, 2, 3), datetime.date(2025, 4, 9), datetime.date(2025, 9, 1)):
        rollups.recompute_all(cast.org_a.id, today=today)
        for objective in QualityObjective.objects.filter(organization=cast.org_a):
            expected = rollups.current_status(objective, objective.measurements.all(), today)
            stored = (
                objective.current_status,
                objective.current_value,
                objective.current_period_end,
            )
            assert stored == tuple(expected), objective.code


def test_unit_rollups_count_the_subtree(cast):
    root, plant = unit("A"), unit("A1")
    at_root = make_objective(cast, code="ROOT", unit=root)
    at_plant = make_objective(cast, code="PLANT", unit=plant)
    make_objective(cast, code="QUIET", unit=plant)  # active, no values: counts as no data
    make_objective(cast, code="LATE", unit=plant, start_date=datetime.date(2025, 2, 1))
    withdrawn = make_objective(cast, code="GONE", unit=plant, status="withdrawn")
    add_values(at_root, {"2025-01-31": 95})
    add_values(at_plant, {"2025-01-31": 80})
    add_values(withdrawn, {"2025-01-31": 99})
    rollups.recompute_all(cast.org_a.id, today=TODAY)
    counts = "objectives", "green", "amber", "red", "no_data"
    january = {"granularity": "month", "period_end": datetime.date(2025, 1, 31)}
    assert UnitRollup.objects.values_list(*counts).get(org_unit=root, **january) == (3, 1, 0, 1, 1)
    assert UnitRollup.objects.values_list(*counts).get(org_unit=plant, **january) == (2, 0, 0, 1, 1)
    # The started-in-February objective counts for the quarter, as no data.
    q1 = {"granularity": "quarter", "period_end": datetime.date(2025, 3, 31)}
    assert UnitRollup.objects.values_list(*counts).get(org_unit=root, **q1) == (4, 1, 0, 1, 2)


def test_root_objective_does_not_count_for_the_child_unit(cast):
    at_root = make_objective(cast, code="ROOT", unit=unit("A"))
    add_values(at_root, {"2025-01-31": 95})
    rollups.recompute_all(cast.org_a.id, today=TODAY)
    assert UnitRollup.objects.filter(org_unit=unit("A")).count() == 3
    assert not UnitRollup.objects.filter(org_unit=unit("A1")).exists()


def test_recomputing_twice_changes_nothing(cast):
    _random_portfolio(cast, random.Random(3))
    first = rollups.recompute_all(cast.org_a.id, today=TODAY)
    before = snapshot()
    second = rollups.recompute_all(cast.org_a.id, today=TODAY)
    assert snapshot() == before
    assert first["kpi_rollups_written"] == first["kpi_rollups"] > 0
    assert (second["kpi_rollups_written"], second["unit_rollups_written"]) == (0, 0)
    assert (second["kpi_rollups_deleted"], second["unit_rollups_deleted"]) == (0, 0)


def _incremental_equals_full(cast):
    rng = random.Random(2025)
    objectives = _random_portfolio(cast, rng)
    rollups.recompute_all(cast.org_a.id)
    for objective in rng.sample(objectives, 5):
        touched = set()
        values = list(Measurement.objects.filter(objective=objective))
        for measurement in rng.sample(values, min(3, len(values))):
            touched.add(measurement.period_end)
            if rng.random() < 0.5:
                measurement.delete()
            else:
                Measurement.objects.filter(pk=measurement.pk).update(value=D(rng.randint(70, 100)))
        new_end = _period_ends(objective.frequency, datetime.date(2026, 1, 1), 1)[0]
        add_values(objective, {new_end: rng.randint(70, 100)})
        touched.add(new_end)
        rollups.recompute_objective(objective.id, touched)
    # Editing an objective (here: withdrawing it) recomputes all of its periods.
    edited = objectives[0]
    QualityObjective.objects.filter(pk=edited.pk).update(status="withdrawn")
    rollups.recompute_objective(edited.id)
    incremental = snapshot()
    rollups.recompute_all(cast.org_a.id)
    assert snapshot() == incremental


def test_incremental_recompute_equals_full(cast):
    _incremental_equals_full(cast)


@pytest.mark.postgres
def test_incremental_recompute_equals_full_on_postgres(cast, on_postgres):
    assert on_postgres
    _incremental_equals_full(cast)


def test_recording_a_value_updates_its_rollups(cast, django_capture_on_commit_callbacks):
    objective = make_objective(cast, valid_min=None, valid_max=None)
    add_values(objective, {"2025-01-31": 90})
    with django_capture_on_commit_callbacks(execute=True):
        measurement_record(
            objective=objective,
            period_end=datetime.date(2025, 2, 28),
            value=D("94"),
            actor=cast.quinn,
        )
    assert rollup(objective, "quarter", "2025-03-31").value == D("92")
    assert UnitRollup.objects.filter(org_unit=objective.org_unit, granularity="quarter").exists()


def test_recompute_all_leaves_other_organisations_alone(cast):
    theirs = make_objective(cast, code="B-01", org=cast.org_b)
    add_values(theirs, {"2025-01-31": 90})
    rollups.recompute_all(cast.org_b.id, today=TODAY)
    before = snapshot(cast.org_b)
    Measurement.objects.filter(objective=theirs).update(value=D("50"))
    add_values(make_objective(cast), {"2025-01-31": 93})
    stats = rollups.recompute_all(cast.org_a.id, today=TODAY)
    assert snapshot(cast.org_b) == before
    assert stats["kpi_rollups"] == 3
    assert KpiRollup.objects.filter(organization=cast.org_a).count() == 3


def test_command_prints_stats_and_time(cast):
    add_values(make_objective(cast), {"2025-01-31": 93})
    out = StringIO()
    call_command("rollup_kpis", "--org", "acme-test", stdout=out)
    assert "kpi_rollups: 3" in out.getvalue()
    assert "Recomputed rollups of Acme Test Ltd in" in out.getvalue()


def test_command_refuses_an_unknown_organisation(cast):
    with pytest.raises(CommandError, match="No organisation with slug 'nope'"):
        call_command("rollup_kpis", "--org", "nope")


def _period_ends(frequency, start, count):
    ends = [period_end(frequency, start)]
    while len(ends) < count:
        ends.append(next_period_end(frequency, ends[-1]))
    return ends


def _random_portfolio(cast, rng):
    """A dozen objectives of every frequency, aggregation and direction in both units, with
    about a year and a half of values with gaps."""
    objectives = []
    for number in range(12):
        direction = ["higher", "lower", "band"][number % 3]
        thresholds = {"higher": ("92", "88"), "lower": ("92", "96"), "band": ("3", "6")}
        objective = make_objective(
            cast,
            code=f"R-{number:02}",
            unit=unit("A1") if number % 2 else unit("A"),
            frequency=["weekly", "monthly", "quarterly"][number % 4 % 3],
            aggregation=["mean", "sum", "last", "min", "max"][number % 5],
            direction=direction,
            target=D("90"),
            amber_threshold=D(thresholds[direction][0]),
            red_threshold=D(thresholds[direction][1]),
            start_date=datetime.date(2024, 1 + number % 6, 1),
            valid_min=None,
            valid_max=None,
        )
        ends = _period_ends(objective.frequency, datetime.date(2024, 6, 1), 80)
        ends = [end for end in ends if end <= datetime.date(2025, 12, 31) and rng.random() < 0.8]
        add_values(objective, {end: rng.randint(70, 100) for end in ends})
        objectives.append(objective)
    return objectives


def test_a_value_logged_early_does_not_hide_the_missing_value_of_the_period_due(cast):
    """Issue 21: June's value was overdue (due 10 July), July's was logged early (not due until
    10 August): the objective read "on track" from July and nobody was told June is missing."""
    objective = make_objective(cast, start_date=datetime.date(2025, 1, 1))
    add_values(objective, {"2025-05-31": 95, "2025-07-31": 96})
    rollups.recompute_all(cast.org_a.id, today=datetime.date(2025, 7, 31))
    objective.refresh_from_db()
    assert objective.current_status == "no_data"
    # The latest value is still the one shown; the status judges June.
    assert (objective.current_value, objective.current_period_end) == (
        D("96"),
        datetime.date(2025, 7, 31),
    )
    assert rollups.current_status(
        objective, objective.measurements.all(), datetime.date(2025, 7, 31)
    ) == ("no_data", D("96"), datetime.date(2025, 7, 31))
    # June's value arrives: July's early value now gives the status.
    add_values(objective, {"2025-06-30": 80})
    rollups.recompute_all(cast.org_a.id, today=datetime.date(2025, 7, 31))
    objective.refresh_from_db()
    assert objective.current_status == "green"


def test_an_early_first_value_of_a_new_objective_is_judged(cast):
    """No period was due yet for an objective started in July: its early July value counts."""
    objective = make_objective(cast, start_date=datetime.date(2025, 7, 1))
    add_values(objective, {"2025-07-31": 95})
    rollups.recompute_all(cast.org_a.id, today=datetime.date(2025, 7, 31))
    objective.refresh_from_db()
    assert objective.current_status == "green"
