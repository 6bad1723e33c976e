"""A worker dying in the middle of a rollup or an evidence pack build leaves nothing half-written,
and the work, run again, ends exactly as a clean run.

Two kinds of drill: in this process, the build or rollup fails at the drill point (what any
crash leaves behind, seen before a retry); and a real Celery worker whose process SIGKILLs
itself there (qms.core.drills), after which the message is redelivered (acks_late,
reject_on_worker_lost) and the work completes.
"""

import datetime
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from objectives.models import KpiRollup, QualityObjective, UnitRollup
from objectives.rollups import recompute_all
from qms.core.models import Membership
from qms.evidence import builder, services, signing, verify
from qms.evidence.models import EvidencePack, PackStatus
from qms.evidence.sections import Scope
from tests.evidence.factories import objective_with_values
from tests.objectives.factories import add_values
from tests.subprocesses import BASE_DIR, product_env


class WorkerKilled(Exception):
    """Stands for the process dying at a drill point (a SIGKILL would end the test run)."""


def crash_at(point: str):
    def drill_point(name: str) -> None:
        if name == point:
            raise WorkerKilled(name)

    return drill_point


@pytest.fixture
def evidence_storage(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EVIDENCE_SIGNING_KEY = ""
    settings.EVIDENCE_SIGNING_KEY_FILE = str(tmp_path / "key.pem")
    yield tmp_path


def rollup_rows():
    kpi = KpiRollup.objects.order_by("objective_id", "granularity", "period_end").values_list(
        "objective_id", "granularity", "period_end", "value", "measurement_count", "status"
    )
    units = UnitRollup.objects.order_by("org_unit_id", "granularity", "period_end").values_list(
        "org_unit_id", "granularity", "period_end", "objectives", "green", "amber", "red"
    )
    statuses = QualityObjective.objects.order_by("pk").values_list(
        "pk", "current_status", "current_value", "current_period_end"
    )
    return list(kpi), list(units), list(statuses)


# --- in this process --------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_pack_build_that_dies_half_way_leaves_no_file_and_no_ready_pack(
    cast, evidence_storage, monkeypatch
):
    objective_with_values(cast)
    pack = EvidencePack.objects.create(
        organization=cast.org_a,
        requested_by=Membership.objects.get(user=cast.audrey),
        period_start=datetime.date(2025, 1, 1),
        period_end=datetime.date(2025, 12, 31),
    )
    monkeypatch.setattr(builder, "drill_point", crash_at("evidence.section"))
    with pytest.raises(WorkerKilled):
        services.pack_build(pack)
    pack.refresh_from_db()
    assert pack.status == PackStatus.FAILED
    assert not pack.file_name and not pack.sha256
    assert list(builder.storage_dir().iterdir()) == []  # no ZIP, not even a partial one

    monkeypatch.undo()
    services.pack_build(pack)  # what the retry, or the user asking again, does
    pack.refresh_from_db()
    assert pack.status == PackStatus.READY and pack.error == ""
    assert [p.name for p in builder.storage_dir().iterdir()] == [pack.file_name]
    assert verify.verify(services.pack_path(pack), signing.trusted_keys()).ok

    # The same pack built cleanly, in one go, holds the same data files.
    clean = builder.build(
        Scope(cast.org_a, None, pack.period_start, pack.period_end),
        evidence_storage / "clean.zip",
        created_by=pack.requested_by.display_name,
        created_at=pack.created_at,
    )
    assert _data_files(services.pack_path(pack)) == _data_files(clean.path)


def _data_files(path: Path) -> dict:
    """Every file's SHA-256 but the PDF's (the PDF library stamps its own creation time)."""
    report = verify.verify(path, signing.trusted_keys())
    assert report.ok
    return {e["path"]: e["sha256"] for e in report.manifest["files"] if e["path"] != "report.pdf"}


@pytest.mark.django_db
def test_a_rollup_that_dies_half_way_leaves_the_previous_rows(cast, monkeypatch):
    objective = objective_with_values(cast)
    recompute_all(cast.org_a.pk)
    before = rollup_rows()
    add_values(objective, {"2025-04-30": 70, "2025-05-31": 99})  # new values, not rolled up yet

    monkeypatch.setattr("objectives.rollups.drill_point", crash_at("rollups.kpi-written"))
    with pytest.raises(WorkerKilled):
        recompute_all(cast.org_a.pk)
    assert rollup_rows() == before  # the KPI rows written before the crash are gone too

    monkeypatch.undo()
    recompute_all(cast.org_a.pk)
    after_retry = rollup_rows()
    assert after_retry != before
    KpiRollup.objects.all().delete()
    UnitRollup.objects.all().delete()
    recompute_all(cast.org_a.pk)  # from nothing: the clean run
    assert rollup_rows() == after_retry


@pytest.mark.django_db
def test_a_pack_whose_worker_vanished_is_failed_and_its_partial_file_deleted(
    cast, evidence_storage, settings
):
    """The embedded broker does not redeliver a task whose worker died entirely: the nightly
    expiry gives up on the pack, so it does not read "building" for ever."""
    membership = Membership.objects.get(user=cast.audrey)
    now = datetime.datetime.now(datetime.UTC)
    stalled, fresh = (
        EvidencePack.objects.create(
            organization=cast.org_a, requested_by=membership, status=PackStatus.BUILDING,
            period_start=datetime.date(2025, 1, 1), period_end=datetime.date(2025, 12, 31),
        )
        for _ in range(2)
    )  # fmt: skip
    EvidencePack.objects.filter(pk=stalled.pk).update(
        created_at=now - datetime.timedelta(seconds=2 * settings.CELERY_TASK_TIME_LIMIT + 60)
    )
    partial = builder.partial_path(builder.storage_dir() / f"{stalled.uuid}.zip")
    partial.write_bytes(b"PK half a zip")
    services.packs_expire(now=now)
    stalled.refresh_from_db()
    fresh.refresh_from_db()
    assert stalled.status == PackStatus.FAILED
    assert "Request the pack again" in stalled.error
    assert not partial.exists()
    assert fresh.status == PackStatus.BUILDING  # may still be running


# --- a real worker, killed --------------------------------------------------------------------

SEED = """
import datetime
from types import SimpleNamespace
from django.contrib.auth import get_user_model
from qms.core import services
from qms.core.models import Membership
from qms.evidence.models import EvidencePack
from tests.objectives.factories import add_values, make_objective
org = services.organization_create(name="Drill Ltd", slug="drill")
services.org_unit_create(organization=org, name="Drill Ltd", kind="company", code="D")
users = get_user_model().objects
def member(name, role):
    user = users.create_user(name, f"{name}@example.test", "x" * 12)
    return Membership.objects.create(user=user, organization=org, role=role)
member("boss", "executive")
qm = member("qm", "quality_manager")
objective = make_objective(SimpleNamespace(org_a=org), code="OBJ-01")
add_values(objective, {datetime.date(2025, m + 1, 1) - datetime.timedelta(days=1): 80 + m
                       for m in range(1, 12)})
pack = EvidencePack.objects.create(organization=org, requested_by=qm,
    period_start=datetime.date(2025, 1, 1), period_end=datetime.date(2025, 12, 31))
print("SEEDED", org.pk, pack.pk)
"""
QUEUE = (
    "from objectives.tasks import rollup_all; from qms.evidence.tasks import build_pack; "
    "rollup_all.delay({org}); build_pack.delay({pack})"
)
# After the worker: a full recompute must find nothing to change (the rows are a clean run's).
RERUN = "from objectives.rollups import recompute_all; r = recompute_all({org}); print('RERUN', r)"


def _drill(tmp_path: Path, db_path: Path, extra_env: dict) -> dict:
    env = product_env(
        QMS_TESTING="1",  # the drill points work only in the test settings
        DATABASE_URL=f"sqlite:///{db_path}",
        QMS_DATA_DIR=str(tmp_path),
        MEDIA_ROOT=str(tmp_path / "media"),
        **extra_env,
    )
    python = sys.executable
    run = {"cwd": BASE_DIR, "capture_output": True, "text": True, "timeout": 300, "check": True}
    seeded = subprocess.run(
        [python, "manage.py", "shell", "-v", "0", "-c", SEED],
        env={**env, "CELERY_TASK_ALWAYS_EAGER": "True"},  # the seed's own rollups run inline
        **run,
    )
    org, pack = next(x for x in seeded.stdout.splitlines() if x.startswith("SEEDED")).split()[1:]

    marker = tmp_path / "kills"
    worker_env = {
        **env,
        "CELERY_TASK_ALWAYS_EAGER": "False",
        "QMS_DRILL_KILL_AT": "rollups.kpi-written,evidence.section",
        "QMS_DRILL_MARKER": str(marker),
        "QMS_DRILL_KILLS": "1",  # each point kills once; the redelivered task then finishes
    }
    log_path = tmp_path / "worker.log"
    with log_path.open("w") as log:
        worker = subprocess.Popen(
            [str(Path(python).parent / "celery"), "-A", "qms", "worker", "--concurrency=1",
             "--loglevel=INFO"],
            cwd=BASE_DIR, env=worker_env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            subprocess.run(
                [python, "manage.py", "shell", "-v", "0", "-c", QUEUE.format(org=org, pack=pack)],
                env={**env, "CELERY_TASK_ALWAYS_EAGER": "False"},
                **run,
            )
            deadline = time.monotonic() + 240
            status, done = None, 0
            while time.monotonic() < deadline and not (status == "ready" and done):
                time.sleep(1)
                with sqlite3.connect(db_path, timeout=30) as db:
                    status = db.execute(
                        "SELECT status FROM evidence_evidencepack WHERE id = ?", (pack,)
                    ).fetchone()[0]
                done = "objectives.rollup_all[" in log_path.read_text() and any(
                    "rollup_all[" in line and "succeeded" in line
                    for line in log_path.read_text().splitlines()
                )
        finally:
            worker.terminate()
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                worker.kill()
    rerun = subprocess.run(
        [python, "manage.py", "shell", "-v", "0", "-c", RERUN.format(org=org)],
        env={**env, "CELERY_TASK_ALWAYS_EAGER": "True"},
        **run,
    )
    with sqlite3.connect(db_path, timeout=30) as db:
        file_name, pack_status = db.execute(
            "SELECT file_name, status FROM evidence_evidencepack WHERE id = ?", (pack,)
        ).fetchone()
        kpi_rows = db.execute("SELECT COUNT(*) FROM objectives_kpirollup").fetchone()[0]
    evidence_dir = tmp_path / "media" / "evidence"
    verified = None
    if file_name:  # checked against this installation's signing key
        verified = subprocess.run(
            [python, "manage.py", "verify_evidence_pack", str(evidence_dir / file_name)],
            env=env, cwd=BASE_DIR, capture_output=True, text=True, timeout=120, check=False,
        ).returncode  # fmt: skip
    return {
        "status": pack_status,
        "files": sorted(p.name for p in evidence_dir.iterdir()) if evidence_dir.exists() else [],
        "file_name": file_name,
        "kills": marker.read_text().splitlines() if marker.exists() else [],
        "log": log_path.read_text(),
        "rerun": rerun.stdout,
        "kpi_rows": kpi_rows,
        "verified": verified,
    }


def _assert_recovered(result: dict) -> None:
    tail = result["log"][-4000:]
    # Both pieces of work were killed once at their drill point, mid-way...
    assert sorted(k.split()[0] for k in result["kills"]) == [
        "evidence.section",
        "rollups.kpi-written",
    ], tail
    assert result["log"].count("WorkerLostError") >= 2, tail
    # ...redelivered and finished: one complete, verifiable ZIP and no half-written one.
    assert result["status"] == "ready", tail
    assert result["files"] == [result["file_name"]]
    assert result["verified"] == 0  # manage.py verify_evidence_pack: every hash and the signature
    # The rollups are those of a clean run: recomputing from scratch changes nothing.
    assert result["kpi_rows"] > 0
    assert "'kpi_rollups_written': 0" in result["rerun"], result["rerun"]
    assert "'kpi_rollups_deleted': 0" in result["rerun"]
    assert "'unit_rollups_written': 0" in result["rerun"]


@pytest.mark.real_worker
def test_a_worker_killed_mid_rollup_and_mid_pack_recovers_on_the_embedded_broker(
    tmp_path, migrated_database
):
    _assert_recovered(_drill(tmp_path, migrated_database, {}))


@pytest.mark.redis
@pytest.mark.real_worker
def test_a_worker_killed_mid_rollup_and_mid_pack_recovers_on_redis(tmp_path, migrated_database):
    # This test worker's own Redis database (tests/settings.py): no other test reads it now.
    redis_url = os.environ["REDIS_URL"]
    _assert_recovered(_drill(tmp_path, migrated_database, {"REDIS_URL": redis_url}))
