"""Reminders through a real Celery worker (two processes racing), on the embedded broker and
on Redis: the reminder task queued twice creates and e-mails each notification exactly once."""

import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.subprocesses import BASE_DIR, product_env

# An organisation with one action 10 days overdue: its owner is reminded and, being more than
# 7 days late, its accountable executive gets the escalation.
SEED = """
import datetime
from django.contrib.auth import get_user_model
from django.utils import timezone
from qms.core import services
from qms.core.actions.services import action_create
from qms.core.models import Membership
today = timezone.localdate()
org = services.organization_create(name="Worker Test Ltd", slug="worker-test")
users = get_user_model().objects
def member(name, role):
    user = users.create_user(name, f"{name}@example.test", "x" * 12)
    return Membership.objects.create(user=user, organization=org, role=role)
boss, owner = member("boss", "executive"), member("owner", "contributor")
qm = member("qm", "quality_manager")
due = today - datetime.timedelta(days=10)
action_create(organization=org, raised_by=qm, title="Fix the gauge", owner=owner,
              accountable_executive=boss, due_date=due, today=due - datetime.timedelta(days=1))
"""
QUEUE_TWICE = (
    "from qms.core.notifications.tasks import run_reminders; "
    "run_reminders.delay(); run_reminders.delay()"
)


def _run(tmp_path: Path, database: Path, extra_env: dict) -> tuple[list, str]:
    # DEBUG: the demo's settings (DEBUG is off unless set).
    env = product_env(DATABASE_URL=f"sqlite:///{database}", QMS_DATA_DIR=str(tmp_path),
                      DEBUG="True", **extra_env)  # fmt: skip
    python = sys.executable
    run = {"cwd": BASE_DIR, "env": env, "check": True, "capture_output": True, "timeout": 120}
    subprocess.run([python, "manage.py", "shell", "-v", "0", "-c", SEED], **run)
    log_path = tmp_path / "worker.log"
    with log_path.open("w") as log:
        worker = subprocess.Popen(
            [str(Path(python).parent / "celery"), "-A", "qms", "worker", "--concurrency=2",
             "--loglevel=INFO"],
            cwd=BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            subprocess.run([python, "manage.py", "shell", "-v", "0", "-c", QUEUE_TWICE], **run)
            deadline = time.monotonic() + 90
            done = 0
            while time.monotonic() < deadline and done < 2:
                time.sleep(0.5)
                text = log_path.read_text()
                done = sum(
                    1
                    for line in text.splitlines()
                    if "notifications.run_reminders[" in line and "succeeded" in line
                )
        finally:
            worker.terminate()
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                worker.kill()
    with sqlite3.connect(database, timeout=30) as db:
        rows = db.execute(
            "SELECT kind, email_status, email_attempts FROM core_notification ORDER BY kind"
        ).fetchall()
    return rows, log_path.read_text()


EXPECTED = [
    ("action-overdue", "sent", 1),
    ("action-overdue-escalated", "sent", 1),
]


@pytest.mark.real_worker
def test_reminders_run_twice_on_the_embedded_broker_send_each_once(tmp_path, migrated_database):
    rows, log = _run(tmp_path, migrated_database, {})
    assert rows == EXPECTED, log[-3000:]


@pytest.mark.redis
@pytest.mark.real_worker
def test_reminders_run_twice_on_redis_send_each_once(tmp_path, migrated_database):
    # This test worker's own Redis database (tests/settings.py): no other test reads it now.
    rows, log = _run(tmp_path, migrated_database, {"REDIS_URL": os.environ["REDIS_URL"]})
    assert rows == EXPECTED, log[-3000:]
