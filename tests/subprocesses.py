"""The product in another process, as it is deployed: `manage.py` and Celery workers with the
project's own settings module and an environment of the test's choosing, on a SQLite database
that the real migrations built.

`manage.py migrate` on an empty database costs about 50 s of one core (Django renders the model
state again after each operation, and every model here points at the organisation). The suite
pays it once per run: the first test that needs a migrated database builds a template under a
lock shared by every pytest-xdist worker (`migrated_template`), and each test then gets a copy
of it (`migrated_database`), which is what `migrate` would have left.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from filelock import FileLock

BASE_DIR = Path(__file__).resolve().parents[1]
# The calling test run's environment that must not reach the product's process: the process
# picks its own settings module (the project's), database, broker and mode.
STRIPPED = {
    "DJANGO_SETTINGS_MODULE",
    "DATABASE_URL",
    "REDIS_URL",
    "QMS_TESTING",
    "DEBUG",
    "CELERY_TASK_ALWAYS_EAGER",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
}


def product_env(**env: str | None) -> dict[str, str]:
    """This process's environment without the test run's settings, plus `env` (None: unset).
    The worker's data folder (tests/settings.py) is kept; the run's database and Redis are not:
    a test that wants Redis passes its worker's REDIS_URL in `env`."""
    clean = {k: v for k, v in os.environ.items() if k not in STRIPPED}
    clean.update(env)
    return {k: v for k, v in clean.items() if v is not None}


def manage(args: list[str], env: dict[str, str], *, timeout: int = 180, check: bool = False):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=check,
    )


def build_migrated_template(path: Path) -> Path:
    """`manage.py migrate` into a new SQLite file at `path`, once for every worker of the run."""
    with FileLock(f"{path}.lock"):
        if not path.exists():
            partial = path.with_suffix(".partial")
            partial.unlink(missing_ok=True)
            env = product_env(
                DEBUG="True", DATABASE_URL=f"sqlite:///{partial}", QMS_DATA_DIR=str(path.parent)
            )
            result = manage(["migrate", "--noinput", "-v", "0"], env, timeout=600)
            assert result.returncode == 0, result.stderr[-3000:]
            # One self-contained file (no write-ahead log beside it), then in place at once.
            with sqlite3.connect(partial) as db:
                db.execute("PRAGMA journal_mode=DELETE")
            db.close()
            partial.rename(path)
    return path


def copy_database(template: Path, target: Path) -> Path:
    """A copy of a SQLite database, taken through SQLite itself (consistent, whatever its
    journal mode)."""
    source, copy = sqlite3.connect(template), sqlite3.connect(target)
    try:
        source.backup(copy)
    finally:
        source.close()
        copy.close()
    return target
