"""Load test: gunicorn with production settings on PostgreSQL and Redis, 50 users for 60 s.

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/qms_bench
    .venv/bin/pip install -e '.[bench]'        # Locust
    .venv/bin/python bench/generate.py
    .venv/bin/python bench/bench_load.py       # --users 50 --seconds 60 --workers 5

Needs the bench organisation (bench/generate.py); computes its rollups if they are missing.
Then, in order:

1. setup (idempotent): a known password for the executive `bench-executive-1` and for a quality
   manager `bench-load-quality` (created if missing), their failed-login records cleared, an
   API token for the quality manager;
2. `collectstatic` into var/bench-load/static, then gunicorn (sync workers, 2 x cores + 1 by
   default, gunicorn's own rule) on 127.0.0.1 with DEBUG=0, a random SECRET_KEY, Redis db 5 and
   SECURE_SSL_REDIRECT=0 (plain http on the loopback; in production TLS ends at the proxy);
3. waits for /healthz, then signs every browser user in through the real login form (one
   session each, timed and reported apart: the password hash is deliberately slow and a sign-in
   happens once a day, not once a page);
4. runs Locust headless as a separate process (bench/load/locustfile.py) for the measured
   window, stops gunicorn and prints per endpoint and overall: requests, throughput, p50/p95/p99
   and errors (anything not 2xx/3xx, or no answer). Exact percentiles, from every request's own
   time.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import re
import resource
import secrets
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

import psutil  # comes with Locust

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qms.settings")

ORG = "bench"
EXECUTIVE = "bench-executive-1"
QUALITY_MANAGER = "bench-load-quality"
# A benchmark database's throwaway password, set by this script on every run.
PASSWORD = "load-test-only-Lq7-pass"  # noqa: S105
REDIS_DB = 5
OUT = ROOT / "var" / "bench-load"
TARGET_P95_MS = 300
RAMP_SECONDS = 10


def setup() -> dict:
    """Users, token and the objective codes to visit; computes rollups when there are none."""
    import django

    django.setup()
    from axes.models import AccessAttempt, AccessFailureLog
    from django.contrib.auth import get_user_model
    from django.db import connection
    from rest_framework.authtoken.models import Token

    from objectives import rollups
    from objectives.models import KpiRollup, QualityObjective
    from qms.core.models import Membership, Organization, OrgUnit
    from qms.core.roles import Role

    if connection.vendor != "postgresql":
        sys.exit("The load test runs on PostgreSQL: set DATABASE_URL=postgres://...")
    organization = Organization.objects.filter(slug=ORG).first()
    if organization is None:
        sys.exit("Run bench/generate.py first.")
    if not KpiRollup.objects.filter(organization=organization).exists():
        print("Computing the bench rollups (once)...", flush=True)
        rollups.recompute_all(organization.id)
    # A freshly generated database has no planner statistics until autovacuum analyses it (and
    # this machine's PostgreSQL runs with autovacuum off): without them PostgreSQL walked 330,000
    # rollup rows for one objective's page. A production database has them; so must the bench.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")

    User = get_user_model()
    executive = User.objects.get(username=EXECUTIVE)
    quality, _ = User.objects.get_or_create(username=QUALITY_MANAGER)
    Membership.objects.get_or_create(
        user=quality, organization=organization, defaults={"role": Role.QUALITY_MANAGER}
    )
    for user in (executive, quality):
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])
    # A lock-out left by an earlier, broken run would turn every sign-in into a 429.
    usernames = [EXECUTIVE, QUALITY_MANAGER]
    AccessAttempt.objects.filter(username__in=usernames).delete()
    AccessFailureLog.objects.filter(username__in=usernames).delete()
    token, _ = Token.objects.get_or_create(user=quality)
    codes = list(
        QualityObjective.objects.filter(organization=organization)
        .order_by("code")
        .values_list("code", flat=True)
    )
    units = list(OrgUnit.objects.for_organization(organization).values_list("id", flat=True))
    connection.close()
    return {"organization": ORG, "codes": codes, "units": units, "token": token.key}


def server_environment(database_url: str) -> dict:
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": database_url,
        "REDIS_URL": f"redis://127.0.0.1:6379/{REDIS_DB}",
        "SECURE_SSL_REDIRECT": "0",
        "STATIC_ROOT": str(OUT / "static"),
        "QMS_DATA_DIR": str(OUT / "data"),
        "LOG_LEVEL": "WARNING",
    }
    env.pop("QMS_TESTING", None)
    return env


def wait_healthy(port: int, server: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"gunicorn exited with {server.returncode}; see {OUT / 'gunicorn.log'}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/healthz", headers={"Host": "127.0.0.1"})
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.5)
    sys.exit("gunicorn did not answer /healthz in time.")


def _cookies(response: http.client.HTTPResponse) -> dict[str, str]:
    found = {}
    for header in response.headers.get_all("Set-Cookie") or []:
        name, _, rest = header.partition("=")
        found[name.strip()] = rest.split(";", 1)[0]
    return found


def sign_in(port: int, username: str) -> tuple[str, float]:
    """Through the login form, as a browser does: GET it (CSRF cookie and token), POST it.
    Returns the Cookie header of the signed-in session and the POST's time in ms."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", "/accounts/login/", headers={"Host": "127.0.0.1"})
    response = connection.getresponse()
    page = response.read().decode()
    cookies = _cookies(response)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    body = urlencode({"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token})
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request(
        "POST",
        "/accounts/login/",
        body=body,
        headers={
            "Host": "127.0.0.1",
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={cookies['csrftoken']}",
        },
    )
    response = connection.getresponse()
    response.read()
    elapsed = (time.perf_counter() - started) * 1000
    cookies.update(_cookies(response))
    if response.status != 302 or "sessionid" not in cookies:
        sys.exit(f"Sign-in of {username} failed: HTTP {response.status}")
    return f"sessionid={cookies['sessionid']}", elapsed


def database_cpu(name: str) -> dict[int, float]:
    """CPU seconds of each PostgreSQL backend serving database `name`, by process id."""
    found = {}
    for process in psutil.process_iter(["cmdline"]):
        cmdline = " ".join(process.info["cmdline"] or [])
        if cmdline.startswith("postgres:") and f" {name} " in cmdline:
            with contextlib.suppress(psutil.Error):
                found[process.pid] = sum(process.cpu_times()[:2])
    return found


def percentile(ordered: list[float], share: float) -> float:
    """Nearest-rank percentile of an ordered list."""
    if not ordered:
        return 0.0
    rank = max(1, round(share * len(ordered) + 0.4999))
    return ordered[min(rank, len(ordered)) - 1]


def summarise(samples: list, seconds: float) -> list[dict]:
    groups: dict[str, list] = {}
    for sample in samples:
        groups.setdefault(sample[0], []).append(sample)
    pages = [s for s in samples if s[0].startswith("page:")]
    api = [s for s in samples if s[0].startswith("api:")]
    rows = []
    for name, rows_in in [
        *sorted(groups.items()),
        ("all pages", pages),
        ("all API calls", api),
        ("overall", samples),
    ]:
        times = sorted(s[2] for s in rows_in)
        rows.append(
            {
                "endpoint": name,
                "requests": len(rows_in),
                "rps": len(rows_in) / seconds,
                "p50": percentile(times, 0.50),
                "p95": percentile(times, 0.95),
                "p99": percentile(times, 0.99),
                "max": times[-1] if times else 0.0,
                "errors": sum(1 for s in rows_in if s[4] or not 200 <= s[3] < 400),
                "redirects": sum(1 for s in rows_in if 300 <= s[3] < 400),
            }
        )
    return rows


def print_table(rows: list[dict]) -> None:
    header = f"{'endpoint':<38}{'requests':>9}{'req/s':>8}{'p50':>8}{'p95':>8}{'p99':>8}"
    print(header + f"{'max':>8}{'errors':>8}{'3xx':>5}")
    for row in rows:
        if row["endpoint"] == "all pages":
            print("-" * (len(header) + 21))
        print(
            f"{row['endpoint']:<38}{row['requests']:>9}{row['rps']:>8.1f}"
            f"{row['p50']:>8.0f}{row['p95']:>8.0f}{row['p99']:>8.0f}{row['max']:>8.0f}"
            f"{row['errors']:>8}{row['redirects']:>5}"
        )
    print("(times in ms)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    parser.add_argument("--port", type=int, default=8077)
    parser.add_argument("--think", default="5,15", help="a browser user's pause, seconds min,max")
    parser.add_argument("--api-think", default="1,3", help="an API client's pause, min,max")
    args = parser.parse_args()

    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith("postgres"):
        sys.exit("Set DATABASE_URL=postgres://postgres@127.0.0.1:5432/qms_bench")
    OUT.mkdir(parents=True, exist_ok=True)
    env = server_environment(database_url)
    # This process's own Django (the setup step) reads the same settings as the server.
    os.environ.update({k: v for k, v in env.items() if k not in os.environ or k == "DEBUG"})
    plan = setup()
    python = sys.executable
    bin_dir = Path(python).parent
    manifest = OUT / "static" / "staticfiles.json"
    newest = max(path.stat().st_mtime for path in (ROOT / "static").rglob("*") if path.is_file())
    if not manifest.exists() or manifest.stat().st_mtime < newest:
        print("Collecting static files (compressed, hashed: about a minute)...", flush=True)
        subprocess.run(  # noqa: S603
            [python, "manage.py", "collectstatic", "--noinput", "-v0"],
            cwd=ROOT,
            env=env,
            check=True,
        )

    load_before = os.getloadavg()
    print(f"Load average before: {load_before[0]:.2f} {load_before[1]:.2f} {load_before[2]:.2f}")
    log = (OUT / "gunicorn.log").open("w")
    (OUT / "access.log").unlink(missing_ok=True)  # gunicorn appends: keep this run's lines only
    server = subprocess.Popen(  # noqa: S603
        [
            str(bin_dir / "gunicorn"),
            "qms.wsgi",
            "--bind",
            f"127.0.0.1:{args.port}",
            "--workers",
            str(args.workers),
            "--access-logfile",
            str(OUT / "access.log"),
            # Method, path, status and the worker's own time in microseconds: the difference
            # from the client's time is the wait for a free worker.
            "--access-logformat",
            "%(m)s %(U)s %(s)s %(D)s",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_healthy(args.port, server)
        browsers = round(args.users * 0.7)  # the locustfile's weights: 7 browser, 3 API
        sign_ins = []
        plan["sessions"] = []
        for number in range(browsers):
            username = EXECUTIVE if number % 2 == 0 else QUALITY_MANAGER
            cookie, elapsed = sign_in(args.port, username)
            plan["sessions"].append({"cookie": cookie, "username": username})
            sign_ins.append(elapsed)
        plan_file = OUT / "plan.json"
        plan_file.write_text(json.dumps(plan))
        samples_file = OUT / "samples.json"
        samples_file.unlink(missing_ok=True)
        print(
            f"{browsers} sign-ins through the login form: median "
            f"{statistics.median(sign_ins):.0f} ms, max {max(sign_ins):.0f} ms (not in the table)"
        )
        print(
            f"Locust: {args.users} users ({browsers} browser, {args.users - browsers} API), "
            f"{args.seconds} s, gunicorn {args.workers} sync workers, think time "
            f"{args.think} s (browser) / {args.api_think} s (API)",
            flush=True,
        )
        workers = psutil.Process(server.pid).children()
        cpu_before = sum(sum(w.cpu_times()[:2]) for w in workers)
        machine_before = psutil.cpu_times()
        database = database_url.rsplit("/", 1)[-1]
        database_before = database_cpu(database)
        children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.monotonic()
        subprocess.run(  # noqa: S603
            [
                str(bin_dir / "locust"),
                "-f",
                str(ROOT / "bench" / "load" / "locustfile.py"),
                "--headless",
                "--users",
                str(args.users),
                # Users arrive over RAMP_SECONDS, as people do, not all in the same instant
                # (50 first clicks at once measured the herd, not the app); the window starts
                # once all are in.
                "--spawn-rate",
                str(args.users / RAMP_SECONDS),
                "--run-time",
                f"{args.seconds + RAMP_SECONDS + 1}s",
                "--host",
                f"http://127.0.0.1:{args.port}",
                "--only-summary",
                "--loglevel",
                "WARNING",
                "--stop-timeout",
                "10",
            ],
            cwd=ROOT,
            env={
                **os.environ,
                "QMS_LOAD_PLAN": str(plan_file),
                "QMS_LOAD_SAMPLES": str(samples_file),
                "QMS_LOAD_THINK": args.think,
                "QMS_LOAD_API_THINK": args.api_think,
            },
            stdout=(OUT / "locust.log").open("w"),
            stderr=subprocess.STDOUT,
            check=False,
        )
        elapsed = time.monotonic() - started
        load_after = os.getloadavg()
        server_cpu = sum(sum(w.cpu_times()[:2]) for w in workers) - cpu_before
        machine = psutil.cpu_times()
        # A lower bound: a connection closed during the window (CONN_MAX_AGE) takes its CPU along.
        database_used = sum(
            cpu - database_before.get(pid, 0.0) for pid, cpu in database_cpu(database).items()
        )
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        locust_cpu = (children.ru_utime + children.ru_stime) - (
            children_before.ru_utime + children_before.ru_stime
        )
        idle = (machine.idle + machine.iowait) - (machine_before.idle + machine_before.iowait)
        busy = sum(machine) - sum(machine_before) - idle
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    if not samples_file.exists():
        sys.exit(f"Locust wrote no samples; see {OUT / 'locust.log'}")
    recorded = json.loads(samples_file.read_text())
    window_start = recorded["spawned_at"]
    if window_start is None:
        sys.exit(f"Locust never had all its users running; see {OUT / 'locust.log'}")
    window_end = window_start + args.seconds
    ramp = [s for s in recorded["samples"] if s[1] < window_start]
    samples = [s for s in recorded["samples"] if window_start <= s[1] < window_end]
    ramp_times = sorted(s[2] for s in ramp)
    print(
        f"Ramp-up ({RAMP_SECONDS} s, not in the table): {len(ramp)} requests, p50 "
        f"{percentile(ramp_times, 0.5):.0f} ms, p95 {percentile(ramp_times, 0.95):.0f} ms, "
        f"{sum(1 for s in ramp if s[4] or not 200 <= s[3] < 400)} errors"
    )
    # Locust's run time is the window; the stop timeout lets requests in flight finish.
    rows = summarise(samples, float(args.seconds))
    print(
        f"Window: the {args.seconds} s after all {args.users} users were in "
        f"(Locust ran {elapsed:.0f} s with ramp-up and stop)"
    )
    print_table(rows)
    print(
        f"gunicorn workers used {server_cpu:.1f} CPU-seconds in {elapsed:.0f} s "
        f"({server_cpu / elapsed:.2f} of {os.cpu_count()} cores), "
        f"{server_cpu * 1000 / max(1, len(recorded['samples'])):.0f} ms of CPU per request "
        "(whole run)"
    )
    worker_ms = sorted(
        int(line.split()[3]) / 1000
        for line in (OUT / "access.log").read_text().splitlines()
        if line.startswith("GET /o/") or line.startswith("GET /api/")
    )
    print(
        "Time inside the workers (access log, whole run): "
        f"p50 {percentile(worker_ms, 0.5):.0f} ms, "
        f"p95 {percentile(worker_ms, 0.95):.0f} ms; the rest of a request's time is the wait "
        "for a free worker"
    )
    print(
        f"The whole machine was busy {busy:.0f} CPU-seconds of {busy + idle:.0f}: gunicorn "
        f"{server_cpu:.0f}, its PostgreSQL backends at least {database_used:.0f}, Locust "
        f"{locust_cpu:.0f}, everything else running here "
        f"{busy - server_cpu - database_used - locust_cpu:.0f}"
    )
    print(f"Load average after: {load_after[0]:.2f} {load_after[1]:.2f} {load_after[2]:.2f}")
    (OUT / "results.json").write_text(json.dumps(rows, indent=1))
    overall = rows[-1]
    verdict = "met" if overall["errors"] == 0 and overall["p95"] < TARGET_P95_MS else "NOT met"
    print(f"Target (0 errors, p95 under {TARGET_P95_MS} ms): {verdict}")


if __name__ == "__main__":
    main()
