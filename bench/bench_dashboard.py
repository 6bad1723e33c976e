"""Dashboard benchmark: server time and page size of /o/bench/dashboard/ at scale, on PostgreSQL.

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/qms_bench
    .venv/bin/python bench/generate.py
    .venv/bin/python bench/bench_rollups.py
    .venv/bin/python bench/bench_dashboard.py

Needs the bench organisation (2,000 objectives, 1,000,000 measurements, 200 reviews, 20,000
actions) with its rollups computed (bench_rollups.py does that). Renders the page in-process with
Django's test client as an executive: 3 warm-up requests, then 30 timed ones per view (the
default, a unit filter, an executive filter); prints median and p95 server time, queries and
page size. Target: median under 150 ms.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qms.settings")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from qms.core.models import Membership, OrgUnit  # noqa: E402

RUNS = 30


def measure(client: Client, url: str) -> dict:
    for _ in range(3):
        client.get(url, HTTP_HOST="localhost")
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        response = client.get(url, HTTP_HOST="localhost")
        times.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            sys.exit(f"{url} answered {response.status_code}")
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, HTTP_HOST="localhost")
    times.sort()
    return {
        "median": statistics.median(times),
        "p95": times[int(len(times) * 0.95) - 1],
        "queries": len(queries.captured_queries),
        "kb": len(response.content) / 1024,
    }


def main() -> None:
    if connection.vendor != "postgresql":
        print("Warning: not on PostgreSQL; set DATABASE_URL=postgres://...", file=sys.stderr)
    executive = (
        Membership.objects.filter(organization__slug="bench", role="executive")
        .select_related("user")
        .order_by("id")
        .first()
    )
    if executive is None:
        sys.exit("Run bench/generate.py first.")
    client = Client()
    client.force_login(executive.user)
    site = OrgUnit.objects.get(organization__slug="bench", code="B1")
    views = {
        "default (last 12 months)": "/o/bench/dashboard/",
        "unit filter (a site)": f"/o/bench/dashboard/?unit={site.pk}",
        "executive filter": f"/o/bench/dashboard/?executive={executive.pk}",
    }
    print(f"Dashboard benchmark: {RUNS} requests per view after 3 warm-up, {connection.vendor}")
    print(f"{'view':<28}{'median':>10}{'p95':>10}{'queries':>9}{'page':>10}")
    for label, url in views.items():
        result = measure(client, url)
        print(
            f"{label:<28}{result['median']:>8.1f}ms{result['p95']:>8.1f}ms"
            f"{result['queries']:>9}{result['kb']:>8.0f}KB"
        )


if __name__ == "__main__":
    main()
