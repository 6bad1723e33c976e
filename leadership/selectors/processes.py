"""Reads of the process register (ISO 9001 4.4): flags (no owner, no KPI), the interaction
view, a process's overview (its KPIs' status and trend, open risks, nonconformities and
actions), and the rows of the evidence pack."""

from __future__ import annotations

import datetime

from django.db.models import Count, Q, QuerySet

from leadership.models import Process, Risk
from objectives.selectors import measurement_series
from qms.core.actions.models import Action
from qms.core.models import Organization, OrgUnit
from qms.core.registers.definition import get_register

TREND_POINTS = 6


def process_flags(process: Process) -> list[str]:
    """Sentences for what the process lacks (reads prefetched objectives)."""
    flags = []
    if process.owner_id is None:
        flags.append("No owner")
    if not process.objectives.all():
        flags.append("No KPI")
    return flags


def process_list(*, organization: Organization) -> QuerySet[Process]:
    return (
        Process.objects.for_organization(organization)
        .select_related("owner__user", "org_unit")
        .prefetch_related("objectives", "hands_over_to", "risks")
        .order_by("number")
    )


def flagged_processes(organization: Organization) -> QuerySet[Process]:
    return (
        Process.objects.for_organization(organization)
        .filter(status=Process.Status.ACTIVE)
        .annotate(kpi_count=Count("objectives"))
        .filter(Q(owner__isnull=True) | Q(kpi_count=0))
        .order_by("number")
    )


def processes_measured_by(objective) -> QuerySet[Process]:
    """Which processes an objective's KPI measures ("which process does this KPI measure?")."""
    return Process.objects.filter(
        organization_id=objective.organization_id, objectives=objective
    ).order_by("number")


def _trend(series: list) -> str:
    if len(series) < 2:
        return "Not enough data"
    first, last = series[0][1], series[-1][1]
    if last > first:
        return "Rising"
    if last < first:
        return "Falling"
    return "Flat"


def open_nonconformities(process: Process):
    """Open nonconformities of the process's unit (and below), from the nonconformities
    register when the app that declares it is installed (it sits above this one)."""
    if process.org_unit_id is None:
        return []
    try:
        register = get_register("nonconformities")
    except KeyError:
        return []
    return list(
        register.model.objects.for_organization(process.organization)
        .filter(org_unit__path__startswith=process.org_unit.path)
        .exclude(status="closed")
        .select_related("owner__user")
        .order_by("-number")[:20]
    )


def process_overview(process: Process, today: datetime.date) -> dict:
    """What shows quality is part of the process's daily running."""
    kpis = []
    for objective in process.objectives.select_related("owner__user").order_by("code"):
        series = measurement_series(objective)[-TREND_POINTS:]
        kpis.append({"objective": objective, "series": series, "trend": _trend(series)})
    risks = list(
        process.risks.exclude(status=Risk.Status.CLOSED)
        .select_related("owner__user")
        .order_by("-score", "number")
    )
    sources = Q(source_id=process.pk, source_type__model="process")
    if risks:
        sources |= Q(source_type__model="risk", source_id__in=[r.pk for r in risks])
    objective_ids = [k["objective"].pk for k in kpis]
    if objective_ids:
        sources |= Q(source_type__model="qualityobjective", source_id__in=objective_ids)
    actions = list(
        Action.objects.for_organization(process.organization)
        .open()
        .filter(sources, source_type__app_label__in=["leadership", "objectives"])
        .select_related("owner__user")
        .order_by("due_date", "number")[:30]
    )
    return {
        "kpis": kpis,
        "risks": risks,
        "nonconformities": open_nonconformities(process),
        "actions": actions,
        "overdue_actions": sum(1 for a in actions if a.due_date and a.due_date < today),
        "flags": process_flags(process),
    }


def processes_for_evidence(
    *,
    organization: Organization,
    unit: OrgUnit | None = None,
    start: datetime.date,
    end: datetime.date,
) -> list[dict]:
    """One row per process (by reference): owner, purpose, inputs, outputs, the KPIs that
    measure it with their current status, its risks, the processes it hands over to, and its
    flags. For a unit: processes of that subtree."""
    processes = process_list(organization=organization)
    if unit is not None:
        processes = processes.filter(org_unit__path__startswith=unit.path)
    return [
        {
            "reference": p.reference,
            "process": p.title,
            "category": p.get_category_display(),
            "status": p.get_status_display(),
            "owner": p.owner.display_name if p.owner else "",
            "unit": p.org_unit.name if p.org_unit else "",
            "purpose": p.purpose,
            "inputs": p.inputs,
            "outputs": p.outputs,
            "kpis": [
                {"code": o.code, "title": o.title, "status": o.get_current_status_display()}
                for o in sorted(p.objectives.all(), key=lambda o: o.code)
            ],
            "risks": [r.reference for r in sorted(p.risks.all(), key=lambda r: r.number)],
            "hands_over_to": [
                h.reference for h in sorted(p.hands_over_to.all(), key=lambda h: h.number)
            ],
            "documents": [line.strip() for line in p.documents.splitlines() if line.strip()],
            "flags": process_flags(p),
        }
        for p in processes
    ]
