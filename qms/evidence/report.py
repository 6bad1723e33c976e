"""The pack's human-readable report: `index.html` (opens offline in any browser, no script)
and `report.pdf`, both with the contents by ISO 9001 clause and, for each, what evidence the
pack holds and what is missing."""

from __future__ import annotations

import datetime
import io
from collections import defaultdict

from django.template.loader import render_to_string

from objectives.models import Granularity, KpiRollup, QualityObjective, Rag
from objectives.templatetags.objectives_tags import kpi
from qms.core.svg_charts import sparkline
from qms.evidence.sections import CLAUSES, Finding, Scope
from qms.evidence.writer import Entry

AUDIT = "audit"
CHARTS_MAX = 300  # objectives drawn in the report; the data files have them all


def _day(iso: str) -> str:
    """A date of the pack's metadata (ISO, for machines) as prose writes it: "3 Dec 2026"."""
    return f"{datetime.date.fromisoformat(iso):%-d %b %Y}"


def clause_order(findings: list[Finding], checks: list | None = None) -> list[str]:
    present = {f.clause for f in findings} | {c.clause for c in checks or []}
    ordered = [c for c in CLAUSES if c in present]
    return ordered + ([AUDIT] if AUDIT in present else [])


def _clauses(findings: list[Finding], checks: list | None = None) -> list[dict]:
    by_clause = defaultdict(list)
    for finding in findings:
        by_clause[finding.clause].append(finding)
    return [
        {
            "key": key,
            "title": "Audit trail" if key == AUDIT else CLAUSES[key],
            "label": "" if key == AUDIT else f"ISO 9001 {key}",
            "findings": [f for f in by_clause[key] if not f.missing],
            "missing": [f for f in by_clause[key] if f.missing],
            "checks": [c for c in checks or [] if c.clause == key],
        }
        for key in clause_order(findings, checks)
    ]


def _charts(scope: Scope) -> tuple[list[dict], int]:
    in_period = scope.in_unit(QualityObjective.objects.for_organization(scope.organization)).filter(
        start_date__lte=scope.end, due_date__gte=scope.start
    )
    objectives = list(
        in_period.order_by("code").only(
            "pk", "code", "title", "target", "unit", "decimal_places", "current_status"
        )[:CHARTS_MAX]
    )
    total = in_period.count()
    points = defaultdict(list)
    rollups = (
        KpiRollup.objects.filter(
            objective_id__in=[o.pk for o in objectives],
            granularity=Granularity.MONTH,
            period_end__gte=scope.start,
            period_end__lte=scope.end,
            value__isnull=False,
        )
        .order_by("objective_id", "period_end")
        .values_list("objective_id", "value", "status", "period_end")
    )
    for objective_id, value, status, end in rollups:
        points[objective_id].append((value, status, end))
    labels = dict(Rag.choices)
    charts = []
    for o in objectives:
        series = points.get(o.pk, [])
        target = float(o.target) if o.target is not None else None
        charts.append(
            {
                "code": o.code,
                "title": o.title,
                # As the objective's page writes them: its decimals and unit ("96.0%").
                "target": kpi(o.target, o),
                "svg": sparkline([(float(v), s) for v, s, _ in series], target),
                "summary": ", ".join(
                    f"{end:%b %Y} {kpi(v, o)} ({labels.get(s, s).lower()})" for v, s, end in series
                )
                or "no monthly value in the period",
            }
        )
    return charts, total


def render_html(
    scope: Scope, meta: dict, findings: list[Finding], entries: list[Entry], checks: list
) -> str:
    charts, total = _charts(scope)
    return render_to_string(
        "evidence/report/index.html",
        {
            "meta": meta,
            "clauses": _clauses(findings, checks),
            "entries": sorted(entries, key=lambda e: e.path),
            "charts": charts,
            "charts_total": total,
        },
    )


def render_pdf(scope: Scope, meta: dict, findings: list[Finding], checks: list) -> bytes:
    """A printable report with reportlab: cover facts, then each clause's evidence and gaps."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import ListFlowable, ListItem, Paragraph, SimpleDocTemplate, Spacer

    styles = getSampleStyleSheet()
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=f"Evidence pack: {meta['organization']['name']}",
        author=meta["created_by"],
        # Fixed, so the same evidence gives the same PDF metadata.
        invariant=1,
    )

    def para(text: str, style: str = "BodyText") -> Paragraph:
        escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        return Paragraph(escaped, styles[style])

    story = [
        para(f"Evidence pack: {meta['organization']['name']}", "Title"),
        para(
            f"Scope: {meta['scope']['label']}. Period: {_day(meta['period']['from'])} to "
            f"{_day(meta['period']['to'])}. Created {meta['created_at']} by {meta['created_by']} "
            f"(application version {meta['app_version']})."
        ),
        para(
            "Every file of the pack is listed with its SHA-256 in manifest.json, signed with "
            f"{meta['organization']['name']}'s Ed25519 key (fingerprint "
            f"{meta['signing_key_fingerprint']}) in manifest.sig. To verify it without the "
            "application, download the verifier and the organisation's keys file from its "
            "'Verify a pack' page and run: python3 qms-evidence-verify.py PACK.zip "
            f"qms-evidence-keys-{meta['organization']['slug']}.pem (it needs Python 3.10+ and "
            "the cryptography package). index.html says the same in full."
        ),
        Spacer(1, 6 * mm),
    ]
    for clause in _clauses(findings, checks):
        story.append(para(f"{clause['label']} {clause['title']}".strip(), "Heading2"))
        items = [
            ListItem(para(f"{f.text} Files: {', '.join(f.files) or 'none'}."))
            for f in clause["findings"]
        ]
        items += [
            ListItem(Paragraph(f"<font color='#b3261e'><b>Missing:</b></font> "
                               f"{para(f.text).text}", styles["BodyText"]))
            for f in clause["missing"]
        ]  # fmt: skip
        items += [
            ListItem(para(f"Readiness check ({c.state_label}): {c.title}. {c.detail}"))
            for c in clause["checks"]
        ]
        if items:
            story.append(ListFlowable(items, bulletType="bullet", bulletColor=colors.black))
    doc.build(story)
    return out.getvalue()
