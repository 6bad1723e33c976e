"""Set-based writes for measurement imports, in SQL that PostgreSQL and SQLite both accept.

Why not `bulk_update_with_history` / `bulk_create_with_history`: measured on 100,000 rows
(bench/bench_import.py, PostgreSQL) they took 17 s to create and 45 s to correct, nearly all of
it Django building one model instance and one prepared value per field per row, and a
`CASE WHEN id = ...` per corrected row that PostgreSQL evaluates for every row of the batch.
These statements write the same rows (the history rows are exactly what simple-history's
`bulk_history_create` writes: tracked fields, date, user, reason, type) in one statement per
batch.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from decimal import Decimal

from django.db import connection

from objectives.models import Measurement


def _quoted(*names: str) -> str:
    return ", ".join(connection.ops.quote_name(name) for name in names)


def measurements_update(
    changes: Sequence[tuple[int, Decimal, str]],
    *,
    source: str,
    user_id: int | None,
    when: datetime.datetime,
) -> None:
    """Set (id, value, note) of existing measurements, with source, entered_by and entered_at."""
    if not changes:
        return
    table = connection.ops.quote_name(Measurement._meta.db_table)
    value_field = Measurement._meta.get_field("value")
    rows = ", ".join(["(%s, %s, %s)"] * len(changes))
    params: list = [source, user_id, connection.ops.adapt_datetimefield_value(when)]
    for pk, value, note in changes:
        params += [pk, value_field.get_db_prep_save(value, connection), note]
    # A VALUES list's columns are column1, column2... in both PostgreSQL and SQLite. Only quoted
    # model names and placeholders are formatted in; every value is a parameter.
    sql = (
        f"UPDATE {table} SET {_quoted('value')} = v.column2, "  # noqa: S608
        f"{_quoted('note')} = v.column3, "
        f"{_quoted('source')} = %s, {_quoted('entered_by_id')} = %s, "
        f"{_quoted('entered_at')} = %s "
        f"FROM (VALUES {rows}) AS v WHERE {table}.{_quoted('id')} = v.column1"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def measurements_history_insert(
    ids: Sequence[int],
    *,
    history_type: str,
    user_id: int | None,
    reason: str,
    when: datetime.datetime,
) -> None:
    """Record the current state of these measurements in their audit trail ("+" created,
    "~" changed), as simple-history would for each save."""
    if not ids:
        return
    history = Measurement.history.model
    tracked = [field.attname for field in history.tracked_fields]
    extra = ["history_date", "history_change_reason", "history_type", "history_user_id"]
    # Only quoted model names and placeholders are formatted in; every value is a parameter.
    sql = (
        f"INSERT INTO {connection.ops.quote_name(history._meta.db_table)} "  # noqa: S608
        f"({_quoted(*tracked, *extra)}) "
        f"SELECT {_quoted(*tracked)}, %s, %s, %s, %s "
        f"FROM {connection.ops.quote_name(Measurement._meta.db_table)} "
        f"WHERE {_quoted('id')} IN ({', '.join(['%s'] * len(ids))})"
    )
    params = [connection.ops.adapt_datetimefield_value(when), reason, history_type, user_id]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *ids])
