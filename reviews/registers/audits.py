"""Audit findings (ISO 9001 9.2): from internal, certification, customer and supplier audits."""

from __future__ import annotations

from qms.core.registers.definition import Column, ImportColumn, Register
from qms.core.registers.filters import RegisterFilterSet
from qms.core.registers.forms import RegisterForm
from reviews.models import AuditFinding
from reviews.registers.common import TEXTAREA, UNIT_COLUMN, date_text, unit_lookup

FINDING_STYLE = {"major": "red", "minor": "amber", "observation": "nodata", "ofi": "green"}
STATUS_STYLE = {"open": "red", "responded": "amber", "closed": "green"}
NONCONFORMITY_FINDINGS = (AuditFinding.FindingType.MAJOR, AuditFinding.FindingType.MINOR)


class AuditFindingForm(RegisterForm):
    class Meta:
        model = AuditFinding
        fields = [
            "title",
            "audit_kind",
            "audit_reference",
            "audit_date",
            "auditor",
            "finding_type",
            "clause",
            "org_unit",
            "description",
            "status",
            "closed_on",
        ]
        widgets = {"description": TEXTAREA}


class AuditFindingFilter(RegisterFilterSet):
    search_fields = ("title", "description", "audit_reference", "clause", "auditor")

    class Meta:
        model = AuditFinding
        fields = ["audit_kind", "finding_type", "status", "org_unit"]


AUDIT_FINDINGS = Register(
    key="audit-findings",
    model=AuditFinding,
    title="Audit findings",
    singular="audit finding",
    clause="ISO 9001 9.2",
    lead="What internal, certification, customer and supplier audits found, graded as the "
    "auditor graded it, and followed until closed.",
    form_class=AuditFindingForm,
    filterset_class=AuditFindingFilter,
    columns=(
        Column("Finding", lambda r: r.title, sort="title"),
        Column(
            "Audit",
            lambda r: f"{r.audit_reference} ({r.get_audit_kind_display().lower()})",
            sort="audit_reference",
        ),
        Column("Audit date", lambda r: date_text(r.audit_date), sort="audit_date"),
        Column(
            "Grade",
            lambda r: r.get_finding_type_display(),
            chip=lambda r: FINDING_STYLE[r.finding_type],
            sort="finding_type",
        ),
        Column("Clause", lambda r: r.clause, sort="clause"),
        Column(
            "Status",
            lambda r: r.get_status_display(),
            chip=lambda r: STATUS_STYLE[r.status],
            sort="status",
        ),
    ),
    detail_fields=(
        "audit_kind",
        "audit_reference",
        "audit_date",
        "auditor",
        "finding_type",
        "clause",
        "org_unit",
        "description",
        "status",
        "closed_on",
    ),
    import_columns=(
        ImportColumn("title", "title", "A short name.", "Gauge calibration overdue", True),
        ImportColumn(
            "audit_kind",
            "audit_kind",
            "internal, certification, customer or supplier.",
            "internal",
            True,
        ),
        ImportColumn(
            "audit_reference", "audit_reference", "The audit's reference.", "IA-2026-03", True
        ),
        ImportColumn("audit_date", "audit_date", "Date, YYYY-MM-DD.", "2026-03-10", True),
        ImportColumn(
            "finding_type",
            "finding_type",
            "major, minor, observation or ofi (opportunity for improvement).",
            "minor",
            True,
        ),
        ImportColumn("auditor", "auditor", "Name of the lead auditor.", ""),
        ImportColumn("clause", "clause", 'ISO 9001 clause, e.g. "7.1.5".', "7.1.5"),
        ImportColumn("description", "description", "What the auditor found.", ""),
        UNIT_COLUMN,
        ImportColumn("status", "status", "open (default), responded or closed.", ""),
        ImportColumn("closed_on", "closed_on", "Date, needed if closed.", ""),
    ),
    import_lookups=unit_lookup,
    status_field="status",
    api_fields=(
        "title",
        "audit_kind",
        "audit_reference",
        "audit_date",
        "auditor",
        "finding_type",
        "clause",
        "org_unit",
        "description",
        "status",
        "closed_on",
    ),
    ordering=("-audit_date", "-number"),
    nav_order=63,
    # A nonconformity found by an auditor needs a corrective action (10.2).
    action_kind="audit_finding",
    action_label="Audit finding",
    action_prominent=lambda r: (
        r.finding_type in NONCONFORMITY_FINDINGS and r.status != AuditFinding.Status.CLOSED
    ),
    action_prompt="A nonconformity found by an audit with no open corrective action.",
    empty_text="Record what each audit found, internal or external, so that nonconformities "
    "are answered and the management review sees the audit results (9.3.2 c).",
)
