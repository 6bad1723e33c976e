"""The leadership app's registers: context issues (ISO 9001 4.1) and risks and opportunities
(6.1). Each is declared once here, with its form, filters, list columns and import columns;
`qms.core.registers` makes the pages, the API and the import from it."""

from __future__ import annotations

import django_filters
from django import forms
from django.utils import timezone

from leadership.models import ContextIssue, Risk
from leadership.models.risks import LEVEL_RANGES
from objectives.models import QualityObjective
from qms.core.registers.definition import Column, ImportColumn, Register
from qms.core.registers.filters import RegisterFilterSet
from qms.core.registers.forms import RegisterForm
from qms.core.registers.importing import member_to_form
from qms.core.roles import QUALITY_EDITOR_ROLES, Role

TEXTAREA = forms.Textarea(attrs={"rows": 3})


def _date(value) -> str:
    return value.strftime("%-d %b %Y") if value else ""


# --- context issues (4.1) ----------------------------------------------------------------


class ContextIssueForm(RegisterForm):
    class Meta:
        model = ContextIssue
        fields = [
            "title",
            "kind",
            "raised_on",
            "description",
            "effect_on_qms",
            "status",
            "status_changed_on",
        ]
        widgets = {"description": TEXTAREA, "effect_on_qms": TEXTAREA}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.pk:
            self.fields["raised_on"].initial = timezone.localdate


class ContextIssueFilter(RegisterFilterSet):
    search_fields = ("title", "description", "effect_on_qms")

    class Meta:
        model = ContextIssue
        fields = ["kind", "status"]


_STATUS_STYLE = {"current": "green", "changed": "amber", "closed": "nodata"}

CONTEXT_ISSUES = Register(
    key="context-issues",
    model=ContextIssue,
    title="Context issues",
    singular="context issue",
    clause="ISO 9001 4.1",
    lead="Internal and external issues that affect what the quality management system can "
    "achieve, and how they change.",
    form_class=ContextIssueForm,
    filterset_class=ContextIssueFilter,
    columns=(
        Column("Issue", lambda r: r.title, sort="title"),
        Column("Kind", lambda r: r.get_kind_display(), sort="kind"),
        Column("Effect on the QMS", lambda r: r.effect_on_qms),
        Column("Raised", lambda r: _date(r.raised_on), sort="raised_on"),
        Column("Status", lambda r: r.get_status_display(), chip=lambda r: _STATUS_STYLE[r.status]),
    ),
    detail_fields=(
        "kind",
        "description",
        "effect_on_qms",
        "raised_on",
        "status",
        "status_changed_on",
    ),
    import_columns=(
        ImportColumn("title", "title", "A short name for the issue.", "New customer portal", True),
        ImportColumn("kind", "kind", "internal or external.", "external", True),
        ImportColumn("raised_on", "raised_on", "Date, YYYY-MM-DD.", "2026-03-02", True),
        ImportColumn("description", "description", "What the issue is.", ""),
        ImportColumn("effect_on_qms", "effect_on_qms", "How it affects the QMS.", ""),
        ImportColumn("status", "status", "current (default), changed or closed.", "current"),
        ImportColumn(
            "status_changed_on", "status_changed_on", "Date, needed if changed or closed.", ""
        ),
    ),
    status_field="status",
    api_fields=(
        "title",
        "kind",
        "description",
        "effect_on_qms",
        "raised_on",
        "status",
        "status_changed_on",
    ),
    nav_order=60,
    empty_text="List the issues inside and outside the organisation that affect its quality "
    "results: markets, regulation, technology, people, infrastructure.",
)


# --- risks and opportunities (6.1) -------------------------------------------------------


class RiskForm(RegisterForm):
    class Meta:
        model = Risk
        fields = [
            "title",
            "kind",
            "identified_on",
            "description",
            "likelihood",
            "impact",
            "owner",
            "objectives",
            "treatment",
            "status",
            "review_due_on",
            "reviewed_on",
            "effectiveness",
            "effectiveness_note",
        ]
        widgets = {
            "description": TEXTAREA,
            "treatment": TEXTAREA,
            "effectiveness_note": TEXTAREA,
            "likelihood": forms.Select(choices=[("", "—")] + [(n, n) for n in range(1, 6)]),
            "impact": forms.Select(choices=[("", "—")] + [(n, n) for n in range(1, 6)]),
            "objectives": forms.SelectMultiple(attrs={"size": 6}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.pk:
            self.fields["identified_on"].initial = timezone.localdate
        self.fields["objectives"].queryset = self.fields["objectives"].queryset.order_by("code")


class RiskFilter(RegisterFilterSet):
    search_fields = ("title", "description", "treatment")
    level = django_filters.ChoiceFilter(
        label="Level",
        choices=[
            ("high", "High (15 to 25)"),
            ("medium", "Medium (8 to 14)"),
            ("low", "Low (1 to 7)"),
        ],
        method="filter_level",
    )
    objectives = django_filters.ModelChoiceFilter(
        label="Objective", queryset=QualityObjective.objects.order_by("code")
    )

    class Meta:
        model = Risk
        fields = ["kind", "status", "level", "owner", "objectives"]

    def filter_level(self, queryset, name, value):
        low, high = LEVEL_RANGES[value]
        return queryset.filter(score__gte=low, score__lte=high)


def _objective_codes_to_form(cell, lookups) -> list:
    codes = [c.strip() for c in str(cell or "").replace(",", ";").split(";") if c.strip()]
    unknown = [c for c in codes if c.lower() not in lookups["objectives"]]
    if unknown:
        raise ValueError(f"{', '.join(unknown)[:80]} is not an objective code of this organisation")
    return [lookups["objectives"][c.lower()] for c in codes]


def _objective_lookup(organization) -> dict:
    codes = QualityObjective.objects.for_organization(organization).values_list("code", "id")
    return {"objectives": {code.lower(): pk for code, pk in codes}}


def _review_overdue(risk: Risk) -> bool:
    return bool(
        risk.review_due_on
        and not risk.reviewed_on
        and risk.status != Risk.Status.CLOSED
        and risk.review_due_on < timezone.localdate()
    )


# Top management owns risks as much as the quality manager does (ISO 9001 5.1.1 d).
RISK_EDITORS = QUALITY_EDITOR_ROLES | {Role.EXECUTIVE}

RISKS = Register(
    key="risks",
    model=Risk,
    title="Risks and opportunities",
    singular="risk or opportunity",
    clause="ISO 9001 6.1",
    lead="What could stop the quality management system achieving its results, or help it: "
    "rated, owned, linked to objectives, treated, and checked for effectiveness.",
    form_class=RiskForm,
    filterset_class=RiskFilter,
    columns=(
        Column("Risk or opportunity", lambda r: r.title, sort="title"),
        Column("Kind", lambda r: r.get_kind_display(), sort="kind"),
        Column(
            "Level",
            lambda r: f"{r.level[1]} ({r.score})",
            chip=lambda r: r.level[2],
            sort="score",
        ),
        Column("Owner", lambda r: r.owner.display_name if r.owner else ""),
        Column("Status", lambda r: r.get_status_display(), sort="status"),
        Column(
            "Review due",
            lambda r: (
                f"{_date(r.review_due_on)} (overdue)"
                if _review_overdue(r)
                else _date(r.review_due_on)
            ),
            chip=lambda r: "red" if _review_overdue(r) else "",
            sort="review_due_on",
        ),
    ),
    detail_fields=(
        "kind",
        "identified_on",
        "description",
        "likelihood",
        "impact",
        "owner",
        "objectives",
        "treatment",
        "status",
        "review_due_on",
        "reviewed_on",
        "effectiveness",
        "effectiveness_note",
    ),
    import_columns=(
        ImportColumn("title", "title", "A short name.", "Key supplier capacity", True),
        ImportColumn("kind", "kind", "risk or opportunity.", "risk", True),
        ImportColumn("identified_on", "identified_on", "Date, YYYY-MM-DD.", "2026-01-15", True),
        ImportColumn("likelihood", "likelihood", "1 (rare) to 5 (almost certain).", "3", True),
        ImportColumn("impact", "impact", "1 (negligible) to 5 (severe).", "4", True),
        ImportColumn("description", "description", "What could happen.", ""),
        ImportColumn(
            "owner", "owner", "Username or e-mail of a member.", "quality", to_form=member_to_form
        ),
        ImportColumn(
            "objective_codes",
            "objectives",
            "Codes of affected objectives, separated by ;",
            "OBJ-01; OBJ-04",
            to_form=_objective_codes_to_form,
        ),
        ImportColumn("treatment", "treatment", "Planned treatment.", ""),
        ImportColumn("status", "status", "open (default), treating, monitoring or closed.", ""),
        ImportColumn("review_due_on", "review_due_on", "Date of the effectiveness review.", ""),
    ),
    import_lookups=_objective_lookup,
    status_field="status",
    api_fields=(
        "title",
        "kind",
        "identified_on",
        "description",
        "likelihood",
        "impact",
        "score",
        "owner",
        "objectives",
        "treatment",
        "status",
        "review_due_on",
        "reviewed_on",
        "effectiveness",
        "effectiveness_note",
    ),
    select_related=("owner__user",),
    ordering=("-score", "-number"),
    create_roles=RISK_EDITORS,
    edit_roles=RISK_EDITORS,
    nav_order=61,
    detail_template="leadership/risk_level.html",
    # Treatment actions (6.1.2 b); a high risk still open without one is pushed for.
    action_kind="risk",
    action_label="Risk or opportunity",
    action_prominent=lambda r: r.level[0] == "high" and r.status != Risk.Status.CLOSED,
    action_prompt="A high risk with no open treatment action.",
    empty_text="Record what could stop the QMS achieving its objectives, and the opportunities "
    "to do better; rate each by likelihood and impact.",
)
