"""Reminders about KPI values, and the "RAG changes" part of the executives' weekly digest.
Registered from ObjectivesConfig.ready() through `register()`.

For each active objective, the latest period already due (`latest_due_period_end`) that has no
value:
- → the owner, from the day it is due ("due-<period end>");
- still missing `KPI_ESCALATION_DAYS` (default 7) days after it became due → the accountable
  executive, critical ("missing-<period end>").
Periods that ended before the objective started are not asked for.

Waiting decisions of an off-track period (`red_follow_ups`; told when it turns red, resolved
once taken, by whoever may take it): the owner's "say why, and the next step" (until explained,
by the owner or a quality manager) and the corrective action proposed to the accountable
executive (until accepted or dismissed).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator

from django.conf import settings
from django.urls import reverse
from django.utils import formats, timezone

from objectives import red_follow_ups
from objectives.models import Measurement, QualityObjective, Rag, RedFollowUp
from objectives.periods import describe, latest_due_period_end
from objectives.rollups import current_status
from objectives.selectors import objectives_missing_latest_value
from objectives.status import objective_rag
from qms.core.models import Membership, Organization
from qms.core.notifications.registry import (
    NotificationSpec,
    register_digest_section,
    register_kind,
    register_rule,
    register_waiting,
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
                title=f"{objective.code} has no value for {period}: {objective.title}",
                body=f"The {objective.title} value for {period}, owned by "
                f"{objective.owner.display_name}, was due on {_day(due_on)} and is still "
                "missing. You are accountable for this objective.",
                url=url,
            )


def _follow_ups_waiting(organization: Organization, kind: str, **waiting) -> Iterator:
    follow_ups = (
        RedFollowUp.objects.filter(organization=organization, **waiting)
        .select_related("objective__organization", "objective__owner__user")
        .select_related("objective__accountable_executive__user")
        .order_by("period_end", "pk")
    )
    for follow_up in follow_ups:
        # The same notifications `follow_up_open` created when the period turned red.
        yield from (s for s in red_follow_ups._specs(follow_up) if s.kind == kind)


def explanations_waiting(organization: Organization, today: datetime.date) -> Iterator:
    return _follow_ups_waiting(organization, red_follow_ups.EXPLAIN_KIND, explanation="")


def proposals_waiting(organization: Organization, today: datetime.date) -> Iterator:
    return _follow_ups_waiting(
        organization,
        red_follow_ups.PROPOSAL_KIND,
        proposal_status=RedFollowUp.ProposalStatus.PROPOSED,
    )


def rag_changes_section(
    membership: Membership, today: datetime.date
) -> tuple[str, list[str]] | None:
    """Digest: the executive's active objectives whose status changed this week, judged like
    the dashboard: period against period, never by when values happened to be typed in.

    - a value recorded in the last 7 days for the objective's latest period whose status
      differs from the period before it: "On track → Off track for October 2026 (on track
      since March 2026)"; an objective red since 2023 whose new value is red again is no change;
    - the latest period's value became due this week and is missing: "… → No data".
    A first value ever is said as such, not as a change from "no data"."""
    week_ago = today - datetime.timedelta(days=7)
    objectives = list(
        QualityObjective.objects.for_organization(membership.organization_id)
        .active()
        .filter(accountable_executive=membership)
        .order_by("code")
    )
    if not objectives:
        return None
    history: dict[int, list[Measurement]] = {}
    measurements = Measurement.objects.filter(
        objective__in=objectives, period_end__lte=today
    ).order_by("objective_id", "period_end")
    for m in measurements:
        history.setdefault(m.objective_id, []).append(m)
    labels = dict(Rag.choices)
    lines = []
    for objective in objectives:
        line = _status_change(objective, history.get(objective.pk, []), today, week_ago, labels)
        if line:
            lines.append(f"{objective.code} {objective.title}: {line}")
    return ("Objectives whose status changed in the last 7 days", lines) if lines else None


def _status_change(objective, values: list, today, week_ago, labels) -> str:
    if not values:
        return ""
    latest = values[-1]
    period = describe(objective.frequency, latest.period_end)
    now = current_status(objective, values, today).status
    if now == Rag.NO_DATA:
        # Missing since this week: the latest value covered what was due a week ago.
        if current_status(objective, values, week_ago).status == Rag.NO_DATA:
            return ""
        due_end = latest_due_period_end(objective.frequency, objective.data_due_days, today)
        due_on = due_end + datetime.timedelta(days=objective.data_due_days)
        before = labels[objective_rag(objective, latest.value)]
        return (
            f"{before} → {labels[Rag.NO_DATA]}: the value for "
            f"{describe(objective.frequency, due_end)} was due on {_day(due_on)} and is missing"
        )
    cutoff = timezone.make_aware(
        datetime.datetime.combine(week_ago + datetime.timedelta(days=1), datetime.time.min)
    )
    if latest.entered_at < cutoff:
        return ""  # nothing new this week
    if len(values) == 1:
        return f"first value, {labels[now]} for {period}"
    statuses = [objective_rag(objective, m.value) for m in values[:-1]]
    before = statuses[-1]
    if before == now:
        return ""
    start = len(statuses) - 1
    while start > 0 and statuses[start - 1] == before:
        start -= 1
    since = describe(objective.frequency, values[start].period_end)
    return f"{labels[before]} → {labels[now]} for {period} ({labels[before].lower()} since {since})"


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
    register_waiting(red_follow_ups.EXPLAIN_KIND, explanations_waiting, models=[RedFollowUp])
    register_waiting(red_follow_ups.PROPOSAL_KIND, proposals_waiting, models=[RedFollowUp])
    register_digest_section(rag_changes_section, order=10)
