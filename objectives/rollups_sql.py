"""The SQL behind `objectives.rollups`: set-based statements that run on SQLite and PostgreSQL.

Everything here is aggregate SQL over whole tables (or one objective's slice of them); nothing
loops over measurements in Python. The only vendor difference, turning a date into the end of
its month, quarter or year, lives in `_BUCKET_END`. Table and column names come from the models;
the only values put into the SQL text are our own enum constants, everything else is a parameter.
"""

# The SQL text holds only model table names and our own enum constants; values are parameters.
# ruff: noqa: S608, S611

from __future__ import annotations

import datetime

from django.db import connection
from django.db.models import DecimalField, QuerySet
from django.db.models.expressions import RawSQL

from objectives.models import (
    VALUE_FIELD,
    Aggregation,
    Frequency,
    Granularity,
    KpiRollup,
    Measurement,
    QualityObjective,
    Rag,
    UnitRollup,
)
from objectives.status import rag_expression
from qms.core.models import OrgUnit

MEASUREMENT = Measurement._meta.db_table
OBJECTIVE = QualityObjective._meta.db_table
KPI = KpiRollup._meta.db_table
UNIT = UnitRollup._meta.db_table
ORG_UNIT = OrgUnit._meta.db_table
FRESH = "qms_fresh_rollups"  # a temporary table, private to the connection

# The end of the month / quarter / year containing a date column `{c}`. PostgreSQL: cast to
# timestamp first, else date_trunc picks its timestamptz variant and depends on the session's
# time zone. SQLite: date modifiers; a quarter starts (month - 1) % 3 months before the month.
_BUCKET_END = {
    "postgresql": {
        Granularity.MONTH: (
            "(date_trunc('month', {c}::timestamp) + interval '1 month - 1 day')::date"
        ),
        Granularity.QUARTER: (
            "(date_trunc('quarter', {c}::timestamp) + interval '3 months - 1 day')::date"
        ),
        Granularity.YEAR: "(date_trunc('year', {c}::timestamp) + interval '1 year - 1 day')::date",
    },
    "sqlite": {
        Granularity.MONTH: "date({c}, 'start of month', '+1 month', '-1 day')",
        Granularity.QUARTER: (
            "date({c}, 'start of month', "
            "'-' || ((CAST(strftime('%%m', {c}) AS INTEGER) - 1) %% 3) || ' months', "
            "'+3 months', '-1 day')"
        ),
        Granularity.YEAR: "date({c}, 'start of year', '+1 year', '-1 day')",
    },
}

# Which granularities each frequency rolls into: a quarterly value has no month.
_GRANULARITY_FILTER = {
    Granularity.MONTH: f"o.frequency <> '{Frequency.QUARTERLY}'",
    Granularity.QUARTER: "1 = 1",
    Granularity.YEAR: "1 = 1",
}


def bucket_end_sql(granularity: str, column: str) -> str:
    return _BUCKET_END[connection.vendor][granularity].format(c=column)


def date_param(day: datetime.date):
    return connection.ops.adapt_datefield_value(day)


def now_param(now: datetime.datetime):
    return connection.ops.adapt_datetimefield_value(now)


def rag_sql(value_sql: str) -> tuple[str, list]:
    """`objectives.status.rag_expression` compiled to SQL over `value_sql`, reading thresholds
    from the un-aliased objective table, so the RAG rule keeps a single definition."""
    query = QualityObjective.objects.all().query
    expression = rag_expression(
        RawSQL(value_sql, [], output_field=DecimalField(**VALUE_FIELD))
    ).resolve_expression(query)
    sql, params = query.get_compiler(connection=connection).compile(expression)
    # psycopg2 and Django's SQLite wrapper both read "%s" placeholders; escape nothing else.
    return sql, list(params)


def quoted(names) -> str:
    return ", ".join(connection.ops.quote_name(name) for name in names)


def kpi_fresh_sql(
    measurement_where: str, where_params: list, periods: set | None = None
) -> tuple[str, list]:
    """SELECT of the rollup rows (objective, granularity, period) for the measurements matching
    `measurement_where` (over aliases m = measurement, o = objective), only of the
    (granularity, period_end) `periods` if given. Values are rounded to 6 decimals so both
    databases store and judge the same number; a SUM is judged on its per-measurement average
    because thresholds are per period."""
    # Measurements are read once, into months; quarters combine the months' partial aggregates
    # (count, sum, min, max, latest period) and years the quarters', exact for every aggregation.
    # Keys are cast to the rollup table's column types so joins against it need no casts.
    month_end = bucket_end_sql(Granularity.MONTH, "m.period_end")
    months = (
        f"SELECT m.objective_id, {month_end} AS period_end, COUNT(*) AS n, SUM(m.value) AS sum_v, "
        "MIN(m.value) AS min_v, MAX(m.value) AS max_v, MAX(m.period_end) AS last_end "
        f"FROM {MEASUREMENT} m JOIN {OBJECTIVE} o ON o.id = m.objective_id "
        f"WHERE {measurement_where} GROUP BY 1, 2"
    )
    partials = "SUM(n) AS n, SUM(sum_v) AS sum_v, MIN(min_v) AS min_v, MAX(max_v) AS max_v, "
    partials += "MAX(last_end) AS last_end"
    quarters = (
        f"SELECT objective_id, {bucket_end_sql(Granularity.QUARTER, 'period_end')} AS period_end, "
        f"{partials} FROM months GROUP BY 1, 2"
    )
    years = (
        f"SELECT objective_id, {bucket_end_sql(Granularity.YEAR, 'period_end')} AS period_end, "
        f"{partials} FROM quarters GROUP BY 1, 2"
    )
    columns = "period_end, n, sum_v, min_v, max_v, last_end"
    buckets = " UNION ALL ".join(
        f"SELECT objective_id, CAST('{granularity}' AS VARCHAR(10)) AS granularity, {columns} "
        f"FROM {source}"
        for granularity, source in (
            (Granularity.MONTH, "months"),
            (Granularity.QUARTER, "quarters"),
            (Granularity.YEAR, "years"),
        )
    )
    aggregated = (
        "CASE o.aggregation "
        f"WHEN '{Aggregation.SUM}' THEN b.sum_v "
        f"WHEN '{Aggregation.MIN}' THEN b.min_v "
        f"WHEN '{Aggregation.MAX}' THEN b.max_v "
        f"WHEN '{Aggregation.LAST}' THEN (SELECT l.value FROM {MEASUREMENT} l "
        "WHERE l.objective_id = b.objective_id AND l.period_end = b.last_end) "
        "ELSE b.sum_v * 1.0 / b.n END"
    )
    # MATERIALIZED: otherwise PostgreSQL inlines `value` (and its subquery) into every branch
    # of the RAG CASE.
    valued = (
        "SELECT b.objective_id, b.granularity, b.period_end, "
        "CAST(b.n AS INTEGER) AS measurement_count, "
        f"ROUND({aggregated}, 6) AS value "
        f"FROM buckets b JOIN {OBJECTIVE} o ON o.id = b.objective_id "
        f"WHERE b.granularity <> '{Granularity.MONTH}' OR o.frequency <> '{Frequency.QUARTERLY}'"
    )
    judged = (
        f"CASE WHEN {OBJECTIVE}.aggregation = '{Aggregation.SUM}' "
        "THEN ROUND(v.value * 1.0 / v.measurement_count, 6) ELSE v.value END"
    )
    status, status_params = rag_sql(judged)
    sql = (
        f"WITH months AS MATERIALIZED ({months}), quarters AS MATERIALIZED ({quarters}), "
        f"years AS ({years}), buckets AS ({buckets}), "
        f"v AS MATERIALIZED ({valued}) "
        f"SELECT v.objective_id, {OBJECTIVE}.organization_id, {OBJECTIVE}.org_unit_id, "
        f"v.granularity, v.period_end, v.value, v.measurement_count, {status} AS status "
        f"FROM v JOIN {OBJECTIVE} ON {OBJECTIVE}.id = v.objective_id"
    )
    params = where_params + status_params
    if periods is not None:
        in_periods, period_params = periods_clause("v", periods)
        sql, params = f"{sql} WHERE {in_periods}", params + period_params
    return sql, params


def tune_session() -> None:
    """PostgreSQL, for the current transaction: enough memory to hash-aggregate a million
    measurements without spilling to disk (one such aggregate runs at a time), no JIT
    (compiling these statements cost more than running them), and hash rather than merge
    joins against the fresh rows (sorting 500,000 text keys twice was the slow part)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL work_mem = '256MB'", [])
            cursor.execute("SET LOCAL jit = off", [])
            cursor.execute("SET LOCAL enable_mergejoin = off", [])


def unit_fresh_sql(
    unit_where: str, unit_params: list, rollup_where: str, rollup_params: list
) -> tuple[str, list]:
    """SELECT of unit rollup rows for the units matching `unit_where` (alias u) and the periods
    of the KPI rollups matching `rollup_where` (alias r): per unit subtree (path prefix), the
    active objectives started by the period's end, and how many of them were green/amber/red.
    Rollups of other objectives still make the period appear, with their status not counted."""
    counted = f"o.status = '{QualityObjective.Status.ACTIVE}' AND o.start_date <= r.period_end"
    tallies = ", ".join(
        f"SUM(CASE WHEN {counted} AND r.status = '{rag}' THEN 1 ELSE 0 END) AS {rag}"
        for rag in (Rag.GREEN, Rag.AMBER, Rag.RED)
    )
    # Active objectives counted through their (unit, start date) groups: far fewer rows to
    # match per unit and period than the objectives themselves.
    starts = (
        f"SELECT o.org_unit_id, o.start_date, COUNT(*) AS n FROM {OBJECTIVE} o "
        f"WHERE o.status = '{QualityObjective.Status.ACTIVE}' GROUP BY 1, 2"
    )
    objectives = (
        f"(SELECT COALESCE(SUM(s.n), 0) FROM starts s JOIN {ORG_UNIT} su ON su.id = s.org_unit_id "
        "WHERE su.organization_id = u.organization_id AND su.path LIKE u.path || '%%' "
        "AND s.start_date <= c.period_end)"
    )
    per_unit = (
        f"SELECT u.organization_id, u.id AS org_unit_id, c.granularity, c.period_end, "
        f"{objectives} AS objectives, SUM(c.green) AS green, SUM(c.amber) AS amber, "
        "SUM(c.red) AS red "
        f"FROM {ORG_UNIT} u JOIN {ORG_UNIT} lu ON lu.organization_id = u.organization_id "
        "AND lu.path LIKE u.path || '%%' "
        f"JOIN (SELECT o.org_unit_id, r.granularity, r.period_end, {tallies} "
        f"FROM {KPI} r JOIN {OBJECTIVE} o ON o.id = r.objective_id WHERE {rollup_where} "
        "GROUP BY o.org_unit_id, r.granularity, r.period_end) c ON c.org_unit_id = lu.id "
        f"WHERE {unit_where} "
        "GROUP BY u.organization_id, u.id, u.path, c.granularity, c.period_end"
    )
    sql = (
        f"WITH starts AS MATERIALIZED ({starts}) "
        "SELECT organization_id, org_unit_id, granularity, period_end, objectives, "
        f"green, amber, red, objectives - green - amber - red AS no_data FROM ({per_unit}) t"
    )
    return sql, rollup_params + unit_params


def periods_clause(alias: str, periods: set[tuple[str, datetime.date]]) -> tuple[str, list]:
    """`(granularity, period_end) in periods` for rows of `alias`, as portable SQL."""
    params: list = []
    for granularity, end in sorted(periods):
        params += [granularity, date_param(end)]
    one = f"({alias}.granularity = %s AND {alias}.period_end = %s)"
    return "(" + " OR ".join([one] * len(periods)) + ")", params


def sync(
    model,
    keys: list[str],
    values: list[str],
    fresh: tuple[str, list],
    scope: tuple[str, list],
    now: datetime.datetime,
) -> dict:
    """Make `model`'s rows within `scope` (a condition on its table) equal the `fresh` SELECT:
    insert new rows, update changed ones (unchanged rows are not written, so a rerun writes
    nothing), delete rows that are no longer produced. Call inside a transaction."""
    table = model._meta.db_table
    quote = connection.ops.quote_name
    columns = quoted(keys + values)
    matches = " AND ".join(f"f.{quote(c)} = {table}.{quote(c)}" for c in keys)
    matches_fresh = " AND ".join(f"{FRESH}.{quote(c)} = {table}.{quote(c)}" for c in keys)
    changed = " OR ".join(f"{table}.{quote(c)} <> f.{quote(c)}" for c in values)
    sets = ", ".join(f"{quote(c)} = f.{quote(c)}" for c in values)
    fresh_sql, fresh_params = fresh
    scope_sql, scope_params = scope
    # Set-wise joins against the fresh rows rather than one upsert: PostgreSQL hash-joins them,
    # where ON CONFLICT would probe the unique index once per row even when nothing changed.
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {FRESH}", [])
        cursor.execute(f"CREATE TEMP TABLE {FRESH} AS {fresh_sql}", fresh_params)
        if connection.vendor == "postgresql":
            # Temporary tables get no autovacuum statistics; without them the planner guesses.
            cursor.execute(f"ANALYZE {FRESH}", [])
        cursor.execute(f"SELECT COUNT(*) FROM {FRESH}", [])
        (total,) = cursor.fetchone()
        cursor.execute(
            f"DELETE FROM {table} WHERE {scope_sql} "
            f"AND NOT EXISTS (SELECT 1 FROM {FRESH} f WHERE {matches})",
            scope_params,
        )
        deleted = cursor.rowcount
        cursor.execute(
            f"UPDATE {table} SET {sets}, computed_at = %s FROM {FRESH} f "
            f"WHERE {matches} AND ({changed})",
            [now_param(now)],
        )
        written = cursor.rowcount
        # What is left after dropping the rows that exist is new. (Filtering inside the INSERT
        # instead makes PostgreSQL probe the table it is filling, row by row, when it was empty.)
        cursor.execute(
            f"DELETE FROM {FRESH} WHERE EXISTS (SELECT 1 FROM {table} WHERE {matches_fresh})",
            [],
        )
        # ON CONFLICT only settles a race with a concurrent recompute inserting the same row.
        cursor.execute(
            f"INSERT INTO {table} ({columns}, computed_at) "
            f"SELECT {columns}, %s FROM {FRESH} WHERE 1 = 1 "
            f"ON CONFLICT ({quoted(keys)}) DO UPDATE SET "
            + ", ".join(f"{quote(c)} = excluded.{quote(c)}" for c in values),
            [now_param(now)],
        )
        written += cursor.rowcount
        cursor.execute(f"DROP TABLE {FRESH}", [])
    return {"rows": total, "written": written, "deleted": deleted}


def scoped(queryset: QuerySet, organization_id: int | None) -> QuerySet:
    return queryset if organization_id is None else queryset.filter(organization_id=organization_id)
