"""Evidence pack benchmark: time and peak memory of building a pack at scale, on PostgreSQL.

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/qms_bench
    .venv/bin/python bench/generate.py && .venv/bin/python bench/bench_rollups.py
    .venv/bin/python bench/bench_evidence.py

Builds packs for organisation "bench" (2,000 objectives, 1,000,000 measurements over 22 years,
200 reviews, 20,000 actions) ending on its last measurement: three years (the longest period a
pack may cover), one year, three months. Each is built in a fresh process, so its peak RSS is
its own. Target for one year: under 60 s and under 300 MB. Memory should not grow with the
period: the rows go from the database cursor into the ZIP in chunks.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PERIODS = (1096, 365, 91)


def child(days: int, out: str) -> None:
    import datetime
    import resource
    import time
    import zipfile

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qms.settings")
    import django

    django.setup()
    from django.db.models import Max

    from objectives.models import Measurement
    from qms.core.models import Organization
    from qms.evidence import builder
    from qms.evidence.sections import Scope

    organization = Organization.objects.get(slug="bench")
    end = Measurement.objects.filter(organization=organization).aggregate(m=Max("period_end"))["m"]
    start = end - datetime.timedelta(days=days - 1)
    started = time.perf_counter()
    built = builder.build(Scope(organization, None, start, end), Path(out), created_by="bench")
    seconds = time.perf_counter() - started
    with zipfile.ZipFile(out) as archive:
        measurements = archive.read("6.2-objectives/measurements.csv").count(b"\n") - 1
    print(json.dumps({
        "days": days, "from": start.isoformat(), "to": end.isoformat(), "seconds": seconds,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "zip_mb": built.size / 1024 / 1024, "files": built.files, "measurements": measurements,
    }))  # fmt: skip


def main() -> None:
    results = []
    with tempfile.TemporaryDirectory() as folder:
        for days in PERIODS:
            out = str(Path(folder) / f"pack-{days}.zip")
            done = subprocess.run(  # noqa: S603 - this script, re-run as a child
                [sys.executable, __file__, "--child", str(days), out],
                check=True, capture_output=True, text=True,
            )  # fmt: skip
            results.append(json.loads(done.stdout.strip().splitlines()[-1]))
    print("Evidence pack benchmark (organisation bench, PostgreSQL)")
    print(f"{'period':<27}{'measurements':>13}{'time':>9}{'peak RSS':>11}{'ZIP':>10}{'files':>7}")
    for r in results:
        print(
            f"{r['from']} to {r['to']}{r['measurements']:>13,}{r['seconds']:>8.1f}s"
            f"{r['peak_mb']:>8.0f} MB{r['zip_mb']:>7.1f} MB{r['files']:>7}"
        )
    year = next(r for r in results if r["days"] == 365)
    ok = year["seconds"] < 60 and year["peak_mb"] < 300
    print(f"One year: target under 60 s and 300 MB: {'met' if ok else 'NOT met'}.")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(int(sys.argv[2]), sys.argv[3])
    else:
        main()
