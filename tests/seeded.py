"""The demo organisation for tests, seeded once per test process and written back after that.

Seeding the demo runs every service of every app (about twenty seconds). Dozens of modules and
tests need it as their data, and each used to seed it again. Here the first `seeded_demo()` of a
test process seeds it for real and records the rows seeding added to each table. A later call
whose database starts exactly as the first one did (the same rows in every table: content
types, permissions, the platform key) writes those rows back in one statement per table: the
database it leaves is the one seeding would have left, with the time stamps of the first run.
Any other starting point is seeded for real (and recorded for the next time).

The rows go into the caller's transaction: a test's own (pytest-django's `db`), or the module
transaction of `demo_for_module`, so they are gone when it rolls back.

Tests of seeding itself (what it writes, that a second run adds nothing) call `seed_demo`.
"""

from __future__ import annotations

import datetime
import io
from contextlib import contextmanager
from dataclasses import dataclass

from django.apps import apps
from django.core.management.color import no_style
from django.db import connection, transaction
from django.utils import timezone


@dataclass(frozen=True)
class _Recording:
    added: dict[str, list]  # table -> rows seeding added, in the database's own encoding
    columns: dict[str, list[str]]


# (the day, the database's starting rows) -> what seeding added to it
_RECORDINGS: dict[tuple, _Recording] = {}


def seeded_demo(today: datetime.date | None = None):
    """The demo, as `seed_demo(today)` would leave it, in the current transaction."""
    from qms.core.demo import seed_demo

    today = today or timezone.localdate()
    with transaction.atomic():
        before, columns = _rows()
        key = (today, _fingerprint(before))
        recording = _RECORDINGS.get(key)
        if recording is None:
            context = seed_demo(today)
            after, columns = _rows()
            recording = _recorded(before, after, columns)
            if recording is not None:
                _RECORDINGS[key] = recording
            return context
        _write_back(recording)
    return _context(today)


@contextmanager
def demo_for_module(django_db_blocker):
    """The demo for a whole module of read-only sweeps (every page, every export, every role):
    written once inside a transaction rolled back after the module's last test, while each test
    still runs in a savepoint of its own (pytest-django's `db`), so what one test changes is
    gone before the next. A module uses it only if all its tests are fine with the demo there;
    its fixture asks for `django_db_setup` too, so the test database exists first."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield seeded_demo()
        transaction.set_rollback(True)


def _tables() -> list[str]:
    with connection.cursor() as cursor:
        return sorted(connection.introspection.table_names(cursor))


def _rows() -> tuple[dict[str, list], dict[str, list[str]]]:
    """Every row of every table, as the database stores it (no conversion that could change a
    value on its way back: SQLite's values raw, PostgreSQL's as COPY text lines)."""
    rows: dict[str, list] = {}
    columns: dict[str, list[str]] = {}
    connection.ensure_connection()
    if connection.vendor == "sqlite":
        raw = connection.connection.cursor()
        for table in _tables():
            names = [c[1] for c in raw.execute(f'PRAGMA table_info("{table}")').fetchall()]
            # "+column" is an expression, so Django's type converters (which work from the
            # declared type) leave the stored value alone.
            select = ", ".join(f'+"{name}"' for name in names)
            # Names from the database's own catalogue, not from input.
            rows[table] = raw.execute(f'SELECT {select} FROM "{table}"').fetchall()  # noqa: S608
            columns[table] = names
        return rows, columns
    with connection.cursor() as cursor:
        for table in _tables():
            data = io.BytesIO()
            cursor.copy_expert(f'COPY "{table}" TO STDOUT', data)
            rows[table] = data.getvalue().splitlines(keepends=True)
            columns[table] = []
    return rows, columns


def _fingerprint(rows: dict[str, list]) -> int:
    return hash(tuple((table, frozenset(found)) for table, found in sorted(rows.items())))


def _recorded(before, after, columns) -> _Recording | None:
    added = {}
    for table, found in after.items():
        earlier = set(before.get(table, ()))
        if not earlier <= set(found):
            # Seeding changed a row that was there before (a demo user's password, when the
            # test had made that user): writing rows back cannot repeat that, so this start
            # is seeded for real every time.
            return None
        new = [row for row in found if row not in earlier]
        if new:
            added[table] = new
    return _Recording(added=added, columns=columns)


def _write_back(recording: _Recording) -> None:
    if connection.vendor == "sqlite":
        raw = connection.connection.cursor()
        for table, found in recording.added.items():
            names = recording.columns[table]
            quoted = ", ".join(f'"{name}"' for name in names)
            marks = ", ".join("?" for _ in names)
            insert = f'INSERT INTO "{table}" ({quoted}) VALUES ({marks})'  # noqa: S608
            raw.executemany(insert, found)
        return
    with connection.cursor() as cursor:
        for table, found in recording.added.items():
            cursor.copy_expert(f'COPY "{table}" FROM STDIN', io.BytesIO(b"".join(found)))
        touched = set(recording.added)
        models = [
            model
            for model in apps.get_models(include_auto_created=True)
            if model._meta.db_table in touched
        ]
        for statement in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(statement)


def _context(today: datetime.date):
    from qms.core.demo import DEMO_USERS, EXTRA_USERS, UNITS, DemoContext
    from qms.core.models import Membership, Organization, OrgUnit

    organization = Organization.objects.get(slug="acme")
    units = {
        unit.code: unit
        for unit in OrgUnit.objects.filter(
            organization=organization, code__in=[code for code, *_ in UNITS]
        )
    }
    members = {
        membership.user.username: membership
        for membership in Membership.objects.filter(
            organization=organization,
            user__username__in=[spec.username for spec in DEMO_USERS + EXTRA_USERS],
        ).select_related("user", "org_unit")
    }
    return DemoContext(organization=organization, units=units, members=members, today=today)
