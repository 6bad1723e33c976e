"""Evaluations of external providers (ISO 9001 8.4.1)."""

from __future__ import annotations

from django.utils import timezone

from qms.core.registers.definition import Column, ImportColumn, Register
from qms.core.registers.filters import RegisterFilterSet
from qms.core.registers.forms import RegisterForm
from qms.core.registers.importing import member_to_form
from reviews.models import ProviderEvaluation
from reviews.registers.common import TEXTAREA, date_text

STATUS_STYLE = {"approved": "green", "conditional": "amber", "disqualified": "red"}


class ProviderEvaluationForm(RegisterForm):
    class Meta:
        model = ProviderEvaluation
        fields = [
            "provider",
            "period_start",
            "period_end",
            "quality_score",
            "delivery_score",
            "criteria_notes",
            "status",
            "evaluated_on",
            "evaluated_by",
        ]
        widgets = {"criteria_notes": TEXTAREA}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.pk:
            self.fields["evaluated_on"].initial = timezone.localdate


class ProviderEvaluationFilter(RegisterFilterSet):
    search_fields = ("provider", "criteria_notes")

    class Meta:
        model = ProviderEvaluation
        fields = ["status", "evaluated_by"]


PROVIDER_EVALUATIONS = Register(
    key="provider-evaluations",
    model=ProviderEvaluation,
    title="Provider evaluations",
    singular="provider evaluation",
    clause="ISO 9001 8.4",
    lead="How each external provider performed over a period, on quality and delivery, and "
    "whether it stays approved.",
    form_class=ProviderEvaluationForm,
    filterset_class=ProviderEvaluationFilter,
    columns=(
        Column("Provider", lambda r: r.provider, sort="provider"),
        Column("Period", lambda r: f"{date_text(r.period_start)} to {date_text(r.period_end)}"),
        Column("Quality", lambda r: f"{r.quality_score:g}", sort="quality_score", numeric=True),
        Column("Delivery", lambda r: f"{r.delivery_score:g}", sort="delivery_score", numeric=True),
        Column("Overall", lambda r: f"{r.overall_score:.1f}", sort="overall_score", numeric=True),
        Column(
            "Decision",
            lambda r: r.get_status_display(),
            chip=lambda r: STATUS_STYLE[r.status],
            sort="status",
        ),
        Column("Evaluated", lambda r: date_text(r.evaluated_on), sort="evaluated_on"),
    ),
    detail_fields=(
        "provider",
        "period_start",
        "period_end",
        "quality_score",
        "delivery_score",
        "overall_score",
        "criteria_notes",
        "status",
        "evaluated_on",
        "evaluated_by",
    ),
    import_columns=(
        ImportColumn("provider", "provider", "Name of the provider.", "Castings & Co", True),
        ImportColumn("period_start", "period_start", "Date, YYYY-MM-DD.", "2025-07-01", True),
        ImportColumn("period_end", "period_end", "Date, YYYY-MM-DD.", "2025-12-31", True),
        ImportColumn("quality_score", "quality_score", "0 to 100.", "92", True),
        ImportColumn("delivery_score", "delivery_score", "0 to 100.", "85", True),
        ImportColumn(
            "status", "status", "approved, conditional or disqualified.", "approved", True
        ),
        ImportColumn("evaluated_on", "evaluated_on", "Date, YYYY-MM-DD.", "2026-01-15", True),
        ImportColumn(
            "evaluated_by",
            "evaluated_by",
            "Username or e-mail of a member.",
            "quality",
            to_form=member_to_form,
        ),
        ImportColumn("criteria_notes", "criteria_notes", "Criteria and notes.", ""),
    ),
    status_field="status",
    api_fields=(
        "provider",
        "period_start",
        "period_end",
        "quality_score",
        "delivery_score",
        "overall_score",
        "criteria_notes",
        "status",
        "evaluated_on",
        "evaluated_by",
    ),
    select_related=("evaluated_by__user",),
    ordering=("-evaluated_on", "-number"),
    nav_order=65,
    empty_text="Evaluate each external provider at planned intervals, on the criteria you set, "
    "and record the decision: approved, approved with conditions, or disqualified.",
)
