"""Rollup benchmark on the "bench" organisation (see bench/generate.py), on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/qms_bench \\
        .venv/bin/python bench/bench_rollups.py

1. Full set-based `recompute_all`: a cold run (the organisation's rollups deleted first) and
   two warm runs; median of the three. Target ≤ 10 s.
2. The straightforward alternative: per objective, load its measurements, bucket, aggregate and
   judge them in Python, write the rows with bulk_create (KPI rollups and current status only).
3. Incremental: one new measurement, then `recompute_objective(id, [period_end])`; 50 runs,
   median and p95. Target ≤ 50 ms. The measurements added are removed again afterwards.
"""

from __future__ import annotations

import datetime
import os
import random
import statistics
import sys
import time
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qms.settings")

import django

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from objectives import rollups  # noqa: E402
from objectives.models import KpiRollup, Measurement, QualityObjective, UnitRollup  # noqa: E402
from objectives.periods import granularity_end, next_period_end  # noqa: E402
from objectives.status import objective_rag  # noqa: E402
from qms.core.models import Organization  # noqa: E402

SIX = Decimal("0.000001")


def timed(function, *args, **kwargs) -> tuple[float, object]:
    started = time.perf_counter()
    result = function(*args, **kwargs)
    return time.perf_counter() - started, result


def full_runs(organization) -> list[float]:
    KpiRollup.objects.filter(organization=organization)._raw_delete(connection.alias)
    UnitRollup.objects.filter(organization=organization)._raw_delete(connection.alias)
    times = []
    for run in range(3):
        seconds, stats = timed(rollups.recompute_all, organization.id)
        times.append(seconds)
        print(f"  full run {run + 1} ({'cold' if run == 0 else 'warm'}): {seconds:.2f} s  {stats}")
    return times


def python_loop(organization, today: datetime.date) -> float:
    """The per-objective loop a first version would write; same rows as the set-based path."""
    started = time.perf_counter()
    now = timezone.now()
    objectives = list(QualityObjective.objects.filter(organization=organization))
    with transaction.atomic():
        for objective in objectives:
            values = list(
                Measurement.objects.filter(objective=objective)
                .order_by("period_end")
                .values_list("period_end", "value")
            )
            buckets = defaultdict(list)
            for end, value in values:
                for granularity in ("month", "quarter", "year"):
                    if granularity == "month" and objective.frequency == "quarterly":
                        continue
                    buckets[granularity, granularity_end(granularity, end)].append(value)
            rows = []
            for (granularity, end), bucket in buckets.items():
                value = aggregate(objective.aggregation, bucket)
                judged = value
                if objective.aggregation == "sum":
                    judged = (value / len(bucket)).quantize(SIX, ROUND_HALF_UP)
                rows.append(
                    KpiRollup(
                        organization_id=objective.organization_id,
                        objective=objective,
                        org_unit_id=objective.org_unit_id,
                        granularity=granularity,
                        period_end=end,
                        value=value,
                        measurement_count=len(bucket),
                        status=objective_rag(objective, judged),
                        computed_at=now,
                    )
                )
            KpiRollup.objects.bulk_create(
                rows,
                update_conflicts=True,
                unique_fields=["objective", "granularity", "period_end"],
                update_fields=["value", "measurement_count", "status", "computed_at"],
            )
            status = rollups.current_status(
                objective,
                [Measurement(period_end=end, value=value) for end, value in values],
                today,
            )
            objective.current_status, objective.current_value, objective.current_period_end = status
            objective.status_computed_at = now
        QualityObjective.objects.bulk_update(
            objectives,
            ["current_status", "current_value", "current_period_end", "status_computed_at"],
            batch_size=500,
        )
    return time.perf_counter() - started


def aggregate(aggregation: str, values: list[Decimal]) -> Decimal:
    if aggregation == "sum":
        result = sum(values)
    elif aggregation == "min":
        result = min(values)
    elif aggregation == "max":
        result = max(values)
    elif aggregation == "last":
        result = values[-1]
    else:
        result = sum(values) / len(values)
    return Decimal(result).quantize(SIX, ROUND_HALF_UP)


def incremental_runs(organization, runs: int = 50) -> list[float]:
    rng = random.Random(50)  # noqa: S311 (benchmark sampling)
    objectives = list(QualityObjective.objects.filter(organization=organization).order_by("id"))
    added = []
    times = []
    for objective in rng.sample(objectives, runs):
        last = objective.measurements.order_by("-period_end").values_list("period_end", flat=True)
        end = next_period_end(objective.frequency, last.first())
        added.append(
            Measurement.objects.create(
                organization=organization,
                objective=objective,
                period_end=end,
                value=objective.target,
                entered_at=timezone.now(),
            )
        )
        seconds, _ = timed(rollups.recompute_objective, objective.id, [end])
        times.append(seconds)
    for measurement in added:
        measurement.delete()
        rollups.recompute_objective(measurement.objective_id, [measurement.period_end])
    return times


def main() -> None:
    if connection.vendor != "postgresql":
        sys.exit("Set DATABASE_URL=postgres://...: the benchmark runs on PostgreSQL.")
    organization = Organization.objects.get(slug="bench")
    today = timezone.localdate()
    print("Full recompute (set-based):")
    full = full_runs(organization)
    snapshot = kpi_checksum(organization)
    print("Per-objective Python loop:")
    loop = python_loop(organization, today)
    print(
        f"  {loop:.2f} s; same KPI rollups as set-based: {kpi_checksum(organization) == snapshot}"
    )
    rollups.recompute_all(organization.id)
    print("Incremental (one new value, 50 objectives):")
    incremental = incremental_runs(organization)
    median_ms = statistics.median(incremental) * 1000
    p95_ms = statistics.quantiles(incremental, n=20)[-1] * 1000
    print()
    print(f"{'measure':48} {'result':>12} {'target':>10}")
    rows = [
        ("full recompute_all, cold run (empty rollups)", f"{full[0]:.2f} s", ""),
        ("full recompute_all, warm runs", f"{full[1]:.2f}/{full[2]:.2f} s", ""),
        ("full recompute_all, median of 3", f"{statistics.median(full):.2f} s", "≤ 10 s"),
        ("per-objective Python loop (KPI rollups+status)", f"{loop:.2f} s", ""),
        ("loop / set-based median", f"{loop / statistics.median(full):.1f} times", ""),
        ("incremental recompute_objective, median", f"{median_ms:.1f} ms", "≤ 50 ms"),
        ("incremental recompute_objective, p95", f"{p95_ms:.1f} ms", ""),
    ]
    for name, result, target in rows:
        print(f"{name:48} {result:>12} {target:>10}")


def kpi_checksum(organization) -> tuple:
    """Rows, values and statuses of the organisation's KPI rollups, order-independent."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*), SUM(value), SUM(measurement_count), "
            "SUM(CASE status WHEN 'green' THEN 1 WHEN 'amber' THEN 100 WHEN 'red' THEN 10000 "
            "ELSE 1000000 END) FROM objectives_kpirollup WHERE organization_id = %s",
            [organization.id],
        )
        return cursor.fetchone()


if __name__ == "__main__":
    main()
