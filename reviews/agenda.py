"""The management review's agenda: the ISO 9001 9.3.2 inputs compiled from the data for the
review's period, each from the selectors of the app that owns the data.

Each input is stored as plain JSON (`ReviewInput.data`) so that, once the review is held and
the inputs are frozen, the record shows exactly what top management saw, however the data
changes later. Where an input has no data, `missing` says so in a sentence: the agenda never
hides a gap.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Sum
from django.utils import timezone

from leadership.engagement.selectors import (
    improvements_for_review,
    survey_results_by_round,
    survey_trend,
)
from leadership.models import ContextIssue, Process, ResourceAllocation, ResourceSpend, Risk
from leadership.selectors.competence import competence_gaps_summary
from leadership.selectors.context import context_issues_summary
from leadership.selectors.processes import process_flags, process_list
from leadership.selectors.resources import allocation_list
from leadership.selectors.risks import risks_summary
from objectives.as_of import end_of_day, statuses_as_of, values_known_at
from objectives.models import (
    Direction,
    LockedCorrection,
    QualityObjective,
    Rag,
    RedFollowUp,
)
from objectives.periods import describe, next_period_end, period_end
from objectives.selectors import values_arrived_after_review
from objectives.templatetags.objectives_tags import kpi
from qms.core.actions.models import OPEN_STATUSES, Action, ActionStatus
from qms.core.actions.selectors import actions_summary
from qms.core.models import Organization, OrgUnit
from qms.core.registers.as_of import field_as_of, ids_as_of
from reviews.models import AuditFinding, CustomerFeedback, Nonconformity, ReviewDecision
from reviews.selectors import (
    audit_findings_summary,
    customer_feedback_summary,
    nonconformities_summary,
    provider_evaluations_summary,
)

LIST_LIMIT = 15  # rows kept per list: the agenda is read in a meeting, not an export


@dataclass(frozen=True)
class CompiledInput:
    key: str
    clause: str
    title: str
    data: dict
    has_data: bool
    missing: str = ""


@dataclass(frozen=True)
class Period:
    organization: Organization
    start: datetime.date
    end: datetime.date
    review_id: int | None  # this review, whose own decisions are not "previous"
    today: datetime.date
    # A unit's review: objectives, nonconformities, audit findings and resources of the unit
    # and the units beneath it; the other inputs are the organisation's (it has one context,
    # one risk register, one set of customers and suppliers).
    unit: OrgUnit | None = None
    # What had been recorded by then counts: now for an agenda being prepared; the end of the
    # meeting day for a review recorded as held, so that it never shows a value entered, an
    # action raised or a decision taken after the meeting.
    moment: datetime.datetime = dataclasses.field(default_factory=timezone.now)
    as_of: datetime.date | None = None  # the meeting day, for a review compiled as of it


def plain(value):
    """JSON-safe: dates as ISO text, Decimals as text (exact), dataclasses as dicts."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, int | float | str | bool) or value is None:
        return value
    return str(value)


def _action_row(action: Action, today: datetime.date, status: str | None = None) -> dict:
    status = status or action.status
    return {
        "reference": action.reference,
        "number": action.number,
        "title": action.title,
        "owner": action.owner.display_name,
        "due": action.due_date.isoformat(),
        "status": ActionStatus(status).label,
        "overdue": status in OPEN_STATUSES and action.due_date < today,
    }


def _statuses_at(actions: list[Action], moment: datetime.datetime) -> dict[int, str]:
    """Each action's status at `moment`, from its audit trail (one query): an action closed or
    verified after the meeting was still open, or done, when the meeting saw it."""
    statuses = {a.pk: a.status for a in actions}
    for pk, status in (
        Action.history.model.objects.filter(
            id__in=list(statuses), history_date__lte=moment, history_type__in=["+", "~"]
        )
        .order_by("id", "history_date", "history_id")
        .values_list("id", "status")
    ):
        statuses[pk] = status
    return statuses


# --- (a) actions from previous reviews ------------------------------------------------------


def previous_review_actions(period: Period) -> CompiledInput:
    decisions = ReviewDecision.objects.filter(organization=period.organization)
    if period.review_id:
        decisions = decisions.exclude(review_id=period.review_id)
    # Raised by the end of the meeting day, each with the status it had then.
    actions = list(
        Action.objects.for_organization(period.organization)
        .filter(
            source_type=ContentType.objects.get_for_model(ReviewDecision),
            source_id__in=decisions.values("pk"),
            created_at__lte=period.moment,
        )
        .select_related("owner__user")
        .order_by("due_date", "number")
    )
    statuses = _statuses_at(actions, period.moment)
    actions = [a for a in actions if statuses[a.pk] != ActionStatus.CANCELLED]
    rows = [_action_row(a, period.today, statuses[a.pk]) for a in actions[: LIST_LIMIT * 2]]
    # Counted over every action: the list above is cut for the meeting, the counts are not.
    counts = {
        "total": len(actions),
        "open": sum(1 for a in actions if statuses[a.pk] in OPEN_STATUSES),
        "overdue": sum(
            1 for a in actions
            if statuses[a.pk] in OPEN_STATUSES and a.due_date < period.today
        ),
    }  # fmt: skip
    summary = actions_summary(
        organization=period.organization, start=period.start, end=period.end, today=period.today
    )
    data = {
        "actions": rows,
        **counts,
        "all_actions": plain(summary)
        | {
            "on_time_rate": None
            if summary.on_time_rate is None
            else round(summary.on_time_rate * 100)
        },
    }
    return CompiledInput(
        "a_actions",
        "9.3.2 a",
        "Status of actions from previous management reviews",
        data,
        has_data=bool(rows) or summary.raised + summary.open_at_end > 0,
        missing="No earlier review raised actions, and no action was open in the period.",
    )


# --- (b) context ----------------------------------------------------------------------------


def context_changes(period: Period) -> CompiledInput:
    summary = context_issues_summary(
        organization=period.organization, start=period.start, end=period.end
    )
    data = {
        "raised": summary.raised,
        "changed": summary.changed,
        "closed": summary.closed,
        "in_force": summary.in_force_at_end,
        "internal": summary.internal_in_force,
        "external": summary.external_in_force,
        "changes": [_context_row(i, period.end) for i in summary.changes],
    }
    return CompiledInput(
        "b_context",
        "9.3.2 b",
        "Changes in external and internal issues",
        data,
        has_data=summary.has_data,
        missing="No context issues are recorded: the register of internal and external issues "
        "(4.1) is empty.",
    )


def _context_row(issue: ContextIssue, end: datetime.date) -> dict:
    """An issue as it stood at the end of the period: one raised in it whose status changed
    only after the meeting was still current then."""
    changed = issue.status_changed_on is not None and issue.status_changed_on <= end
    return {
        "reference": issue.reference,
        "title": issue.title,
        "kind": issue.get_kind_display(),
        "status": issue.get_status_display() if changed else ContextIssue.Status.CURRENT.label,
        "date": (issue.status_changed_on if changed else issue.raised_on).isoformat(),
    }


# --- (c) performance and effectiveness ------------------------------------------------------


def objectives_performance(period: Period) -> CompiledInput:
    objectives = QualityObjective.objects.for_organization(period.organization).active()
    if period.unit is not None:
        objectives = objectives.in_unit_subtree(period.unit)
    objectives = list(objectives.select_related("accountable_executive__user").order_by("code"))
    # As of the meeting day, not the objectives' current status: a review recorded later
    # (or replayed by the demo) must not show values entered after it.
    statuses = statuses_as_of(objectives, period.today, period.moment)
    rows = []
    for o in objectives:
        st = statuses[o.pk]
        rows.append(
            {
                "code": o.code,
                "title": o.title,
                "status": st.status,
                "status_label": st.status_label,
                "value": plain(st.value),
                "target": plain(o.target),
                # As the objective's page writes them ("96.4%"), frozen with the numbers.
                "value_text": kpi(st.value, o),
                "target_text": kpi(o.target, o),
                "unit": o.unit,
                "direction": o.direction,
                "period_end": plain(st.period_end),
                "executive": o.accountable_executive.display_name,
            }
        )
    counts = {rag: sum(1 for r in rows if r["status"] == rag) for rag in Rag.values}
    return CompiledInput(
        "c_objectives",
        "9.3.2 c 2",
        "Extent to which quality objectives have been met",
        {"counts": counts, "objectives": rows, **_red_follow_ups(period)},
        has_data=bool(rows),
        missing="No active quality objectives: there is nothing to measure performance by.",
    )


def _red_follow_ups(period: Period) -> dict:
    """Off-track periods with their explanation and the executive's decision, and values of
    periods an earlier review used that a quality manager corrected since (10.2, 9.3)."""
    follow_ups = (
        RedFollowUp.objects.for_organization(period.organization)
        .filter(created_at__date__gte=period.start, created_at__date__lte=period.end)
        .select_related("objective", "action", "decided_by__user")
        .order_by("objective__code", "period_end")
    )
    corrections = (
        LockedCorrection.objects.for_organization(period.organization)
        .filter(corrected_at__date__gte=period.start, corrected_at__date__lte=period.end)
        .select_related("objective", "corrected_by__user")
        .order_by("corrected_at")
    )
    if period.unit is not None:
        follow_ups = follow_ups.filter(objective__org_unit__path__startswith=period.unit.path)
        corrections = corrections.filter(objective__org_unit__path__startswith=period.unit.path)
    arrived = values_arrived_after_review(
        period.organization, period.unit, entered_by=period.moment, held_before=period.as_of
    )
    return {
        "off_track": [_follow_up_row(f, period.moment) for f in follow_ups[:LIST_LIMIT]],
        "locked_corrections": [
            {"code": c.objective.code, "period_end": plain(c.period_end),
             "period": describe(c.objective.frequency, c.period_end),
             "before": plain(c.before), "after": plain(c.after),
             # As people read them: the objective's decimals and unit ("93.2%").
             "before_text": kpi(c.before, c.objective) if c.before is not None else "none",
             "after_text": kpi(c.after, c.objective),
             "reason": c.reason, "by": c.corrected_by.display_name}
            for c in corrections[:LIST_LIMIT]
        ],
        # Periods an earlier review saw as missing: their first values.
        "arrived_after_review": [
            {"code": a["measurement"].objective.code,
             "period": describe(a["measurement"].objective.frequency,
                                a["measurement"].period_end),
             "period_end": plain(a["measurement"].period_end),
             "value_text": kpi(a["measurement"].value, a["measurement"].objective),
             "review": a["review_reference"]}
            for a in arrived[:LIST_LIMIT]
        ],
    }  # fmt: skip


def _follow_up_row(follow_up: RedFollowUp, moment: datetime.datetime) -> dict:
    """An off-track follow-up as it stood at `moment`: an explanation given or a decision taken
    after the meeting (and the action it raised) is not what the meeting saw."""
    explained = follow_up.explained_at is None or follow_up.explained_at <= moment
    decided = follow_up.decided_at is None or follow_up.decided_at <= moment
    return {
        "code": follow_up.objective.code,
        "period_end": plain(follow_up.period_end),
        "period": describe(follow_up.objective.frequency, follow_up.period_end),
        "explanation": follow_up.explanation if explained else "",
        "next_step": follow_up.next_step if explained else "",
        "decision": follow_up.get_proposal_status_display()
        if decided
        else RedFollowUp.ProposalStatus.PROPOSED.label,
        "action": follow_up.action.reference if decided and follow_up.action_id else "",
        "dismissal_reason": follow_up.dismissal_reason if decided else "",
    }


def customer_satisfaction(period: Period) -> CompiledInput:
    summary = customer_feedback_summary(
        organization=period.organization, start=period.start, end=period.end
    )
    complaints = CustomerFeedback.objects.for_organization(period.organization).filter(
        feedback_type=CustomerFeedback.FeedbackType.COMPLAINT,
        received_on__gte=period.start,
        received_on__lte=period.end,
    )
    if period.as_of is not None:  # recorded by the meeting, in the state it was in then
        complaints = complaints.filter(pk__in=ids_as_of(CustomerFeedback, period.moment))
    complaints = list(complaints.order_by("-received_on")[:LIST_LIMIT])
    labels = dict(CustomerFeedback.Status.choices)
    status_then = (
        field_as_of(CustomerFeedback, [c.pk for c in complaints], "status", period.moment)
        if period.as_of is not None
        else {c.pk: c.status for c in complaints}
    )
    data = plain(summary) | {
        "complaint_list": [
            {"reference": c.reference, "title": c.title, "customer": c.customer,
             "date": c.received_on.isoformat(), "status": labels[status_then[c.pk]]}
            for c in complaints
        ]
    }  # fmt: skip
    return CompiledInput(
        "c_customers",
        "9.3.2 c 1",
        "Customer satisfaction and feedback from relevant interested parties",
        data,
        has_data=summary.has_data,
        missing="No customer feedback or survey score was recorded in the period.",
    )


def nonconformities(period: Period) -> CompiledInput:
    summary = nonconformities_summary(
        organization=period.organization, start=period.start, end=period.end, unit=period.unit
    )
    return CompiledInput(
        "c_nonconformities",
        "9.3.2 c 4",
        "Nonconformities and corrective actions",
        plain(summary),
        has_data=summary.has_data,
        missing="No nonconformity was raised in the period and none is open.",
    )


def audit_results(period: Period) -> CompiledInput:
    summary = audit_findings_summary(
        organization=period.organization, start=period.start, end=period.end, unit=period.unit
    )
    return CompiledInput(
        "c_audits",
        "9.3.2 c 6",
        "Audit results",
        plain(summary),
        has_data=summary.has_data,
        missing="No audit was recorded in the period and no finding is open.",
    )


def provider_performance(period: Period) -> CompiledInput:
    summary = provider_evaluations_summary(
        organization=period.organization, start=period.start, end=period.end
    )
    return CompiledInput(
        "c_providers",
        "9.3.2 c 7",
        "Performance of external providers",
        plain(summary),
        has_data=summary.has_data,
        missing="No external provider was evaluated in the period.",
    )


def process_performance(period: Period) -> CompiledInput:
    """9.3.2 c 3: each process in use (of the unit's subtree, for a unit's review) with the
    KPIs that measure it as they stood, its flags (no owner, no KPI), and the
    nonconformities raised in the period in its unit: how the processes performed and how
    far their products and services conformed."""
    processes = process_list(organization=period.organization)
    if period.as_of is None:
        processes = processes.filter(status=Process.Status.ACTIVE)
    else:  # in use on the meeting day: one retired since still was, one added since was not
        processes = processes.filter(
            pk__in=ids_as_of(Process, period.moment, status=Process.Status.ACTIVE)
        )
    if period.unit is not None:
        processes = processes.filter(org_unit__path__startswith=period.unit.path)
    raised = _nonconformities_raised_by_unit(period)
    processes = list(processes)
    kpis_of = {
        process.pk: sorted(
            (o for o in process.objectives.all() if o.status == QualityObjective.Status.ACTIVE),
            key=lambda o: o.code,
        )
        for process in processes
    }
    # Each KPI as it stood on the meeting day, as input c 2 shows it.
    statuses = statuses_as_of(
        list({o.pk: o for kpis in kpis_of.values() for o in kpis}.values()),
        period.today,
        period.moment,
    )
    rows = []
    for process in processes:
        kpis = kpis_of[process.pk]
        unit_path = process.org_unit.path if process.org_unit_id else None
        rows.append(
            {
                "reference": process.reference,
                "title": process.title,
                "owner": process.owner.display_name if process.owner else "",
                "kpis": [
                    {"code": o.code, "title": o.title, "status": statuses[o.pk].status,
                     "status_label": statuses[o.pk].status_label,
                     "value_text": kpi(statuses[o.pk].value, o), "target_text": kpi(o.target, o)}
                    for o in kpis
                ],
                "worst": _worst_status([statuses[o.pk].status for o in kpis]),
                "flags": process_flags(process),
                # None: the process names no unit, so no nonconformity can be placed in it.
                "nonconformities": None if unit_path is None else sum(
                    n for path, n in raised.items() if path.startswith(unit_path)
                ),
            }
        )  # fmt: skip
    counts = {rag: sum(1 for r in rows if r["worst"] == rag) for rag in Rag.values}
    return CompiledInput(
        "c_processes",
        "9.3.2 c 3",
        "Process performance and conformity of products and services",
        {
            "processes": rows,
            "counts": counts,
            "flagged": sum(1 for r in rows if r["flags"]),
            "nonconformities_raised": sum(raised.values()),
        },
        has_data=bool(rows),
        missing="No process in use is recorded in the process register (4.4).",
    )


# Worst first: a process is as healthy as its worst KPI; "no data" ranks below red.
_STATUS_ORDER = [Rag.RED, Rag.AMBER, Rag.NO_DATA, Rag.GREEN]


def _worst_status(statuses: list[str]) -> str:
    for rag in _STATUS_ORDER:
        if rag in statuses:
            return rag
    return Rag.NO_DATA


def _nonconformities_raised_by_unit(period: Period) -> dict[str, int]:
    """Nonconformities raised in the period, counted per unit path (one query)."""
    rows = (
        Nonconformity.objects.for_organization(period.organization)
        .filter(detected_on__gte=period.start, detected_on__lte=period.end)
        .exclude(org_unit__isnull=True)
    )
    if period.unit is not None:
        rows = rows.filter(org_unit__path__startswith=period.unit.path)
    rows = rows.values("org_unit__path").annotate(n=Count("id"))
    return {row["org_unit__path"]: row["n"] for row in rows}


def measurement_results(period: Period) -> CompiledInput:
    """9.3.2 c 5: what the monitoring and measurement of the period gave, per active
    objective: how many of the values due in the period arrived, the first and last value of
    the period and whether it moved the right way; the periods still missing are named."""
    objectives = list(
        QualityObjective.objects.for_organization(period.organization)
        .active()
        .filter(start_date__lte=period.end)
        .select_related("org_unit")
        .order_by("code")
    )
    if period.unit is not None:
        objectives = [o for o in objectives if o.org_unit.path.startswith(period.unit.path)]
    # The values entered by the end of the meeting day, as they read then.
    values = {
        objective_id: [(end, value) for end, value in series if period.start <= end <= period.end]
        for objective_id, series in values_known_at(
            objectives, period.moment, since=period.start
        ).items()
    }
    rows = []
    for o in objectives:
        due = _due_period_ends(o, period)
        series = values.get(o.pk, [])
        have = {end for end, _ in series}
        missing = [end for end in due if end not in have]
        # "N of M due" counts the due periods that have their value: a value logged before its
        # period was due is not one of them (it read "3 of 2 due").
        logged_due = len(set(due) & have)
        first, last = (series[0], series[-1]) if series else (None, None)
        rows.append(
            {
                "code": o.code,
                "title": o.title,
                "frequency": o.get_frequency_display(),
                "values": logged_due,
                "early": len(series) - logged_due,
                "due": len(due),
                "missing": [describe(o.frequency, end) for end in missing[:6]],
                "missing_count": len(missing),
                "missing_more": max(len(missing) - 6, 0),
                "first_text": kpi(first[1], o) if first else "",
                "last_text": kpi(last[1], o) if last else "",
                "last_period": describe(o.frequency, last[0]) if last else "",
                "trend": _movement(o, series),
            }
        )
    return CompiledInput(
        "c_measurement",
        "9.3.2 c 5",
        "Monitoring and measurement results",
        {
            "objectives": rows,
            "values": sum(r["values"] for r in rows),
            "early": sum(r["early"] for r in rows),
            "due": sum(r["due"] for r in rows),
            "missing": sum(r["missing_count"] for r in rows),
            "improving": sum(1 for r in rows if r["trend"] == "improving"),
            "worsening": sum(1 for r in rows if r["trend"] == "worsening"),
        },
        has_data=any(r["values"] or r["early"] or r["due"] for r in rows),
        missing="No KPI value was due or logged in the period.",
    )


def _due_period_ends(objective: QualityObjective, period: Period) -> list[datetime.date]:
    """The objective's period ends inside the review period whose value was due by today."""
    ends = []
    end = period_end(objective.frequency, max(period.start, objective.start_date))
    while end <= period.end:
        if end + datetime.timedelta(days=objective.data_due_days) <= period.today:
            ends.append(end)
        end = next_period_end(objective.frequency, end)
    return ends


def _movement(objective: QualityObjective, series: list) -> str:
    """Whether the period's last value is better than its first, by the KPI's direction."""
    if len(series) < 2:
        return "not enough values"
    first, last = series[0][1], series[-1][1]
    if objective.direction == Direction.BAND:
        first, last = -abs(first - objective.target), -abs(last - objective.target)
    elif objective.direction == Direction.LOWER:
        first, last = -first, -last
    if last > first:
        return "improving"
    if last < first:
        return "worsening"
    return "steady"


# --- (d) resources --------------------------------------------------------------------------


def resources(period: Period) -> CompiledInput:
    # As they stood at the end of the meeting day: requests made by then, decisions taken by
    # then (a request approved later was still waiting), spend dated and recorded by then.
    allocations = list(
        allocation_list(organization=period.organization, unit=period.unit)
        .filter(period_start__lte=period.end, period_end__gte=period.start)
        .filter(created_at__lte=period.moment)
        .order_by("pk")
    )
    spent = dict(
        ResourceSpend.objects.filter(
            allocation__in=[a.pk for a in allocations],
            date__lte=period.today,
            recorded_at__lte=period.moment,
        )
        .order_by()
        .values_list("allocation_id")
        .annotate(total=Sum("amount"))
    )
    totals: dict[str, dict] = {}
    pending = 0
    for a in allocations:
        row = totals.setdefault(
            a.unit, {"unit": a.unit, "requested": Decimal(0), "approved": Decimal(0),
                     "spent": Decimal(0)}
        )  # fmt: skip
        row["requested"] += a.amount
        status = _allocation_status_at(a, period.moment)
        if status == ResourceAllocation.Status.APPROVED:
            row["approved"] += a.amount
            row["spent"] += spent.get(a.pk, Decimal(0))
        elif status == ResourceAllocation.Status.REQUESTED:
            pending += 1
    unresourced = _off_track_without_resources(period)
    competence = competence_gaps_summary(
        organization=period.organization, unit=period.unit, today=period.end
    )
    data = {
        "totals": plain(list(totals.values())),
        "pending_requests": pending,
        # People as a resource (7.1.2, 7.2): gaps against what their roles require, and
        # competences expiring in the next 90 days (leadership.selectors.competence).
        "competence_gaps": plain(competence["gaps"][:LIST_LIMIT]),
        "competence_gap_count": competence["gap_count"],
        "competence_expiring": plain(competence["expiring"][:LIST_LIMIT]),
        "competence_expiring_count": competence["expiring_count"],
        "unresourced": unresourced,
    }
    return CompiledInput(
        "d_resources",
        "9.3.2 d",
        "Adequacy of resources",
        data,
        has_data=bool(totals)
        or bool(data["unresourced"])
        or bool(competence["gap_count"])
        or bool(competence["expiring_count"]),
        missing="No resource was requested or allocated for the period.",
    )


def _allocation_status_at(allocation: ResourceAllocation, moment: datetime.datetime) -> str:
    """Requested until decided: a decision taken after `moment` had not been taken then."""
    if allocation.decided_at is not None and allocation.decided_at > moment:
        return ResourceAllocation.Status.REQUESTED
    return allocation.status


def _off_track_without_resources(period: Period) -> list[dict]:
    """Active objectives red or amber on the meeting day with no allocation approved by then
    (`leadership.selectors.resources.off_track_without_resources`, as of the meeting)."""
    objectives = list(
        QualityObjective.objects.for_organization(period.organization).active().order_by("code")
    )
    statuses = statuses_as_of(objectives, period.today, period.moment)
    approved = set(
        ResourceAllocation.objects.for_organization(period.organization)
        .filter(
            status=ResourceAllocation.Status.APPROVED,
            objective__isnull=False,
            decided_at__lte=period.moment,
        )
        .values_list("objective_id", flat=True)
    )
    off_track = [
        o for o in objectives
        if statuses[o.pk].status in (Rag.RED, Rag.AMBER) and o.pk not in approved
    ]  # fmt: skip
    off_track.sort(key=lambda o: (statuses[o.pk].status, o.code))
    return [
        {"code": o.code, "title": o.title, "status": statuses[o.pk].status_label}
        for o in off_track[:LIST_LIMIT]
    ]


# --- (e) risks and opportunities ------------------------------------------------------------


def risks(period: Period) -> CompiledInput:
    summary = risks_summary(
        organization=period.organization, start=period.start, end=period.end,
        moment=period.moment,
    )  # fmt: skip
    data = plain(dataclasses.replace(summary, high_without_action=[])) | {
        "high_without_action": [
            {"reference": r.reference, "title": r.title, "score": r.score}
            for r in summary.high_without_action
        ]
    }
    return CompiledInput(
        "e_risks",
        "9.3.2 e",
        "Effectiveness of actions taken to address risks and opportunities",
        data,
        has_data=summary.has_data,
        missing="No risks or opportunities are recorded (6.1).",
    )


# --- (f) opportunities for improvement ------------------------------------------------------


def improvement(period: Period) -> CompiledInput:
    org = period.organization
    opportunities = (
        Risk.objects.for_organization(org)
        .filter(kind=Risk.Kind.OPPORTUNITY, identified_on__lte=period.end)
        .exclude(status=Risk.Status.CLOSED)
        .order_by("-score", "number")[:LIST_LIMIT]
    )
    ofis = (
        AuditFinding.objects.for_organization(org)
        .filter(
            finding_type=AuditFinding.FindingType.OFI,
            audit_date__gte=period.start,
            audit_date__lte=period.end,
        )
        .order_by("-audit_date")[:LIST_LIMIT]
    )
    suggestions = (
        CustomerFeedback.objects.for_organization(org)
        .filter(
            feedback_type=CustomerFeedback.FeedbackType.SUGGESTION,
            received_on__gte=period.start,
            received_on__lte=period.end,
        )
        .order_by("-received_on")[:LIST_LIMIT]
    )
    staff = improvements_for_review(
        organization=org, start=period.start, end=period.end, moment=period.moment
    )
    data = {
        "opportunities": [
            {"reference": r.reference, "title": r.title, "status": r.get_status_display()}
            for r in opportunities
        ],
        "audit_ofis": [{"reference": f.reference, "title": f.title} for f in ofis],
        "customer_suggestions": [{"reference": s.reference, "title": s.title} for s in suggestions],
        # Staff suggestions accepted in the period, and lessons learned (leadership.engagement).
        "staff_suggestions": staff["suggestions"][:LIST_LIMIT],
        "lessons": staff["lessons"][:LIST_LIMIT],
        "pulse_survey": _pulse_survey(period),
    }
    return CompiledInput(
        "f_improvement",
        "9.3.2 f",
        "Opportunities for improvement",
        data,
        has_data=any(data.values()),
        missing="No opportunity, audit improvement point, customer or staff suggestion, or "
        "lesson learned is recorded.",
    )


def _pulse_survey(period: Period) -> list[dict]:
    """Staff engagement: the mean score per group over the closed (counted) rounds of the
    period, folded so that no group under six respondents shows (leadership.engagement); an
    open round is not in the agenda, whose every compile is kept in the audit trail."""
    results = survey_results_by_round(
        organization=period.organization, start=period.start, end=period.end
    )
    if not results:
        return []
    return [
        {"group": row.full_label, "means": [None if m is None else round(m, 2) for m in row.means],
         "rounds": [r.round.number for r in results]}
        for row in survey_trend(results)
        if any(m is not None for m in row.means)
    ]  # fmt: skip


# The agenda, in the order of clause 9.3.2.
INPUTS: list[Callable[[Period], CompiledInput]] = [
    previous_review_actions,
    context_changes,
    customer_satisfaction,
    objectives_performance,
    process_performance,
    nonconformities,
    measurement_results,
    audit_results,
    provider_performance,
    resources,
    risks,
    improvement,
]


def compile_agenda(
    *,
    organization: Organization,
    start: datetime.date,
    end: datetime.date,
    review_id: int | None = None,
    today: datetime.date | None = None,
    unit: OrgUnit | None = None,
    as_of: datetime.date | None = None,
) -> list[CompiledInput]:
    """The 9.3.2 inputs for `start`..`end`, judged on `today`; with `as_of` (a held review's
    meeting day), from what had been recorded by the end of that day only."""
    moment = end_of_day(as_of) if as_of is not None else timezone.now()
    period = Period(
        organization, start, end, review_id, today or timezone.localdate(), unit, moment, as_of
    )
    return [build(period) for build in INPUTS]
