"""A copy of the whole test database, taken once and put back before each browser test.

Browser tests need committed data (the live server reads it from its own thread or connection),
so each of them used to seed the demo again (about five seconds) after the previous test's
flush emptied every table. A snapshot taken after the first seeding is put back in a fraction
of that: SQLite copies the in-memory database page by page (its backup API); PostgreSQL empties
every table and copies each one's rows back (COPY, inside one transaction: Django's foreign keys
are checked at commit), then sets each sequence past the restored ids.
"""

from __future__ import annotations

import io
import sqlite3

from django.apps import apps
from django.core.management.color import no_style
from django.db import connection, transaction


class Snapshot:
    def __init__(self):
        self._sqlite: sqlite3.Connection | None = None
        self._tables: dict[str, bytes] = {}

    @classmethod
    def take(cls) -> Snapshot:
        snapshot = cls()
        connection.ensure_connection()
        if connection.vendor == "sqlite":
            snapshot._sqlite = sqlite3.connect(":memory:", check_same_thread=False)
            connection.connection.backup(snapshot._sqlite)
        else:
            with connection.cursor() as cursor:
                for table in connection.introspection.table_names(cursor):
                    data = io.BytesIO()
                    cursor.copy_expert(f'COPY "{table}" TO STDOUT', data)
                    if data.tell():
                        snapshot._tables[table] = data.getvalue()
        return snapshot

    def restore(self) -> None:
        connection.ensure_connection()
        if self._sqlite is not None:
            self._sqlite.backup(connection.connection)
            return
        with transaction.atomic(), connection.cursor() as cursor:
            tables = connection.introspection.table_names(cursor)
            cursor.execute("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " CASCADE")
            for table, data in self._tables.items():
                cursor.copy_expert(f'COPY "{table}" FROM STDIN', io.BytesIO(data))
            models = apps.get_models(include_auto_created=True)
            for statement in connection.ops.sequence_reset_sql(no_style(), models):
                cursor.execute(statement)
