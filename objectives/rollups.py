"""KPI rollups (ISO 9001 9.1.3): objectives' values aggregated per month, quarter and year, and
per org-unit subtree, computed set-based in the database.

- `recompute_objective` is the incremental path, queued after one objective's measurements
  change: only the buckets containing the changed periods, the objective's current status and
  the unit rollups of its unit and ancestors for those periods.
- `recompute_all` is the nightly full path (also run by `manage.py rollup_kpis`).
Both produce exactly the same rows; the SQL lives in `objectives.rollups_sql`.
- `rollup_reading` is how every page, export and the API say what a rollup covers and what was
  judged against what (see "Partial periods" below).

Partial periods. A quarter or year (or a month of a weekly KPI) is judged on the values it has,
the same rule whether it is complete or not, and is never shown as if whole: its reading says
"1 of 3 months, in progress" while the period runs, "2 of 3 months" when it has ended with a
value missing. A summed KPI (complaints a month) is judged on its average per period against
the per-period thresholds, so a quarter's 22 complaints read "22 complaints; 7.3 a month on
average; on track ≤ 8, off track > 10 a month". `docs/quality-manager.md` says the same for
people.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal
from typing import NamedTuple

from django.db import transaction
from django.db.models import Case, CharField, F, OuterRef, Q, Subquery, Value, When
from django.db.models.lookups import IsNull
from django.utils import timezone

from objectives import rollups_sql as sql
from objectives.models import (
    Aggregation,
    Direction,
    Frequency,
    Granularity,
    KpiRollup,
    Measurement,
    QualityObjective,
    Rag,
    UnitRollup,
)
from objectives.periods import (
    describe,
    granularity_end,
    latest_due_period_end,
    next_period_end,
    period_end,
)
from objectives.status import due_value_missing, objective_rag, rag_expression
from objectives.templatetags.objectives_tags import average_places
from qms.core.drills import drill_point
from qms.core.models import OrgUnit

KPI_KEYS = ["objective_id", "granularity", "period_end"]
KPI_VALUES = ["organization_id", "org_unit_id", "value", "measurement_count", "status"]
UNIT_KEYS = ["org_unit_id", "granularity", "period_end"]
UNIT_VALUES = ["organization_id", "objectives", "green", "amber", "red", "no_data"]


class CurrentStatus(NamedTuple):
    status: str
    value: Decimal | None
    period_end: datetime.date | None


def current_status(
    objective: QualityObjective, measurements: Iterable[Measurement], today: datetime.date
) -> CurrentStatus:
    """The reference rule, in Python, for an objective's stored current status: the RAG of its
    latest value, unless the latest period already due has no value ("no data": a missing value
    past its due date is a finding, not green). Overdue is per period: a value logged early for
    a later period does not stand in for the missing one. Value and period show the latest
    measurement. `measurements` are the objective's values (any order)."""
    values = list(measurements)
    if not values:
        return CurrentStatus(Rag.NO_DATA, None, None)
    latest = max(values, key=lambda m: m.period_end)
    due_end = latest_due_period_end(objective.frequency, objective.data_due_days, today)
    # A period ending before the objective started was never due.
    due = objective.start_date <= due_end
    if due and all(m.period_end != due_end for m in values):
        status = Rag.NO_DATA
    else:
        status = objective_rag(objective, latest.value)
    return CurrentStatus(status, latest.value, latest.period_end)


def mark_queued(objectives) -> None:
    """Note that a recompute of these objectives was queued (kept from the first time until a
    recompute has run), so the dashboard can tell when the worker has not picked it up."""
    objectives.filter(rollup_queued_at__isnull=True).update(rollup_queued_at=timezone.now())


_PERIOD_NOUNS = {
    Frequency.WEEKLY: ("week", "weeks"),
    Frequency.MONTHLY: ("month", "months"),
    Frequency.QUARTERLY: ("quarter", "quarters"),
}


def _bucket_start(granularity: str, end: datetime.date) -> datetime.date:
    if granularity == Granularity.MONTH:
        return end.replace(day=1)
    if granularity == Granularity.QUARTER:
        return end.replace(month=end.month - 2, day=1)
    return datetime.date(end.year, 1, 1)


class RollupReading(NamedTuple):
    """What a rollup covers and what it was judged on, in words people read."""

    period: str  # "2026", "Q4 2026", "October 2026"
    values: int  # reporting periods with a value
    expected: int  # the objective's reporting periods in the rollup's period
    ended: int  # of those, how many had ended by the day of reading
    # "" when complete and whole, else "2 of 3 months" / "1 of 3 months, in progress" / "2 of 12
    # months; the objective started in November 2023"
    coverage: str
    judged_value: Decimal | None  # the number the thresholds were applied to
    judged: str  # a summed KPI's: "7.3 a month on average; on track ≤ 8, off track > 10 a month"

    @property
    def complete(self) -> bool:
        return self.values >= self.expected

    @property
    def in_progress(self) -> bool:
        return self.ended < self.expected


def rollup_reading(
    objective: QualityObjective, rollup: KpiRollup, today: datetime.date | None = None
) -> RollupReading:
    """How many of the objective's reporting periods the rollup holds, of how many it should
    hold (counted from the objective's start to its due date), and, for a summed KPI, the
    per-period average it was judged on. The one place that decides how a partial or summed
    period is read."""
    today = today or timezone.localdate()
    frequency = objective.frequency
    bucket_first = _bucket_start(rollup.granularity, rollup.period_end)
    first = max(bucket_first, objective.start_date)
    last = min(rollup.period_end, period_end(frequency, objective.due_date))
    ends = _period_ends(frequency, first, last)
    values = rollup.measurement_count
    # Values logged outside the objective's dates (history imported from before it started)
    # still count: a period is never "3 of 2".
    expected = max(len(ends), values)
    ended = min(sum(1 for e in ends if e <= today) + max(values - len(ends), 0), expected)
    singular, plural = _PERIOD_NOUNS[frequency]
    coverage = ""
    if values < expected:
        coverage = f"{values} of {expected} {singular if expected == 1 else plural}"
    # A year (or quarter) the objective covers only part of, having started or ended within it,
    # is a partial period too: "2 of 12 months; the objective started in November 2023", not
    # a whole 2023 judged on its last two months.
    whole = len(_period_ends(frequency, bucket_first, rollup.period_end))
    if expected < whole:
        if objective.start_date > bucket_first:
            span = f"the objective started in {objective.start_date:%B %Y}"
        else:
            span = f"the objective ended in {objective.due_date:%B %Y}"
        coverage = f"{values} of {whole} {singular if whole == 1 else plural}; {span}"
    if coverage and ended < expected:
        # Still running, but some of its ended periods have no value: those are missing, not
        # pending ("7 of 12 months, in progress" hid three missing months: try-out finding).
        grace = datetime.timedelta(days=objective.data_due_days)
        due = sum(1 for e in ends if e + grace <= today)
        if due > values:
            coverage += f", {due - values} due and missing"
        coverage += ", in progress"
    judged_value, judged = rollup.value, ""
    if objective.aggregation == Aggregation.SUM and rollup.value is not None and expected > 1:
        judged_value = (rollup.value / values).quantize(Decimal("0.000001"))
        # Written as every average is (`average_places`: 7.3 returns, not "7"); the thresholds
        # with the objective's own decimals; the unit is beside it already (the sum's).
        places = objective.decimal_places

        def number(value: Decimal) -> str:
            return f"{value:,.{places}f}"

        amber, red = number(objective.amber_threshold), number(objective.red_threshold)
        if objective.direction == Direction.LOWER:
            rule = f"on track ≤ {amber}, off track > {red}"
        elif objective.direction == Direction.HIGHER:
            rule = f"on track ≥ {amber}, off track < {red}"
        else:
            rule = f"on track within {number(objective.target)} ± {amber}, off track beyond ± {red}"
        average = f"{judged_value:,.{average_places(places)}f}"
        judged = f"{average} a {singular} on average; {rule} a {singular}"
    if rollup.granularity == Granularity.YEAR:
        period = str(rollup.period_end.year)
    else:
        period = describe(
            Frequency.MONTHLY if rollup.granularity == Granularity.MONTH else Frequency.QUARTERLY,
            rollup.period_end,
        )
    return RollupReading(period, values, expected, ended, coverage, judged_value, judged)


def _period_ends(frequency: str, first: datetime.date, last: datetime.date) -> list[datetime.date]:
    """The ends of the reporting periods from the one containing `first` up to `last`."""
    ends = []
    end = period_end(frequency, first)
    while end <= last:
        ends.append(end)
        end = next_period_end(frequency, end)
    return ends


def recompute_objective(
    objective_id: int, period_ends: Iterable[datetime.date] | None = None
) -> None:
    """Incremental: the rollups of one objective for the periods containing `period_ends`, its
    current status, and the unit rollups of its unit and ancestors for those periods. With None
    (after the objective itself was edited: unit, status, thresholds may have changed): all its
    periods and every unit rollup of its organisation. A deleted objective is ignored."""
    objective = QualityObjective.objects.select_related("org_unit").filter(pk=objective_id).first()
    if objective is None:
        return
    now = timezone.now()
    periods = None
    if period_ends:
        # A changed value can only change the buckets that contain it.
        periods = {(g, granularity_end(g, end)) for end in period_ends for g in Granularity.values}
    with transaction.atomic():
        sql.tune_session()
        sql.sync(KpiRollup, KPI_KEYS, KPI_VALUES, *_objective_slice(objective.id, periods), now)
        drill_point("rollups.kpi-written")  # a worker killed half-way through the writes
        _update_current_statuses(
            QualityObjective.objects.filter(pk=objective.id), timezone.localdate(), now
        )
        sql.sync(UnitRollup, UNIT_KEYS, UNIT_VALUES, *_ancestors_slice(objective, periods), now)


def _objective_slice(objective_id: int, periods: set | None) -> tuple[tuple, tuple]:
    """(fresh SELECT, scope) of one objective's KPI rollups, for `periods` or all."""
    if periods is None:
        return sql.kpi_fresh_sql("o.id = %s", [objective_id]), (
            f"{sql.KPI}.objective_id = %s",
            [objective_id],
        )
    # Reading only the years concerned lets the (objective, period_end) index narrow the scan.
    years = sorted({end.year for _, end in periods})
    where = "o.id = %s AND (" + " OR ".join(["m.period_end BETWEEN %s AND %s"] * len(years)) + ")"
    params: list = [objective_id]
    for year in years:
        params += [
            sql.date_param(datetime.date(year, 1, 1)),
            sql.date_param(datetime.date(year, 12, 31)),
        ]
    scope_periods, scope_params = sql.periods_clause(sql.KPI, periods)
    return (
        sql.kpi_fresh_sql(where, params, periods),
        (f"{sql.KPI}.objective_id = %s AND {scope_periods}", [objective_id, *scope_params]),
    )


def _ancestors_slice(objective: QualityObjective, periods: set | None) -> tuple[tuple, tuple]:
    """(fresh SELECT, scope) of the unit rollups of the objective's unit and its ancestors for
    `periods`; for all periods (after an edit of the objective, which may have moved it to
    another unit or changed its status), every unit of its organisation."""
    org = [objective.organization_id]
    if periods is None:
        return sql.unit_fresh_sql("u.organization_id = %s", org, "r.organization_id = %s", org), (
            f"{sql.UNIT}.organization_id = %s",
            org,
        )
    path = objective.org_unit.path
    ancestors = list(
        OrgUnit.objects.filter(
            organization_id=objective.organization_id,
            path__in=[path[:end] for end in range(OrgUnit.steplen, len(path) + 1, OrgUnit.steplen)],
        ).values_list("id", flat=True)
    )
    in_ancestors = "(" + ", ".join(["%s"] * len(ancestors)) + ")"
    rollup_periods, rollup_params = sql.periods_clause("r", periods)
    unit_periods, unit_params = sql.periods_clause(sql.UNIT, periods)
    fresh = sql.unit_fresh_sql(
        f"u.id IN {in_ancestors}",
        ancestors,
        f"r.organization_id = %s AND {rollup_periods}",
        org + rollup_params,
    )
    scope = (
        f"{sql.UNIT}.org_unit_id IN {in_ancestors} AND {unit_periods}",
        ancestors + unit_params,
    )
    return fresh, scope


def recompute_all(organization_id: int | None = None, today: datetime.date | None = None) -> dict:
    """Full recompute of every rollup and current status (of one organisation, or all).
    Returns counts: objectives, measurements, and per table the rows it now holds in scope,
    the rows written (new or changed) and the rows deleted."""
    today = today or timezone.localdate()
    now = timezone.now()
    # One organisation's rows, or every row: the same condition over each table's alias.
    org = [] if organization_id is None else [organization_id]

    def in_scope(alias: str) -> str:
        return "1 = 1" if organization_id is None else f"{alias}.organization_id = %s"

    objectives = sql.scoped(QualityObjective.objects.all(), organization_id)
    with transaction.atomic():
        sql.tune_session()
        kpi = sql.sync(
            KpiRollup,
            KPI_KEYS,
            KPI_VALUES,
            sql.kpi_fresh_sql(in_scope("o"), org),
            (in_scope(sql.KPI), org),
            now,
        )
        drill_point("rollups.kpi-written")
        statuses = _update_current_statuses(objectives, today, now)
        units = sql.sync(
            UnitRollup,
            UNIT_KEYS,
            UNIT_VALUES,
            sql.unit_fresh_sql(in_scope("u"), org, in_scope("r"), org),
            (in_scope(sql.UNIT), org),
            now,
        )
    return {
        "objectives": statuses,
        "measurements": sql.scoped(Measurement.objects.all(), organization_id).count(),
        "kpi_rollups": kpi["rows"],
        "kpi_rollups_written": kpi["written"],
        "kpi_rollups_deleted": kpi["deleted"],
        "unit_rollups": units["rows"],
        "unit_rollups_written": units["written"],
        "unit_rollups_deleted": units["deleted"],
    }


def _update_current_statuses(objectives, today: datetime.date, now: datetime.datetime) -> int:
    """Set-based `current_status`: one UPDATE per (frequency, data_due_days) combination, as the
    due period differs only by those; few combinations exist. Returns objectives updated."""
    latest = Measurement.objects.filter(objective=OuterRef("pk")).order_by("-period_end")
    latest_value = Subquery(latest.values("value")[:1])
    latest_end = Subquery(latest.values("period_end")[:1])
    combinations = objectives.order_by().values_list("frequency", "data_due_days").distinct()
    # Before and after, to tell the apps whose status changed (webhooks, the red-KPI loop).
    before = {
        pk: (status, end)
        for pk, status, end in objectives.order_by().values_list(
            "pk", "current_status", "current_period_end"
        )
    }
    updated = 0
    for frequency, due_days in list(combinations):
        due_end = latest_due_period_end(frequency, due_days, today)
        updated += objectives.filter(frequency=frequency, data_due_days=due_days).update(
            current_value=latest_value,
            current_period_end=latest_end,
            current_status=Case(
                When(
                    Q(IsNull(latest_end, True)) | due_value_missing(due_end),
                    then=Value(Rag.NO_DATA),
                ),
                default=rag_expression(latest_value),
                output_field=CharField(),
            ),
            status_computed_at=now,
            # Done, unless values changed again after this recompute began.
            rollup_queued_at=Case(
                When(rollup_queued_at__lte=now, then=Value(None)),
                default=F("rollup_queued_at"),
            ),
        )
    after = objectives.order_by().values_list("pk", "current_status", "current_period_end")
    # A new status, or a new period (red again in a new period is news too).
    changes = [
        (pk, *before[pk], status, end)
        for pk, status, end in after
        if pk in before and before[pk] != (status, end)
    ]
    if changes:
        from objectives.status_events import statuses_changed

        transaction.on_commit(lambda: statuses_changed(changes))
    return updated
