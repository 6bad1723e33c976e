"""Clauses 6.1 and 6.2: risks and opportunities (with the context issues of 4.1), and quality
objectives with their KPI definitions, measurements and rollups."""

from __future__ import annotations

from django.db.models import Value
from django.db.models.functions import Concat

from leadership.models import ContextIssue, Risk
from objectives.models import Granularity, KpiRollup, Measurement, QualityObjective
from objectives.rollups import rollup_reading
from qms.evidence.sections import (
    PEOPLE,
    Finding,
    Scope,
    member_name,
    plural,
    readable,
    register_section,
    stream,
)
from qms.evidence.writer import PackWriter

OBJECTIVE_FIELDS = [
    ("Code", "code"), ("Title", "title"), ("Statement", "statement"), ("Unit", "org_unit__name"),
    ("Owner", "owner_name"), ("Accountable executive", "executive_name"), ("Status", "status"),
    ("Start", "start_date"), ("Due", "due_date"), ("Unit of measure", "unit"),
    ("Direction", "direction"), ("Baseline", "baseline"), ("Target", "target"),
    ("Amber threshold", "amber_threshold"), ("Red threshold", "red_threshold"),
    ("Frequency", "frequency"), ("Aggregation", "aggregation"),
    ("Current status", "current_status"), ("Current value", "current_value"),
    ("Latest period", "current_period_end"),
]  # fmt: skip


def risks(scope: Scope, writer: PackWriter) -> list[Finding]:
    risks = (
        Risk.objects.for_organization(scope.organization)
        .filter(identified_on__lte=scope.end)
        .annotate(owner_name=member_name("owner"))
        .order_by("number")
    )
    path = "6.1-risks/risks-and-opportunities.csv"
    entry = writer.csv(
        path,
        ["Reference", "Kind", "Title", "Likelihood", "Impact", "Score", "Owner", "Treatment",
         "Status", "Identified", "Review due", "Reviewed", "Effectiveness", "Effectiveness note"],
        readable(risks, "number", "kind", "title", "likelihood", "impact", "score", "owner_name",
               "treatment", "status", "identified_on", "review_due_on", "reviewed_on",
               "effectiveness", "effectiveness_note"),
    )  # fmt: skip
    issues_path = "6.1-risks/context-issues.csv"
    issues = writer.csv(
        issues_path,
        ["Reference", "Title", "Status"],
        readable(ContextIssue.objects.for_organization(scope.organization).order_by("number"),
               "number", "title", "status"),
    )  # fmt: skip
    findings = []
    if entry.rows:
        reviewed = risks.filter(reviewed_on__gte=scope.start, reviewed_on__lte=scope.end).count()
        findings.append(Finding(
            "6.1",
            f"{plural(entry.rows, 'risk or opportunity', 'risks and opportunities')} in the "
            f"register, {reviewed} reviewed during the period, with treatment and effectiveness.",
            [path],
        ))  # fmt: skip
        if not reviewed:
            findings.append(Finding("6.1", "No risk or opportunity was reviewed during the "
                                    "period.", [path], missing=True))  # fmt: skip
    else:
        findings.append(Finding("6.1", "The risk and opportunity register is empty.", [path],
                                missing=True))  # fmt: skip
    findings.append(Finding(
        "4.1",
        f"{plural(issues.rows, 'external or internal issue')} in the context register.",
        [issues_path], missing=not issues.rows,
    ))  # fmt: skip
    return findings


def objectives(scope: Scope, writer: PackWriter) -> list[Finding]:
    objectives = (
        scope.in_unit(QualityObjective.objects.for_organization(scope.organization))
        .filter(start_date__lte=scope.end, due_date__gte=scope.start)
        .annotate(**PEOPLE)
        .order_by("code")
    )  # fmt: skip
    headers = [h for h, _ in OBJECTIVE_FIELDS]
    fields = [f for _, f in OBJECTIVE_FIELDS]
    base = "6.2-objectives"
    entry = writer.csv(
        f"{base}/objectives.csv", headers, readable(objectives, *fields, places="decimal_places")
    )
    writer.json_rows(
        f"{base}/objectives.json",
        (dict(zip(fields, row, strict=True)) for row in stream(objectives, *fields)),
    )
    measurements = (
        Measurement.objects.filter(objective__in=objectives.values("pk"))
        .filter(period_end__gte=scope.start, period_end__lte=scope.end)
        .annotate(
            entered_by_name=Concat("entered_by__first_name", Value(" "), "entered_by__last_name")
        )
        .order_by("objective__code", "period_end", "id")
    )
    m_fields = ["objective__code", "period_end", "value", "note", "source", "entered_by_name",
                "entered_at"]  # fmt: skip
    m_headers = ["Objective", "Period end", "Value", "Note", "Source", "Entered by",
                 "Entered at"]  # fmt: skip
    measured = writer.csv(
        f"{base}/measurements.csv",
        m_headers,
        readable(measurements, *m_fields, places="objective__decimal_places"),
    )
    writer.json_rows(
        f"{base}/measurements.json",
        (dict(zip(m_fields, row, strict=True)) for row in stream(measurements, *m_fields)),
    )
    rollups = (
        KpiRollup.objects.filter(objective__in=objectives.values("pk"))
        .filter(period_end__gte=scope.start, period_end__lte=scope.end)
        .order_by("objective__code", "granularity", "period_end")
    )
    rolled = writer.csv(
        f"{base}/rollups.csv",
        ["Objective", "Granularity", "Period end", "Value", "Measurements", "Coverage", "Status"],
        _rollup_rows(rollups),
    )
    files = [f"{base}/objectives.csv", f"{base}/objectives.json", f"{base}/measurements.csv",
             f"{base}/measurements.json", f"{base}/rollups.csv"]  # fmt: skip
    if not entry.rows:
        return [Finding("6.2", f"No quality objective was active during the period "
                        f"({scope.label}).", files, missing=True)]  # fmt: skip
    findings = [
        Finding(
            "6.2",
            f"{plural(entry.rows, 'quality objective')} active during the period with their "
            f"KPI definitions, {plural(measured.rows, 'measurement')} and "
            f"{plural(rolled.rows, 'rollup')} (CSV and JSON; monthly charts in the report).",
            files,
        )
    ]
    without = objectives.exclude(pk__in=measurements.values("objective_id")).count()
    if without:
        findings.append(Finding("6.2", f"{plural(without, 'objective')} had no measurement in "
                                "the period.", files[2:4], missing=True))  # fmt: skip
    monthly = rollups.filter(granularity=Granularity.MONTH)
    findings.append(Finding(
        "9.1.3",
        f"Monthly evaluation of each objective against its target: "
        f"{plural(monthly.count(), 'monthly status')} (green, amber, red) in the rollups.",
        [f"{base}/rollups.csv"], missing=not rolled.rows,
    ))  # fmt: skip
    return findings


def _rollup_rows(rollups):
    """The rollups as `readable` writes them, with the coverage the pages show beside each
    ("2 of 3 months", "1 of 3 months, in progress"; "complete" for a whole period): read
    apart, a partial quarter would pass for a whole one. Streamed: two cursors in the same
    order, the second only for the objective each rollup is read against."""
    cells = readable(rollups, "objective__code", "granularity", "period_end", "value",
                     "measurement_count", "status", places="objective__decimal_places")  # fmt: skip
    whole = rollups.select_related("objective").iterator(chunk_size=2000)
    for row, rollup in zip(cells, whole, strict=True):
        coverage = rollup_reading(rollup.objective, rollup).coverage or "complete"
        yield (*row[:5], coverage, row[5])


register_section(60, "risks", risks)
register_section(65, "objectives", objectives)
