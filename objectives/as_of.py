"""Objectives as they stood at a past moment: the KPI values that had been entered by then
(as they read then, before any later correction or withdrawal) and the status they gave.

A management review recorded as held on an earlier day (or the demo replaying past reviews)
compiles its inputs from these, so that its frozen agenda says what the meeting could have seen,
not what was entered afterwards. The status follows the same rule as the live `current_status`
(`objectives.rollups`): the latest value entered, judged against the thresholds, or *no data*
when the value of the last period due by that day is missing.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import OuterRef, Subquery
from django.utils import timezone

from objectives.models import Measurement, QualityObjective, Rag
from objectives.periods import latest_due_period_end
from objectives.status import objective_rag


def end_of_day(day: datetime.date) -> datetime.datetime:
    """The last moment of `day` in the organisation's time zone: "as of 4 July" includes what
    was entered on 4 July."""
    start = datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min)
    return timezone.make_aware(start) - datetime.timedelta(microseconds=1)


def values_known_at(
    objectives: list[QualityObjective],
    moment: datetime.datetime,
    since: datetime.date | None = None,
) -> dict[int, list[tuple[datetime.date, Decimal]]]:
    """Per objective id, its values entered by `moment`, as they read then, oldest period
    first (periods ending on or after `since`, if given). One query, plus two for the values
    corrected or withdrawn since (usually none)."""
    values = Measurement.objects.filter(
        objective_id__in=[o.pk for o in objectives], entered_at__lte=moment
    )
    if since is not None:
        values = values.filter(period_end__gte=since)
    rows = {
        pk: (objective_id, end, value)
        for pk, objective_id, end, value in values.values_list(
            "pk", "objective_id", "period_end", "value"
        )
    }
    for pk, row in _changed_since(objectives, moment, exclude=set(rows)).items():
        if since is None or row[1] >= since:
            rows[pk] = row
    series: dict[int, list[tuple[datetime.date, Decimal]]] = {}
    for objective_id, end, value in sorted(rows.values(), key=lambda row: (row[0], row[1])):
        series.setdefault(objective_id, []).append((end, value))
    return series


def latest_known_at(
    objectives: list[QualityObjective], moment: datetime.datetime
) -> dict[int, tuple[datetime.date, Decimal]]:
    """Per objective id, its latest period's value among those entered by `moment`, as it read
    then. One query whatever the history, plus two for values corrected or withdrawn since."""
    latest = Measurement.objects.filter(objective=OuterRef("pk"), entered_at__lte=moment).order_by(
        "-period_end"
    )
    found = {
        pk: (end, value)
        for pk, end, value in QualityObjective.objects.filter(pk__in=[o.pk for o in objectives])
        .annotate(
            latest_end=Subquery(latest.values("period_end")[:1]),
            latest_value=Subquery(latest.values("value")[:1]),
        )
        .filter(latest_end__isnull=False)
        .values_list("pk", "latest_end", "latest_value")
    }
    for objective_id, end, value in _changed_since(objectives, moment, exclude=set()).values():
        if objective_id not in found or end > found[objective_id][0]:
            found[objective_id] = (end, value)
    return found


def _changed_since(
    objectives: list[QualityObjective], moment: datetime.datetime, exclude: set[int]
) -> dict[int, tuple[int, datetime.date, Decimal]]:
    """Values corrected or withdrawn after `moment` (a correction moves `entered_at` on, a
    withdrawal deletes the row), read back from the audit trail as they were at `moment`;
    those that did not exist yet are left out. By measurement id."""
    History = Measurement.history.model
    ids = [o.pk for o in objectives]
    changed = (
        set(
            History.objects.filter(
                objective_id__in=ids, history_date__gt=moment, history_type__in=["~", "-"]
            ).values_list("id", flat=True)
        )
        - exclude
    )
    if not changed:
        return {}
    as_then: dict[int, tuple[int, datetime.date, Decimal]] = {}
    for row in (
        History.objects.filter(id__in=changed, history_date__lte=moment)
        .order_by("id", "history_date", "history_id")
        .values("id", "objective_id", "period_end", "value", "history_type")
    ):
        if row["history_type"] == "-":
            as_then.pop(row["id"], None)
        else:
            as_then[row["id"]] = (row["objective_id"], row["period_end"], row["value"])
    return as_then


@dataclass(frozen=True)
class StatusAsOf:
    status: str
    value: Decimal | None
    period_end: datetime.date | None

    @property
    def status_label(self) -> str:
        return Rag(self.status).label


def status_as_of(
    objective: QualityObjective,
    latest: tuple[datetime.date, Decimal] | None,
    day: datetime.date,
) -> StatusAsOf:
    """The status `objective` had on `day`, from its latest value known then
    (`latest_known_at`)."""
    if latest is None:
        return StatusAsOf(Rag.NO_DATA, None, None)
    end, value = latest
    due = latest_due_period_end(objective.frequency, objective.data_due_days, day)
    status = Rag.NO_DATA if end < due else objective_rag(objective, value)
    return StatusAsOf(status, value, end)


def statuses_as_of(
    objectives: list[QualityObjective],
    day: datetime.date,
    moment: datetime.datetime | None = None,
) -> dict[int, StatusAsOf]:
    """`status_as_of` for each objective on `day`, from the values entered by `moment` (by
    default the end of that day)."""
    latest = latest_known_at(objectives, moment or end_of_day(day))
    return {o.pk: status_as_of(o, latest.get(o.pk), day) for o in objectives}
