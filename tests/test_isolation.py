"""Test workers running side by side (pytest-xdist) keep apart everything a test writes: each
has its own data folder (broker messages, uploads, packs, signing key) and Redis database
(tests/settings.py); live servers take a free port each (pytest-django's default)."""

import os
from pathlib import Path

import pytest
from django.conf import settings

from tests.settings import _isolate


def test_this_worker_writes_under_its_own_data_folder():
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    data_dir = Path(os.environ["QMS_DATA_DIR"])
    assert data_dir.name == worker and data_dir.parent.name == "test"
    for folder in (
        settings.MEDIA_ROOT,
        settings.CELERY_BROKER_DIR,
        Path(settings.EVIDENCE_SIGNING_KEY_FILE).parent,
    ):
        assert Path(folder).is_relative_to(data_dir), folder


@pytest.mark.redis
def test_this_worker_uses_its_own_redis_database():
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    index = int(worker[2:]) if worker.startswith("gw") else 0
    base = int(os.environ.get("QMS_TEST_REDIS_BASE", "0"))
    url = os.environ["REDIS_URL"]
    assert url.endswith(f"/{base + index}")
    assert settings.CACHES["default"]["LOCATION"] == url
    assert settings.CELERY_BROKER_URL == url == settings.CELERY_RESULT_BACKEND


def test_workers_started_by_one_pytest_each_make_their_own_choice(tmp_path):
    """The workers inherit the environment of the pytest that started them, where the choice
    was already made for "main": each must still choose for itself (once it did not, and both
    workers shared Redis database 0, each emptying it under the other's real Celery worker)."""
    controller = {"REDIS_URL": "redis://127.0.0.1:6379/2"}
    _isolate(controller, root=tmp_path)
    assert controller["QMS_TEST_WORKER"] == "main"
    assert controller["REDIS_URL"].endswith("/2")
    chosen = {}
    for worker in ("gw0", "gw1", "gw3"):
        environ = {**controller, "PYTEST_XDIST_WORKER": worker}
        _isolate(environ, root=tmp_path)
        chosen[worker] = (environ["QMS_DATA_DIR"], environ["REDIS_URL"])
    assert chosen == {
        "gw0": (str(tmp_path / "gw0"), "redis://127.0.0.1:6379/2"),
        "gw1": (str(tmp_path / "gw1"), "redis://127.0.0.1:6379/3"),
        "gw3": (str(tmp_path / "gw3"), "redis://127.0.0.1:6379/5"),
    }


def test_a_tests_subprocess_keeps_its_workers_choice(tmp_path):
    environ = {"PYTEST_XDIST_WORKER": "gw1", "REDIS_URL": "redis://127.0.0.1:6379/0"}
    _isolate(environ, root=tmp_path)
    (tmp_path / "gw1" / "kept").mkdir(parents=True)
    subprocess_env = dict(environ)
    _isolate(subprocess_env, root=tmp_path)
    assert subprocess_env == environ  # the same folder and database, not one more step
    assert (tmp_path / "gw1" / "kept").exists()  # and the folder is not emptied under it


def test_more_workers_than_redis_has_databases_is_refused_with_what_to_do(tmp_path):
    environ = {"PYTEST_XDIST_WORKER": "gw14", "REDIS_URL": "redis://127.0.0.1:6379/2"}
    with pytest.raises(RuntimeError, match="run fewer workers"):
        _isolate(environ, root=tmp_path)


def test_auto_workers_stop_at_the_redis_databases_left(monkeypatch):
    """On a 32-core runner `-n auto` must not start workers that would need Redis database 16."""
    from tests.conftest import pytest_xdist_auto_num_workers

    monkeypatch.setattr(os, "cpu_count", lambda: 32)
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/14")
    assert pytest_xdist_auto_num_workers(None) == 2
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379")
    assert pytest_xdist_auto_num_workers(None) == 16
    monkeypatch.delenv("REDIS_URL")
    assert pytest_xdist_auto_num_workers(None) == 32
