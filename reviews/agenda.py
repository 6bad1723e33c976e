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
from django.db.models import Count, Q
from django.utils import timezone

from leadership.engagement.selectors import (
    improvements_for_review,
    survey_results_by_round,
    survey_trend,
)
from leadership.models import ResourceAllocation, Risk
from leadership.selectors.competence import competence_gaps_summary
from leadership.selectors.context import context_issues_summary
from leadership.selectors.resources import allocation_list, off_track_without_resources
from leadership.selectors.risks import risks_summary
from objectives.models import LockedCorrection, QualityObjective, Rag, RedFollowUp
from objectives.templatetags.objectives_tags import kpi
from qms.core.actions.models import OPEN_STATUSES, Action
from qms.core.actions.selectors import actions_summary
from qms.core.models import Organization, OrgUnit
from reviews.models import AuditFinding, CustomerFeedback, ReviewDecision
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


def _action_row(action: Action, today: datetime.date) -> dict:
    return {
        "reference": action.reference,
        "number": action.number,
        "title": action.title,
        "owner": action.owner.display_name,
        "due": action.due_date.isoformat(),
        "status": action.get_status_display(),
        "overdue": action.status in OPEN_STATUSES and action.due_date < today,
    }


# --- (a) actions from previous reviews ------------------------------------------------------


def previous_review_actions(period: Period) -> CompiledInput:
    decisions = ReviewDecision.objects.filter(organization=period.organization)
    if period.review_id:
        decisions = decisions.exclude(review_id=period.review_id)
    actions = (
        Action.objects.for_organization(period.organization)
        .filter(
            source_type=ContentType.objects.get_for_model(ReviewDecision),
            source_id__in=decisions.values("pk"),
        )
        .exclude(status="cancelled")
        .select_related("owner__user")
        .order_by("due_date", "number")
    )
    rows = [_action_row(a, period.today) for a in actions[: LIST_LIMIT * 2]]
    # Counted in the database: the list above is cut for the meeting, the counts are not.
    is_open = Q(status__in=OPEN_STATUSES)
    counts = actions.aggregate(
        total=Count("id"),
        open=Count("id", filter=is_open),
        overdue=Count("id", filter=is_open & Q(due_date__lt=period.today)),
    )
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
        "changes": [
            {
                "reference": i.reference,
                "title": i.title,
                "kind": i.get_kind_display(),
                "status": i.get_status_display(),
                "date": (i.status_changed_on or i.raised_on).isoformat(),
            }
            for i in summary.changes
        ],
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


# --- (c) performance and effectiveness ------------------------------------------------------


def objectives_performance(period: Period) -> CompiledInput:
    objectives = QualityObjective.objects.for_organization(period.organization).active()
    if period.unit is not None:
        objectives = objectives.in_unit_subtree(period.unit)
    objectives = objectives.select_related("accountable_executive__user").order_by("code")
    rows = [
        {
            "code": o.code,
            "title": o.title,
            "status": o.current_status,
            "status_label": o.get_current_status_display(),
            "value": plain(o.current_value),
            "target": plain(o.target),
            # As the objective's page writes them ("96.4%"), frozen with the numbers.
            "value_text": kpi(o.current_value, o),
            "target_text": kpi(o.target, o),
            "unit": o.unit,
            "direction": o.direction,
            "period_end": plain(o.current_period_end),
            "executive": o.accountable_executive.display_name,
        }
        for o in objectives
    ]
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
    return {
        "off_track": [
            {"code": f.objective.code, "period_end": plain(f.period_end),
             "explanation": f.explanation, "next_step": f.next_step,
             "decision": f.get_proposal_status_display(),
             "action": f.action.reference if f.action_id else "",
             "dismissal_reason": f.dismissal_reason}
            for f in follow_ups[:LIST_LIMIT]
        ],
        "locked_corrections": [
            {"code": c.objective.code, "period_end": plain(c.period_end),
             "before": plain(c.before), "after": plain(c.after), "reason": c.reason,
             "by": c.corrected_by.display_name}
            for c in corrections[:LIST_LIMIT]
        ],
    }  # fmt: skip


def customer_satisfaction(period: Period) -> CompiledInput:
    summary = customer_feedback_summary(
        organization=period.organization, start=period.start, end=period.end
    )
    complaints = (
        CustomerFeedback.objects.for_organization(period.organization)
        .filter(
            feedback_type=CustomerFeedback.FeedbackType.COMPLAINT,
            received_on__gte=period.start,
            received_on__lte=period.end,
        )
        .order_by("-received_on")[:LIST_LIMIT]
    )
    data = plain(summary) | {
        "complaint_list": [
            {"reference": c.reference, "title": c.title, "customer": c.customer,
             "date": c.received_on.isoformat(), "status": c.get_status_display()}
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


# --- (d) resources --------------------------------------------------------------------------


def resources(period: Period) -> CompiledInput:
    allocations = allocation_list(organization=period.organization, unit=period.unit).filter(
        period_start__lte=period.end, period_end__gte=period.start
    )
    totals: dict[str, dict] = {}
    for a in allocations:
        row = totals.setdefault(
            a.unit, {"unit": a.unit, "requested": Decimal(0), "approved": Decimal(0),
                     "spent": Decimal(0)}
        )  # fmt: skip
        row["requested"] += a.amount
        if a.status == ResourceAllocation.Status.APPROVED:
            row["approved"] += a.amount
            row["spent"] += a.spent
    pending = allocations.filter(status=ResourceAllocation.Status.REQUESTED).count()
    unresourced = off_track_without_resources(period.organization)[:LIST_LIMIT]
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
        "unresourced": [
            {"code": o.code, "title": o.title, "status": o.get_current_status_display()}
            for o in unresourced
        ],
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


# --- (e) risks and opportunities ------------------------------------------------------------


def risks(period: Period) -> CompiledInput:
    summary = risks_summary(organization=period.organization, start=period.start, end=period.end)
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
    staff = improvements_for_review(organization=org, start=period.start, end=period.end)
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
        {"group": row.label, "means": [None if m is None else round(m, 2) for m in row.means],
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
    nonconformities,
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
) -> list[CompiledInput]:
    period = Period(organization, start, end, review_id, today or timezone.localdate(), unit)
    return [build(period) for build in INPUTS]
