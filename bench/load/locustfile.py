"""Locust users for the load test; started by bench/bench_load.py, which signs the browser users
in and writes the plan this file reads (`QMS_LOAD_PLAN`: session cookies, API token, objective
codes). Not meant to be run on its own.

Two kinds of user share the 50 slots, as they share a real server:
- people in a browser (session cookie): the executive dashboard, the objective list (a page of
  it, sometimes filtered) and an objective's detail page, reading each page for a while before
  the next click (`QMS_LOAD_THINK`, seconds "min,max"; 5,15 by default);
- API clients (token): objectives list and detail, one objective's measurements and monthly
  rollups, actions and management reviews, pausing between calls (`QMS_LOAD_API_THINK`; 1,3 by
  default: a sync script that pages through what it needs, not a tight loop).

Every request's own time is kept (not Locust's rounded histogram) and written at the end to
`QMS_LOAD_SAMPLES`, so bench_load.py computes exact percentiles per endpoint.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import time

from locust import between, events, task
from locust.contrib.fasthttp import FastHttpUser

PLAN = json.loads(open(os.environ["QMS_LOAD_PLAN"], encoding="utf-8").read())  # noqa: SIM115
ORG = PLAN["organization"]
CODES = PLAN["codes"]
UNITS = PLAN["units"]
SESSIONS = itertools.cycle(PLAN["sessions"])
API = f"/api/v1/organizations/{ORG}"


def _seconds(name: str, default: str) -> tuple[float, float]:
    low, high = os.environ.get(name, default).split(",")
    return float(low), float(high)


SAMPLES: list[tuple[str, float, float, int, str]] = []


@events.request.add_listener
def keep_sample(request_type, name, response_time, response, exception, start_time, **kw):
    status = getattr(response, "status_code", 0) or 0
    SAMPLES.append((name, start_time, response_time, status, repr(exception) if exception else ""))


SPAWNED: dict[str, float] = {}


@events.spawning_complete.add_listener
def mark_spawned(user_count, **kw):
    # The measured window starts when every user is in (bench_load.py drops the ramp-up).
    SPAWNED["at"] = time.time()


@events.quitting.add_listener
def write_samples(environment, **kw):
    with open(os.environ["QMS_LOAD_SAMPLES"], "w", encoding="utf-8") as out:
        json.dump({"spawned_at": SPAWNED.get("at"), "samples": SAMPLES}, out)


class Visitor(FastHttpUser):
    """Common checking: an answer that is not 2xx/3xx, or no answer, is an error. Redirects are
    not followed, so a session that lost its sign-in shows as a 302 (counted apart by the
    driver) instead of a quietly served login page."""

    abstract = True

    def get(self, url: str, name: str, **headers) -> None:
        with self.client.get(
            url,
            name=name,
            headers=headers,
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if not 200 <= response.status_code < 400:
                response.failure(f"HTTP {response.status_code}")
            else:
                response.success()


class BrowserUser(Visitor):
    weight = 7  # 35 of 50 users
    wait_time = between(*_seconds("QMS_LOAD_THINK", "5,15"))

    def on_start(self) -> None:
        # The production cookies are Secure, so a client on plain http would not send them
        # back on its own: send the signed-in session as a header, as the browser behind TLS
        # would.
        self.cookie = next(SESSIONS)["cookie"]

    def page(self, url: str, name: str) -> None:
        self.get(url, name, Cookie=self.cookie)

    @task(3)
    def dashboard(self) -> None:
        self.page(f"/o/{ORG}/dashboard/", "page: dashboard")

    @task(2)
    def objective_list(self) -> None:
        choice = random.random()  # noqa: S311
        if choice < 0.6:
            url = f"/o/{ORG}/objectives/?page={random.randint(1, 72)}"  # noqa: S311
        elif choice < 0.8:
            url = f"/o/{ORG}/objectives/?rag=red&sort=code"
        else:
            url = f"/o/{ORG}/objectives/?unit={random.choice(UNITS)}"  # noqa: S311
        self.page(url, "page: objective list")

    @task(4)
    def objective_detail(self) -> None:
        self.page(f"/o/{ORG}/objectives/{random.choice(CODES)}/", "page: objective detail")  # noqa: S311


class ApiClient(Visitor):
    weight = 3  # 15 of 50 users
    wait_time = between(*_seconds("QMS_LOAD_API_THINK", "1,3"))

    def call(self, url: str, name: str) -> None:
        self.get(url, name, Authorization=f"Token {PLAN['token']}", Accept="application/json")

    @task(2)
    def objectives(self) -> None:
        self.call(f"{API}/objectives/?page={random.randint(1, 80)}", "api: objectives list")  # noqa: S311

    @task(2)
    def objective(self) -> None:
        self.call(f"{API}/objectives/{random.choice(CODES)}/", "api: objective detail")  # noqa: S311

    @task(2)
    def measurements(self) -> None:
        code = random.choice(CODES)  # noqa: S311
        self.call(f"{API}/measurements/?objective={code}", "api: measurements of one objective")

    @task(1)
    def rollups(self) -> None:
        code = random.choice(CODES)  # noqa: S311
        self.call(
            f"{API}/rollups/?objective={code}&granularity=month", "api: rollups of one objective"
        )

    @task(1)
    def actions(self) -> None:
        self.call(f"{API}/actions/?page={random.randint(1, 20)}", "api: actions list")  # noqa: S311

    @task(1)
    def reviews(self) -> None:
        self.call(f"{API}/management-reviews/", "api: management reviews list")
