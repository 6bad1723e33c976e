"""The test run's settings: the project's own, with everything a test writes kept apart.

`make test` runs the suite in several processes at once (pytest-xdist: workers gw0, gw1, …).
Each process gets, before the project's settings are read:

- a data folder of its own, `var/test/<worker>/` (filesystem broker, uploads, evidence packs,
  the generated signing key), so no worker reads another's broker messages or files, and no
  test run touches the data of a `make demo` running beside it;
- a Redis database of its own when `REDIS_URL` is set: the database number given plus the
  worker's index (gw0 keeps the one given, gw1 the next, …), because the tests' cache clear
  empties the whole database and a real worker drill consumes every message in it.

The choice is written back to the environment, so that a test that starts `manage.py` or a
Celery worker in a subprocess hands it the same folder and database; a subprocess that reads
these settings again finds the choice made and keeps it.
"""

import os
import shutil
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BASE_DIR = Path(__file__).resolve().parent.parent
REDIS_DATABASES = 16  # Redis's default `databases`


def _isolate(environ, root: Path = BASE_DIR / "var" / "test") -> None:
    worker = environ.get("PYTEST_XDIST_WORKER", "main")
    # A subprocess of a test finds its worker's choice made, and keeps it. (The workers
    # themselves inherit the environment of the pytest process that started them, where
    # the choice was made for "main": they make their own.)
    if environ.get("QMS_TEST_WORKER") == worker:
        return
    environ["QMS_TEST_WORKER"] = worker
    data_dir = root / worker
    shutil.rmtree(data_dir, ignore_errors=True)  # each run starts with nothing left over
    environ["QMS_DATA_DIR"] = str(data_dir)
    for derived in ("MEDIA_ROOT", "EVIDENCE_SIGNING_KEY_FILE"):  # they follow the data folder
        environ.pop(derived, None)
    redis_url = environ.get("REDIS_URL")
    if redis_url and worker.startswith("gw"):
        parts = urlsplit(redis_url)
        base = int(parts.path.strip("/") or 0)
        environ["QMS_TEST_REDIS_BASE"] = str(base)
        database = base + int(worker[2:])
        if database >= REDIS_DATABASES:
            raise RuntimeError(
                f"Test worker {worker} needs Redis database {database}, beyond the "
                f"{REDIS_DATABASES} Redis has: run fewer workers (make test PYTEST_WORKERS=N) "
                "or give REDIS_URL a lower database number."
            )
        environ["REDIS_URL"] = urlunsplit(parts._replace(path=f"/{database}"))


_isolate(os.environ)

from qms.settings import *  # noqa: E402, F403
