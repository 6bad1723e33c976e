"""Reminders about KPI values, and the "RAG changes" part of the executives' weekly digest.
Registered from ObjectivesConfig.ready() through `register()`.

For each active objective, the latest period already due (`latest_due_period_end`) that has no
value:
- → the owner, from the day it is due ("due-<period end>");
- still missing `KPI_ESCALATION_DAYS` (default 7) days after it became due → the accountable
  executive, critical ("missing-<period end>").
Periods that ended before the objective started are not asked for.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator

from django.conf import settings
from django.urls import reverse
from django.utils import formats, timezone

from objectives.models import Measurement, QualityObjective, Rag
from objectives.periods import describe
from objectives.rollups import current_status
from objectives.selectors import objectives_missing_latest_value
from qms.core.models import Membership, Organization
from qms.core.notifications.registry import (
    NotificationSpec,
    register_digest_section,
    register_kind,
    register_rule,
)

VALUE_DUE = "kpi-value-due"
VALUE_MISSING_ESCALATED = "kpi-value-missing-escalated"


def escalation_days() -> int:
    return getattr(settings, "KPI_ESCALATION_DAYS", 7)


def _day(value: datetime.date) -> str:
    return formats.date_format(value, "j M Y")


def kpi_value_reminders(
    organization: Organization, today: datetime.date
) -> Iterator[NotificationSpec]:
    for objective, end in objectives_missing_latest_value(organization, today):
        due_on = end + datetime.timedelta(days=objective.data_due_days)
        period = describe(objective.frequency, end)
        url = reverse(
            "objectives:detail",
            kwargs={"org_slug": organization.slug, "code": objective.code},
        )
        yield NotificationSpec(
            recipient=objective.owner,
            kind=VALUE_DUE,
            subject=objective,
            occasion=f"due-{end.isoformat()}",
            title=f"{objective.code}: the value for {period} is due",
            body=f"The {objective.title} value for {period} was due on {_day(due_on)} and has "
            f"not been recorded. Until it is, the objective shows “no data”; after "
            f"{escalation_days()} days it is escalated to "
            f"{objective.accountable_executive.display_name}.",
            url=url,
        )
        if today >= due_on + datetime.timedelta(days=escalation_days()):
            yield NotificationSpec(
                recipient=objective.accountable_executive,
                kind=VALUE_MISSING_ESCALATED,
                subject=objective,
                occasion=f"missing-{end.isoformat()}",
                title=f"Escalation: {objective.code} has no value for {period}",
                body=f"The {objective.title} value for {period}, owned by "
                f"{objective.owner.display_name}, was due on {_day(due_on)} and is still "
                "missing. You are accountable for this objective.",
                url=url,
            )


def rag_changes_section(
    membership: Membership, today: datetime.date
) -> tuple[str, list[str]] | None:
    """Digest: the executive's active objectives whose RAG status differs from 7 days ago.

    The stored `current_status` keeps no history (it is excluded from the audit trail, being
    recomputed nightly), so both statuses are recomputed with the same reference rule as the
    rollups (`objectives.rollups.current_status`): once as of today with every value entered so
    far, once as of 7 days ago with the values entered by then (by `Measurement.entered_at`).
    A value corrected in place counts with its corrected figure at both dates."""
    week_ago = today - datetime.timedelta(days=7)
    cutoff_then = timezone.make_aware(
        datetime.datetime.combine(week_ago + datetime.timedelta(days=1), datetime.time.min)
    )
    cutoff_now = timezone.make_aware(
        datetime.datetime.combine(today + datetime.timedelta(days=1), datetime.time.min)
    )
    objectives = list(
        QualityObjective.objects.for_organization(membership.organization_id)
        .active()
        .filter(accountable_executive=membership)
        .order_by("code")
    )
    if not objectives:
        return None
    latest_now: dict[int, Measurement] = {}
    latest_then: dict[int, Measurement] = {}
    measurements = Measurement.objects.filter(
        objective__in=objectives, entered_at__lt=cutoff_now
    ).order_by("objective_id", "period_end")
    for m in measurements:
        latest_now[m.objective_id] = m
        if m.entered_at < cutoff_then:
            latest_then[m.objective_id] = m
    labels = dict(Rag.choices)
    lines = []
    for objective in objectives:
        before = current_status(objective, latest_then.get(objective.pk), week_ago).status
        now = current_status(objective, latest_now.get(objective.pk), today).status
        if before != now:
            lines.append(f"{objective.code} {objective.title}: {labels[before]} → {labels[now]}")
    return ("Objectives whose status changed in the last 7 days", lines) if lines else None


def register() -> None:
    register_kind(
        VALUE_DUE,
        "KPI value due",
        description="A value of an objective you own is due and has not been recorded.",
    )
    register_kind(
        VALUE_MISSING_ESCALATED,
        "Missing KPI value escalated",
        critical=True,
        description="A value of an objective you are accountable for is still missing a week "
        "after it was due.",
    )
    register_rule(kpi_value_reminders)
    register_digest_section(rag_changes_section, order=10)
