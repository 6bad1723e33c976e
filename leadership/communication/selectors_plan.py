"""Reads of the communication plan: each item's due dates in a period with whether they were
done on time, the readiness summary, and the evidence pack's rows."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import NamedTuple

from django.db.models import Prefetch
from django.utils import timezone

from leadership.communication.models import (
    Announcement,
    CommunicationPlanItem,
    OccurrenceStatus,
    PlanOccurrence,
    occurrence_status,
)
from qms.core.models import Organization, OrgUnit


@dataclass
class PlannedOccurrence:
    """One due date of a plan item, with what fulfilled it (if anything)."""

    item: CommunicationPlanItem
    due_on: datetime.date
    record: PlanOccurrence | None
    status: OccurrenceStatus
    announcements: list[Announcement] = field(default_factory=list)

    @property
    def done_on(self) -> datetime.date | None:
        return self.record.done_on if self.record else None

    @property
    def is_done(self) -> bool:
        return self.record is not None

    @property
    def status_class(self) -> str:
        return {
            OccurrenceStatus.ON_TIME: "status-green",
            OccurrenceStatus.LATE: "status-amber",
            OccurrenceStatus.MISSED: "status-red",
            OccurrenceStatus.DUE: "status-amber",
        }.get(self.status, "status-nodata")


@dataclass
class PlanItemRow:
    item: CommunicationPlanItem
    occurrences: list[PlannedOccurrence]

    @property
    def next_due(self) -> PlannedOccurrence | None:
        return next((o for o in self.occurrences if not o.is_done and o.status != "missed"), None)


def _in_unit_scope(item: CommunicationPlanItem, unit: OrgUnit | None) -> bool:
    """An item concerns a unit when it addresses the whole organisation, the unit, a unit above
    it or a unit beneath it."""
    if unit is None:
        return True
    units = list(item.audience_units.all())
    if not units:
        return True
    return any(u.path.startswith(unit.path) or unit.path.startswith(u.path) for u in units)


def plan_rows(
    *,
    organization: Organization,
    start: datetime.date,
    end: datetime.date,
    today: datetime.date | None = None,
    unit: OrgUnit | None = None,
    include_inactive: bool = False,
) -> list[PlanItemRow]:
    """Each plan item (active ones; all with `include_inactive`, whose due dates stop on the day
    they were taken out of the plan) with its due dates between start and end and their status,
    ordered by topic. Four queries whatever the number of items and dates."""
    today = today or timezone.localdate()
    records = PlanOccurrence.objects.filter(due_on__gte=start, due_on__lte=end).prefetch_related(
        Prefetch(
            "announcements",
            queryset=Announcement.objects.only("id", "title", "published_at", "plan_occurrence_id"),
        )
    )
    items = CommunicationPlanItem.objects.for_organization(organization)
    if not include_inactive:
        items = items.active()
    items = items.select_related("communicator__user").prefetch_related(
        "audience_units", Prefetch("occurrences", queryset=records, to_attr="period_records")
    )
    rows = []
    for item in items.order_by("topic", "id"):
        if not _in_unit_scope(item, unit):
            continue
        by_due = {record.due_on: record for record in item.period_records}
        dates = sorted(set(item.due_dates(start, end)) | set(by_due))
        occurrences = []
        for due_on in dates:
            record = by_due.get(due_on)
            occurrences.append(
                PlannedOccurrence(
                    item=item,
                    due_on=due_on,
                    record=record,
                    status=occurrence_status(due_on, record.done_on if record else None, today),
                    announcements=list(record.announcements.all()) if record else [],
                )
            )
        rows.append(PlanItemRow(item, occurrences))
    return rows


def plan_item_get(*, organization: Organization, pk: int) -> CommunicationPlanItem | None:
    return (
        CommunicationPlanItem.objects.for_organization(organization)
        .select_related("communicator__user")
        .prefetch_related("audience_units")
        .filter(pk=pk)
        .first()
    )


class OnTimeSummary(NamedTuple):
    """(due, done on time, done late, missed): unpacks as a tuple, reads by name."""

    due: int
    on_time: int
    late: int
    missed: int

    @property
    def rate(self) -> float | None:
        """Share of due occurrences done on time; None when nothing was due."""
        return self.on_time / self.due if self.due else None


def plan_on_time_summary(
    *,
    organization: Organization,
    start: datetime.date,
    end: datetime.date,
    today: datetime.date | None = None,
) -> OnTimeSummary:
    """(due, done on time, done late, missed) over the plan's due dates between start and end
    that have passed (a date due today is not yet missed and not counted unless done)."""
    today = today or timezone.localdate()
    due = on_time = late = missed = 0
    for row in plan_rows(
        organization=organization, start=start, end=end, today=today, include_inactive=True
    ):
        for occurrence in row.occurrences:
            if occurrence.status in (OccurrenceStatus.UPCOMING, OccurrenceStatus.DUE):
                continue
            due += 1
            if occurrence.status == OccurrenceStatus.ON_TIME:
                on_time += 1
            elif occurrence.status == OccurrenceStatus.LATE:
                late += 1
            else:
                missed += 1
    return OnTimeSummary(due, on_time, late, missed)


def plan_for_evidence(
    *,
    organization: Organization,
    unit: OrgUnit | None = None,
    start: datetime.date,
    end: datetime.date,
    today: datetime.date | None = None,
) -> list[dict]:
    """One row per plan item and due date in the period, ordered by topic, item id and due
    date: what, when, to whom, how, who, the due date, its status, when and how it was done and
    the announcements that fulfilled it."""
    result = []
    for row in plan_rows(
        organization=organization,
        start=start,
        end=end,
        today=today,
        unit=unit,
        include_inactive=True,
    ):
        item = row.item
        audience_units = ", ".join(u.name for u in item.audience_units.all()) or "Everyone"
        for occurrence in row.occurrences:
            record = occurrence.record
            result.append(
                {
                    "item_id": item.pk,
                    "topic": item.topic,
                    "recurrence": item.get_recurrence_display(),
                    "audience_units": audience_units,
                    "audience_roles": ", ".join(item.audience_roles) or "All roles",
                    "channel": item.get_channel_display(),
                    "communicator": item.communicator.display_name,
                    "due_on": occurrence.due_on.isoformat(),
                    "status": occurrence.status.label,
                    "done_on": record.done_on.isoformat() if record else "",
                    "note": record.note if record else "",
                    "announcement_ids": ", ".join(str(a.pk) for a in occurrence.announcements),
                }
            )
    return result
