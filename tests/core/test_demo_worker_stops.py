"""Ctrl-C in `make demo`: honcho sends SIGTERM to each process's group and kills what is still
running 5 s later. The demo's worker (as Procfile.demo starts it) stops by itself, warmly, with
nothing in its log that reads as an error."""

import os
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.subprocesses import BASE_DIR, product_env


def _procfile_command(name: str) -> list[str]:
    for line in (BASE_DIR / "Procfile.demo").read_text().splitlines():
        if line.startswith(f"{name}:"):
            return shlex.split(line.split(":", 1)[1])
    raise AssertionError(f"Procfile.demo has no {name} process")


@pytest.mark.real_worker
def test_the_demo_worker_stops_cleanly_when_honcho_signals_its_group(tmp_path, migrated_database):
    command = _procfile_command("worker")
    command = [c.replace("var/celerybeat-schedule", str(tmp_path / "beat")) for c in command]
    # The demo logs warnings only; this test reads when it is ready from its INFO lines.
    command = [c.replace("--loglevel=WARNING", "--loglevel=INFO") for c in command]
    env = product_env(
        DATABASE_URL=f"sqlite:///{migrated_database}", QMS_DATA_DIR=str(tmp_path), DEBUG="True"
    )
    # `celery` from this run's environment, as honcho finds it on the demo's PATH.
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    log_path = tmp_path / "worker.log"
    with log_path.open("w") as log:
        # Its own session, as honcho starts it.
        worker = subprocess.Popen(
            command, cwd=BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        try:
            deadline = time.monotonic() + 120
            while "ready." not in log_path.read_text() and time.monotonic() < deadline:
                assert worker.poll() is None, log_path.read_text()[-3000:]
                time.sleep(0.2)
            assert "ready." in log_path.read_text()
            os.killpg(worker.pid, signal.SIGTERM)  # what honcho does on Ctrl-C
            worker.wait(timeout=60)
        finally:
            if worker.poll() is None:
                os.killpg(worker.pid, signal.SIGKILL)
                worker.wait()
    output = log_path.read_text()
    assert "Warm shutdown" in output
    assert "ERROR" not in output and "Traceback" not in output, output[-3000:]
