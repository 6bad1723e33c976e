"""KPI rollups (ISO 9001 9.1.3): objectives' values aggregated per month, quarter and year, and
per org-unit subtree, computed set-based in the database.

- `recompute_objective` is the incremental path, queued after one objective's measurements
  change: only the buckets containing the changed periods, the objective's current status and
  the unit rollups of its unit and ancestors for those periods.
- `recompute_all` is the nightly full path (also run by `manage.py rollup_kpis`).
Both produce exactly the same rows; the SQL lives in `objectives.rollups_sql`.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal
from typing import NamedTuple

from django.db import transaction
from django.db.models import Case, CharField, OuterRef, Q, Subquery, Value, When
from django.db.models.lookups import IsNull, LessThan
from django.utils import timezone

from objectives import rollups_sql as sql
from objectives.models import (
    Granularity,
    KpiRollup,
    Measurement,
    QualityObjective,
    Rag,
    UnitRollup,
)
from objectives.periods import granularity_end, latest_due_period_end
from objectives.status import objective_rag, rag_expression
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
    objective: QualityObjective, latest_measurement: Measurement | None, today: datetime.date
) -> CurrentStatus:
    """The reference rule, in Python, for an objective's stored current status: the RAG of its
    latest value, unless the latest period already due has no value ("no data": a missing value
    past its due date is a finding, not green). Value and period show the latest measurement."""
    if latest_measurement is None:
        return CurrentStatus(Rag.NO_DATA, None, None)
    due_end = latest_due_period_end(objective.frequency, objective.data_due_days, today)
    if latest_measurement.period_end < due_end:
        status = Rag.NO_DATA
    else:
        status = objective_rag(objective, latest_measurement.value)
    return CurrentStatus(status, latest_measurement.value, latest_measurement.period_end)


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
                    Q(IsNull(latest_end, True)) | Q(LessThan(latest_end, Value(due_end))),
                    then=Value(Rag.NO_DATA),
                ),
                default=rag_expression(latest_value),
                output_field=CharField(),
            ),
            status_computed_at=now,
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
