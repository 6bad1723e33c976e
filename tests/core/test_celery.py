"""Background work: the heartbeat task, the status page, and a real worker with beat on the
embedded broker and on Redis."""

import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.urls import reverse

from qms.core.models import WorkerHeartbeat
from qms.core.schedules import ensure_schedules
from qms.core.tasks import heartbeat
from tests.subprocesses import BASE_DIR, product_env


@pytest.mark.django_db
def test_heartbeat_records_each_run():
    heartbeat("manual")
    heartbeat("manual")
    beat = WorkerHeartbeat.objects.get(source="manual")
    assert beat.runs == 2


@pytest.mark.django_db
def test_status_page_says_when_no_worker_has_been_seen(client, cast):
    client.force_login(cast.adam)
    html = client.get(reverse("core:system", kwargs={"org_slug": "acme-test"})).content.decode()
    assert "Not seen yet" in html


@pytest.mark.django_db
def test_admin_queues_a_test_task_and_the_page_shows_it_ran(
    client, cast, django_capture_on_commit_callbacks
):
    client.force_login(cast.adam)
    url = reverse("core:system-test-task", kwargs={"org_slug": "acme-test"})
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    assert WorkerHeartbeat.objects.get(source="manual").runs == 1
    page = client.get(response["Location"]).content.decode()
    assert "A test task was queued" in page
    assert "1 in all" in page


@pytest.mark.django_db
def test_default_schedules_are_created_once_and_edits_survive():
    from django_celery_beat.models import PeriodicTask

    assert "Worker heartbeat" in ensure_schedules()
    PeriodicTask.objects.filter(name="Worker heartbeat").update(enabled=False)
    assert ensure_schedules() == []
    assert PeriodicTask.objects.get(name="Worker heartbeat").enabled is False


def _run_real_worker(tmp_path: Path, database: Path, extra_env: dict) -> dict:
    """Start `celery worker -B` on a migrated SQLite database, queue one task from another
    process and wait until both the beat-scheduled and the queued heartbeat have run."""
    env = product_env(
        DATABASE_URL=f"sqlite:///{database}",
        QMS_DATA_DIR=str(tmp_path),
        QMS_HEARTBEAT_SECONDS="1",
        DEBUG="True",  # the demo's settings (DEBUG is off unless set)
        **extra_env,
    )
    python = sys.executable
    celery = str(Path(python).parent / "celery")
    run = {"cwd": BASE_DIR, "env": env, "check": True, "capture_output": True, "timeout": 120}
    subprocess.run([python, "manage.py", "ensure_schedules"], **run)
    log = (tmp_path / "worker.log").open("w")
    worker = subprocess.Popen(
        [
            celery,
            "-A",
            "qms",
            "worker",
            "-B",
            "--concurrency=1",
            "--loglevel=INFO",
            "-s",
            str(tmp_path / "beat-schedule"),
        ],
        cwd=BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        subprocess.run(
            [
                python,
                "manage.py",
                "shell",
                "-v",
                "0",
                "-c",
                "from qms.core.tasks import heartbeat; heartbeat.delay('manual')",
            ],
            **run,
        )
        deadline = time.monotonic() + 90
        seen: dict = {}
        while time.monotonic() < deadline and set(seen) != {"beat", "manual"}:
            with sqlite3.connect(database, timeout=30) as db:
                seen = dict(db.execute("SELECT source, runs FROM core_workerheartbeat").fetchall())
            if set(seen) != {"beat", "manual"}:
                time.sleep(0.5)
        return seen
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
        log.close()


@pytest.mark.real_worker
def test_worker_with_beat_runs_tasks_on_the_embedded_broker(tmp_path, migrated_database):
    seen = _run_real_worker(tmp_path, migrated_database, {})
    assert set(seen) == {"beat", "manual"}, (tmp_path / "worker.log").read_text()[-3000:]


@pytest.mark.redis
@pytest.mark.real_worker
def test_worker_with_beat_runs_tasks_on_redis(tmp_path, migrated_database):
    # This test worker's own Redis database (tests/settings.py): no other test reads it now.
    seen = _run_real_worker(tmp_path, migrated_database, {"REDIS_URL": os.environ["REDIS_URL"]})
    assert set(seen) == {"beat", "manual"}, (tmp_path / "worker.log").read_text()[-3000:]
