"""Measurement import benchmark: 100,000 CSV rows through `measurements_import`, on PostgreSQL.

    createdb -h 127.0.0.1 -U postgres qms_bench   # once, if missing
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/qms_bench .venv/bin/python manage.py migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/qms_bench .venv/bin/python bench/bench_import.py

Sets up (idempotently) the organisation "bench-import" with 200 monthly objectives, writes a
100,000-row CSV (200 objectives x 500 months) to a temporary file, then times parse + validate +
write end to end three times: a cold import (all new), the same file again (all unchanged), and
a file with every value changed (all corrections). Target ≤ 15 s each. Peak RSS is the process's
high-water mark (it only grows), printed after each run. Rollups are not part of the import:
the queued `rollup_all` is counted, not run.
"""

from __future__ import annotations

import csv
import datetime
import os
import resource
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qms.settings")

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402

from objectives import services as objective_services  # noqa: E402
from objectives import tasks  # noqa: E402
from objectives.import_files import read_rows  # noqa: E402
from objectives.imports import measurements_import, summary  # noqa: E402
from objectives.models import Measurement, QualityObjective  # noqa: E402
from objectives.periods import next_period_end  # noqa: E402
from qms.core import services as core_services  # noqa: E402
from qms.core.models import Membership, Organization, OrgUnit  # noqa: E402

SLUG = "bench-import"
OBJECTIVES = 200
MONTHS = 500
FIRST_END = datetime.date(1990, 1, 31)


def setup() -> tuple[Organization, object]:
    organization = Organization.objects.filter(slug=SLUG).first()
    if organization is None:
        organization = core_services.organization_create(name="Bench Import Ltd", slug=SLUG)
        core_services.org_unit_create(organization=organization, name="Bench Import Ltd")
    unit = OrgUnit.objects.filter(organization=organization).first()
    users = get_user_model().objects
    manager, _ = users.get_or_create(username="bench-import-qm")
    executive, _ = users.get_or_create(username="bench-import-exec")
    qm, _ = Membership.objects.get_or_create(
        organization=organization, user=manager, defaults={"role": "quality_manager"}
    )
    boss, _ = Membership.objects.get_or_create(
        organization=organization, user=executive, defaults={"role": "executive"}
    )
    existing = set(
        QualityObjective.objects.filter(organization=organization).values_list("code", flat=True)
    )
    for number in range(1, OBJECTIVES + 1):
        code = f"BI-{number:03}"
        if code in existing:
            continue
        objective_services.objective_create(
            organization=organization,
            actor=manager,
            code=code,
            title=f"Bench objective {number}",
            org_unit=unit,
            owner=qm,
            accountable_executive=boss,
            start_date=datetime.date(1990, 1, 1),
            due_date=datetime.date(2040, 12, 31),
            unit="%",
            direction="higher",
            target=Decimal("95"),
            amber_threshold=Decimal("92"),
            red_threshold=Decimal("88"),
            frequency="monthly",
            aggregation="mean",
            valid_min=Decimal("0"),
            valid_max=Decimal("100"),
        )
    return organization, manager


def write_csv(path: Path, shift: int) -> None:
    ends = [FIRST_END]
    while len(ends) < MONTHS:
        ends.append(next_period_end("monthly", ends[-1]))
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["objective_code", "period_end", "value", "note"])
        for number in range(1, OBJECTIVES + 1):
            for index, end in enumerate(ends):
                value = (number * 7 + index * 3 + shift) % 1000 / 10
                writer.writerow([f"BI-{number:03}", end.isoformat(), f"{value:.1f}", ""])


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def run(label: str, organization, user, path: Path) -> float:
    started = time.perf_counter()
    result = measurements_import(
        organization=organization,
        rows=read_rows(path, path.name),
        user=user,
        reason=f"Imported from {path.name}",
    )
    seconds = time.perf_counter() - started
    if not result.ok:
        raise SystemExit(f"{label}: the file was rejected: {result.errors[:5]}")
    print(f"  {label:<28} {seconds:6.2f} s   peak RSS {peak_rss_mb():6.0f} MB   {summary(result)}")
    return seconds


def main() -> None:
    if connection.vendor != "postgresql":
        print("Warning: not on PostgreSQL; set DATABASE_URL=postgres://...", file=sys.stderr)
    organization, user = setup()
    # Start from no values, so the first run is a cold import of 100,000 new ones.
    Measurement.history.filter(organization_id=organization.id)._raw_delete(connection.alias)
    Measurement.objects.filter(organization=organization)._raw_delete(connection.alias)
    queued: list[tuple] = []
    tasks.rollup_all.delay = lambda *args: queued.append(("rollup_all", *args))
    tasks.rollup_objective.delay = lambda *args: queued.append(("rollup_objective", *args))
    with tempfile.TemporaryDirectory() as folder:
        first, changed = Path(folder) / "values.csv", Path(folder) / "values-corrected.csv"
        write_csv(first, shift=0)
        write_csv(changed, shift=5)
        size_mb = first.stat().st_size / (1024 * 1024)
        print(
            f"Measurement import benchmark: {OBJECTIVES * MONTHS:,} rows "
            f"({size_mb:.1f} MB CSV), {OBJECTIVES} objectives, {connection.vendor}"
        )
        print(f"  baseline peak RSS before importing: {peak_rss_mb():.0f} MB")
        times = [
            run("1. cold (all new)", organization, user, first),
            run("2. same file (unchanged)", organization, user, first),
            run("3. every value changed", organization, user, changed),
        ]
    print(f"  rollup tasks queued: {len(queued)} ({', '.join(sorted({q[0] for q in queued}))})")
    verdict = "OK" if max(times) <= 15 else "SLOWER THAN TARGET"
    print(f"Result: slowest run {max(times):.2f} s (target ≤ 15 s): {verdict}")


if __name__ == "__main__":
    main()
