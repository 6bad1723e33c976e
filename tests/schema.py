"""A database's schema as data, so that two databases can be compared: every table with its
columns (type, nullable, default) and its constraints and indexes, known by what they do rather
than by their names."""

from __future__ import annotations

import json

# Migrations' own bookkeeping: only a migrated database has it, and it is not the app's schema.
NOT_SCHEMA = {"django_migrations"}


def schema(connection) -> dict[str, dict]:
    introspection = connection.introspection
    tables = {}
    with connection.cursor() as cursor:
        for table in sorted(set(introspection.table_names(cursor)) - NOT_SCHEMA):
            columns = {
                column.name: [str(column.type_code), bool(column.null_ok), column.default]
                for column in introspection.get_table_description(cursor, table)
            }
            constraints = sorted(
                json.dumps(
                    {key: value for key, value in constraint.items() if key != "name"},
                    sort_keys=True,
                    default=str,
                )
                for constraint in introspection.get_constraints(cursor, table).values()
            )
            tables[table] = {"columns": columns, "constraints": constraints}
    return tables


def differences(
    expected: dict[str, dict], actual: dict[str, dict], ignore_columns: frozenset = frozenset()
) -> list[str]:
    """What `actual` has that `expected` lacks and the other way round, one line each; columns
    named in `ignore_columns` ("table.column") are left out."""
    lines = [f"table {t}: only in the tests' schema" for t in sorted(set(expected) - set(actual))]
    lines += [f"table {t}: only in the migrated one" for t in sorted(set(actual) - set(expected))]
    for table in sorted(set(expected) & set(actual)):
        want, got = expected[table], actual[table]
        for name in sorted(set(want["columns"]) | set(got["columns"])):
            if f"{table}.{name}" in ignore_columns:
                continue
            if want["columns"].get(name) != got["columns"].get(name):
                lines.append(
                    f"{table}.{name}: {want['columns'].get(name)} in the tests' schema, "
                    f"{got['columns'].get(name)} migrated"
                )
        for constraint in sorted(set(want["constraints"]) ^ set(got["constraints"])):
            side = "tests' schema" if constraint in want["constraints"] else "migrated one"
            lines.append(f"{table}: constraint {constraint} only in the {side}")
    return lines
