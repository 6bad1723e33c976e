"""The SQL behind `actions_summaries`: counts of actions for several periods in one pass.

Why raw SQL: the ORM can only say "count these actions for period p" as one conditional
aggregate per figure and period. The dashboard asks for 13 periods by 10 figures; Django spent
longer compiling those 130 expressions than the database spent running them. Here the same
single scan is written as text (`SUM(CASE ...)` per figure and period, every value a
parameter), which costs nothing to build. (Joining the actions to a `VALUES` table of periods
was tried: shorter SQL, but twice the database time, as every action is read once per period.)
The few effectiveness checks do use that join.

The actions themselves (organisation, scope, and the time-zone aware "closed on or before the
due date") still come from the ORM as a subquery, so scoping and time-zone handling stay in
one place. Runs unchanged on SQLite and PostgreSQL: datetimes and dates are adapted by the
connection (naive UTC text on SQLite, timestamptz on PostgreSQL).
"""

from __future__ import annotations

import datetime

from django.db import connection
from django.db.models import Case, F, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone

from qms.core.actions.models import ActionStatus, VerificationResult

# (key, lowest age in days, highest or None): open actions by how long they have been open.
AGE_BUCKETS = (("0-30", 0, 30), ("31-60", 31, 60), ("61-90", 61, 90), ("over-90", 91, None))


ONE_DAY = datetime.timedelta(days=1)


def start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _dt(value: datetime.datetime):
    return connection.ops.adapt_datetimefield_value(value)


def _sum(condition: str) -> str:
    return f"SUM(CASE WHEN {condition} THEN 1 ELSE 0 END)"


def action_counts(actions: QuerySet, periods, today: datetime.date) -> list[dict[str, int]]:
    """For each period, the figures of `ActionsSummary` (without the effectiveness checks)."""
    done = Q(status__in=[ActionStatus.DONE, ActionStatus.VERIFIED])
    flag = {"default": Value(0), "output_field": IntegerField()}
    rows = actions.order_by().annotate(
        done=Case(When(done, then=Value(1)), **flag),
        on_time=Case(When(closed_at__date__lte=F("due_date"), then=Value(1)), **flag),
        cancelled=Case(When(status=ActionStatus.CANCELLED, then=Value(1)), **flag),
    )
    sub_sql, sub_params = rows.values(
        "created_at", "closed_at", "due_date", "done", "on_time", "cancelled"
    ).query.sql_with_params()
    columns, params, names = [], [], []
    for index, (start, end) in enumerate(periods):
        as_of = min(end, today)
        period_from, period_to = _dt(start_of(start)), _dt(start_of(end + ONE_DAY))
        as_of_end = _dt(start_of(as_of + ONE_DAY))
        in_period = "a.{0} >= %s AND a.{0} < %s"
        open_at = "a.created_at < %s AND (a.closed_at IS NULL OR a.closed_at >= %s)"
        figures = [
            ("raised", in_period.format("created_at"), [period_from, period_to]),
            ("closed", "a.done = 1 AND " + in_period.format("closed_at"), [period_from, period_to]),
            (
                "closed_on_time",
                "a.done = 1 AND a.on_time = 1 AND " + in_period.format("closed_at"),
                [period_from, period_to],
            ),
            (
                "cancelled",
                "a.cancelled = 1 AND " + in_period.format("closed_at"),
                [period_from, period_to],
            ),
            ("open_at_end", open_at, [as_of_end, as_of_end]),
            (
                "overdue_at_end",
                open_at + " AND a.due_date < %s",
                [as_of_end, as_of_end, connection.ops.adapt_datefield_value(as_of)],
            ),
        ]
        for key, low, high in AGE_BUCKETS:
            # Age in whole days on `as_of`: raised on `as_of` is 0 days old.
            age, age_params = " AND a.created_at < %s", [_dt(start_of(as_of - (low - 1) * ONE_DAY))]
            if high is not None:
                age += " AND a.created_at >= %s"
                age_params.append(_dt(start_of(as_of - high * ONE_DAY)))
            figures.append((f"age_{key}", open_at + age, [as_of_end, as_of_end, *age_params]))
        for name, condition, values in figures:
            columns.append(_sum(condition))
            params.extend(values)
            names.append((index, name))
    # Actions closed before the first period began count in no figure: skip them early.
    first = _dt(start_of(min(start for start, _ in periods)))
    sql = (
        f"SELECT {', '.join(columns)} FROM ({sub_sql}) a "  # noqa: S608 - values are parameters
        "WHERE a.closed_at IS NULL OR a.closed_at >= %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *sub_params, first])
        row = cursor.fetchone()
    counts: list[dict[str, int]] = [{} for _ in periods]
    for (index, name), value in zip(names, row, strict=True):
        counts[index][name] = int(value or 0)
    return counts


def check_counts(checks: QuerySet, periods) -> list[tuple[int, int]]:
    """For each period, effectiveness checks made in it: (found effective, not effective)."""
    sub_sql, sub_params = (
        checks.order_by()
        .annotate(
            effective=Case(
                When(result=VerificationResult.EFFECTIVE, then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            )
        )
        .values("checked_at", "effective")
        .query.sql_with_params()
    )
    rows, params = [], []
    for index, (start, end) in enumerate(periods):
        rows.append("(%s, %s, %s)")
        params += [
            index,
            _dt(start_of(start)),
            _dt(start_of(end + datetime.timedelta(days=1))),
        ]
    sql = f"""
        WITH p (i, period_from, period_to) AS (VALUES {", ".join(rows)})
        SELECT p.i,
            SUM(CASE WHEN c.effective = 1 THEN 1 ELSE 0 END),
            SUM(CASE WHEN c.effective = 0 THEN 1 ELSE 0 END)
        FROM p JOIN ({sub_sql}) c
            ON c.checked_at >= p.period_from AND c.checked_at < p.period_to
        GROUP BY p.i
    """  # noqa: S608 - every value is a parameter; the text is built from constants
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *sub_params])
        found = {row[0]: (int(row[1] or 0), int(row[2] or 0)) for row in cursor.fetchall()}
    return [found.get(i, (0, 0)) for i in range(len(periods))]
