"""Failure drills: points in long-running work where a test can make the process die, as a
worker killed by the OOM killer or a redeploy would (tests/security/test_drills.py).

Inert unless the test suite's settings are on (QMS_TESTING) and QMS_DRILL_KILL_AT lists the
point (comma-separated names): then the process SIGKILLs itself there, at most QMS_DRILL_KILLS
times per point (default 1), counted in the file QMS_DRILL_MARKER, so that the redelivered task
can go on to finish.
"""

from __future__ import annotations

import os
import signal
from pathlib import Path

from django.conf import settings


def drill_point(name: str) -> None:
    if not settings.TESTING or name not in os.environ.get("QMS_DRILL_KILL_AT", "").split(","):
        return
    marker = Path(os.environ["QMS_DRILL_MARKER"])
    done = marker.read_text().splitlines() if marker.exists() else []
    if sum(line.split()[0] == name for line in done) >= int(os.environ.get("QMS_DRILL_KILLS", "1")):
        return
    with marker.open("a") as handle:
        handle.write(f"{name} {os.getpid()}\n")
    os.kill(os.getpid(), signal.SIGKILL)
