"""KPI values due, in their owner's calendar: for each active objective they own, the day each
period's value is due (the period's end plus the objective's `data_due_days`)."""

from __future__ import annotations

import datetime

from django.urls import reverse

from objectives.models import QualityObjective
from objectives.periods import describe, next_period_end, period_end
from qms.core.calendar.registry import CalendarEvent


def kpi_due_events(membership, start: datetime.date, end: datetime.date):
    objectives = (
        QualityObjective.objects.for_organization(membership.organization_id)
        .active()
        .filter(owner=membership)
        .order_by("code")
    )
    slug = membership.organization.slug
    for objective in objectives:
        due_days = datetime.timedelta(days=objective.data_due_days)
        period = period_end(objective.frequency, max(start - due_days, objective.start_date))
        while period + due_days <= end and period <= objective.due_date:
            due_on = period + due_days
            if due_on >= start:
                yield CalendarEvent(
                    uid=f"kpi-{slug}-{objective.pk}-{period.isoformat()}@qms",
                    summary=f"KPI value due: {objective.code} "
                    f"({describe(objective.frequency, period)})",
                    start=due_on,
                    description=f"Record the {describe(objective.frequency, period)} value of "
                    f"{objective.code} {objective.title}.",
                    url=reverse("objectives:detail", args=[slug, objective.code]),
                )
            period = next_period_end(objective.frequency, period)
