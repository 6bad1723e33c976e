"""Reads of objectives shared by pages, the API, the dashboard and evidence packs."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Max, Q, QuerySet
from django.shortcuts import get_object_or_404

from objectives.models import ActionStep, KpiRollup, Measurement, QualityObjective, Rag
from objectives.rollups import RollupReading, rollup_reading
from qms.core.models import Organization, OrgUnit

SORTS = {
    "code": ("code",),
    "-code": ("-code",),
    "title": ("title", "code"),
    "-title": ("-title", "code"),
    "due": ("due_date", "code"),
    "-due": ("-due_date", "code"),
    "status": ("current_status", "code"),
    "-status": ("-current_status", "code"),
    "unit": ("org_unit__path", "code"),
    "-unit": ("-org_unit__path", "code"),
}


@dataclass(frozen=True)
class ObjectiveFilters:
    unit: OrgUnit | None = None
    owner_id: int | None = None
    executive_id: int | None = None
    status: str | None = None
    rag: str | None = None
    search: str = ""
    sort: str = "code"


def objective_list(
    *, organization: Organization, filters: ObjectiveFilters | None = None
) -> QuerySet[QualityObjective]:
    """The organisation's objectives, filtered and sorted; related rows joined (no N+1)."""
    filters = filters or ObjectiveFilters()
    objectives = QualityObjective.objects.for_organization(organization).select_related(
        "org_unit", "owner__user", "accountable_executive__user"
    )
    if filters.unit is not None:
        objectives = objectives.in_unit_subtree(filters.unit)
    if filters.owner_id:
        objectives = objectives.filter(owner_id=filters.owner_id)
    if filters.executive_id:
        objectives = objectives.filter(accountable_executive_id=filters.executive_id)
    if filters.status:
        objectives = objectives.filter(status=filters.status)
    if filters.rag:
        objectives = objectives.filter(current_status=filters.rag)
    if filters.search:
        objectives = objectives.filter(
            Q(code__icontains=filters.search) | Q(title__icontains=filters.search)
        )
    return objectives.order_by(*SORTS.get(filters.sort, SORTS["code"]))


def rag_counts(objectives: QuerySet[QualityObjective]) -> dict[str, int]:
    """How many of these objectives are green, amber, red or without data (one query)."""
    counts = dict.fromkeys(Rag.values, 0)
    for row in objectives.order_by().values("current_status").annotate(n=Count("id")):
        counts[row["current_status"]] = row["n"]
    return counts


def objective_get(*, organization: Organization, code: str) -> QualityObjective:
    """One objective of the organisation by code, or 404 (also for another organisation's)."""
    return get_object_or_404(
        QualityObjective.objects.for_organization(organization).select_related(
            "org_unit", "owner__user", "accountable_executive__user", "parent"
        ),
        code=code,
    )


def measurement_series(objective: QualityObjective) -> list[tuple[datetime.date, Decimal]]:
    """(period end, value), oldest first."""
    return list(
        Measurement.objects.filter(objective=objective)
        .order_by("period_end")
        .values_list("period_end", "value")
    )


def measurements(objective: QualityObjective) -> QuerySet[Measurement]:
    return (
        Measurement.objects.filter(objective=objective)
        .select_related("entered_by", "seen_in")
        .order_by("-period_end")
    )


def rollups(objective: QualityObjective, granularity: str) -> QuerySet[KpiRollup]:
    return KpiRollup.objects.filter(objective=objective, granularity=granularity).order_by(
        "-period_end"
    )


def rollups_read(
    objective: QualityObjective, granularity: str, limit: int, today: datetime.date
) -> list[tuple[KpiRollup, RollupReading]]:
    """The latest `limit` rollups of one granularity, newest first, each with its reading (how
    much of the period it covers, what was judged against what)."""
    return [
        (rollup, rollup_reading(objective, rollup, today))
        for rollup in rollups(objective, granularity)[:limit]
    ]


def plan_steps(objective: QualityObjective) -> QuerySet[ActionStep]:
    return ActionStep.objects.filter(objective=objective).select_related("responsible__user")


def children(objective: QualityObjective) -> QuerySet[QualityObjective]:
    return objective.children.select_related("org_unit", "owner__user").order_by("code")


def missing_periods(
    objective: QualityObjective, due_ends: list[datetime.date]
) -> list[datetime.date]:
    """Which of these period ends have no value yet."""
    have = set(
        Measurement.objects.filter(objective=objective, period_end__in=due_ends).values_list(
            "period_end", flat=True
        )
    )
    return [end for end in due_ends if end not in have]


def objectives_missing_latest_value(
    organization: Organization, today: datetime.date
) -> list[tuple[QualityObjective, datetime.date]]:
    """Active objectives without a value for their latest period whose value is due by
    `today`, with that period's end (two queries). Reminders chase these; the audit-readiness
    check counts them."""
    from objectives.periods import latest_due_period_end, period_end

    objectives = list(
        QualityObjective.objects.for_organization(organization)
        .active()
        .filter(start_date__lte=today)
        .select_related("organization", "owner__user", "accountable_executive__user")
        .order_by("code")
    )
    due_ends = {
        o.pk: latest_due_period_end(o.frequency, o.data_due_days, today) for o in objectives
    }
    have = set(
        Measurement.objects.filter(
            objective__in=objectives, period_end__in=set(due_ends.values())
        ).values_list("objective_id", "period_end")
    )
    return [
        (o, due_ends[o.pk])
        for o in objectives
        if due_ends[o.pk] >= period_end(o.frequency, o.start_date)
        and (o.pk, due_ends[o.pk]) not in have
    ]


def values_arrived_after_review(
    organization: Organization,
    unit: OrgUnit | None = None,
    limit: int = 200,
    entered_by: datetime.datetime | None = None,
    held_before: datetime.date | None = None,
) -> list[dict]:
    """Values for periods a held review covered that it saw as missing: they arrived after it,
    and the next review is told (by objective and period). For a review compiled as of its
    meeting day: only values entered by `entered_by`, after the last review held before
    `held_before`."""
    from objectives.red_follow_ups import latest_lock

    # The latest review that saw all of this scope (a unit's review saw only its unit); before
    # the day asked about, for a review compiled as of its meeting day.
    last = latest_lock(organization, unit, held_before=held_before)
    if last is None:
        return []
    values = (
        Measurement.objects.filter(organization=organization, period_end__lte=last.through)
        # Missing when it was held: seen by no review yet, or first by a later one.
        .filter(Q(seen_in__isnull=True) | Q(seen_in_id__gt=last.pk))
        .select_related("objective", "entered_by")
        .order_by("objective__code", "period_end")
    )
    if unit is not None:
        values = values.filter(objective__org_unit__path__startswith=unit.path)
    if entered_by is not None:
        values = values.filter(entered_at__lte=entered_by)
    # Each held review marks every value of its scope before it as seen, so the latest one
    # saw these missing; but only a value already due on its meeting day was missing then (the
    # try-out: November's value, due on 10 December, was listed as seen missing on 3 December).
    found = []
    for m in values.iterator(chunk_size=500):
        due_on = m.period_end + datetime.timedelta(days=m.objective.data_due_days)
        if last.held_on is not None and due_on > last.held_on:
            continue
        found.append({"measurement": m, "review_reference": last.review_reference})
        if len(found) == limit:
            break
    return found


def status_pending_since(objective: QualityObjective) -> datetime.datetime | None:
    """When a value newer than the objective's status was saved (the background recompute has
    not run yet: a worker busy or stopped), or None when the status is up to date."""
    latest = Measurement.objects.filter(objective=objective).aggregate(Max("entered_at"))[
        "entered_at__max"
    ]
    if latest is None or (objective.status_computed_at and latest <= objective.status_computed_at):
        return None
    return latest
