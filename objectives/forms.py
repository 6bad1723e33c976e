"""Forms of the objective pages. Choices are always the organisation's own records."""

from __future__ import annotations

import datetime

from django import forms

from objectives.models import ActionStep, QualityObjective, Rag
from objectives.periods import describe, recent_period_ends
from qms.core.forms import DateInput, StaleEditMixin, StyledFormMixin, member_label
from qms.core.models import Membership, OrgUnit
from qms.core.roles import Role


def _unit_label(unit: OrgUnit) -> str:
    """Indented by depth so the tree shows in a plain select."""
    return "\u2003" * (unit.depth - 1) + unit.name


def _member_label(membership: Membership) -> str:
    return f"{membership.display_name} ({membership.get_role_display().lower()})"


class ObjectiveForm(StaleEditMixin, StyledFormMixin, forms.ModelForm):
    class Meta:
        model = QualityObjective
        fields = [
            "code",
            "title",
            "statement",
            "org_unit",
            "owner",
            "accountable_executive",
            "status",
            "start_date",
            "due_date",
            "parent",
            "weight",
            "unit",
            "direction",
            "baseline",
            "target",
            "amber_threshold",
            "red_threshold",
            "frequency",
            "aggregation",
            "decimal_places",
            "valid_min",
            "valid_max",
            "data_due_days",
            "lesson_learned",
        ]
        widgets = {
            "start_date": DateInput(),
            "due_date": DateInput(),
            "statement": forms.Textarea(attrs={"rows": 3}),
            "lesson_learned": forms.Textarea(attrs={"rows": 3}),
        }
        labels = {"org_unit": "Org unit", "data_due_days": "Value due (days after period end)"}

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.organization = organization
        members = Membership.objects.for_organization(organization).current().select_related("user")
        self.fields["org_unit"].queryset = OrgUnit.objects.for_organization(organization)
        self.fields["org_unit"].label_from_instance = _unit_label
        self.fields["owner"].queryset = members.exclude(role=Role.AUDITOR)
        self.fields["owner"].label_from_instance = _member_label
        self.fields["accountable_executive"].queryset = members.filter(role=Role.EXECUTIVE)
        self.fields["accountable_executive"].label_from_instance = lambda m: m.display_name
        parents = QualityObjective.objects.for_organization(organization)
        if self.instance.pk:
            parents = parents.exclude(pk=self.instance.pk)
        self.fields["parent"].queryset = parents
        self.fields["parent"].required = False

    def clean(self):
        cleaned = super().clean()
        # Closing an objective as missed is when the lesson is fresh: the form asks for it then.
        missed = QualityObjective.Status.MISSED
        if (
            cleaned.get("status") == missed
            and self.instance.status != missed
            and not (cleaned.get("lesson_learned") or "").strip()
        ):
            self.add_error("lesson_learned", "Say what was learned before closing it as missed.")
        return cleaned


class MeasurementForm(StyledFormMixin, forms.Form):
    period_end = forms.TypedChoiceField(label="Period", coerce=datetime.date.fromisoformat)
    value = forms.DecimalField(max_digits=24, decimal_places=6)
    note = forms.CharField(
        max_length=500, required=False, help_text="Optional: context for reviewers."
    )
    reason = forms.CharField(
        label="Reason for the correction",
        max_length=500,
        required=False,
        help_text="Needed to change a period a management review already used (quality "
        "managers only).",
    )

    def __init__(self, *args, objective: QualityObjective, today, **kwargs):
        super().__init__(*args, **kwargs)
        ends = recent_period_ends(
            objective.frequency, today, 13 if objective.frequency != "weekly" else 16
        )
        ends = [end for end in ends if end >= objective.start_date] or ends[:1]
        self.fields["period_end"].choices = [
            (end.isoformat(), describe(objective.frequency, end)) for end in ends
        ]
        self.fields["value"].label = f"Value ({objective.unit})"


class PlanStepForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = ActionStep
        fields = ["what", "resources", "responsible", "due_date", "evaluation", "status"]
        widgets = {"due_date": DateInput()}

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responsible"].queryset = (
            Membership.objects.for_organization(organization)
            .current()
            .exclude(role=Role.AUDITOR)
            .select_related("user")
        )
        self.fields["responsible"].label_from_instance = _member_label


class ObjectiveFilterForm(StyledFormMixin, forms.Form):
    q = forms.CharField(label="Search", required=False, max_length=100)
    unit = forms.ModelChoiceField(
        label="Unit (and below)", queryset=OrgUnit.objects.none(), required=False
    )
    owner = forms.ModelChoiceField(
        label="Owner", queryset=Membership.objects.none(), required=False
    )
    executive = forms.ModelChoiceField(
        label="Accountable executive", queryset=Membership.objects.none(), required=False
    )
    status = forms.ChoiceField(
        label="Status",
        required=False,
        choices=[("", "Any status"), *QualityObjective.Status.choices],
    )
    rag = forms.ChoiceField(label="RAG", required=False, choices=[("", "Any RAG"), *Rag.choices])
    sort = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        members = Membership.objects.for_organization(organization).active().select_related("user")
        self.fields["unit"].queryset = OrgUnit.objects.for_organization(organization)
        self.fields["unit"].empty_label = "All units"
        self.fields["unit"].label_from_instance = _unit_label
        self.fields["owner"].queryset = members.exclude(role=Role.AUDITOR)
        self.fields["owner"].empty_label = "Anyone"
        self.fields["owner"].label_from_instance = lambda m: m.display_name
        self.fields["executive"].queryset = members.filter(role=Role.EXECUTIVE)
        self.fields["executive"].empty_label = "Any executive"
        self.fields["executive"].label_from_instance = lambda m: m.display_name


class RedExplainForm(StyledFormMixin, forms.Form):
    explanation = forms.CharField(
        label="Why is it off track?", max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    next_step = forms.CharField(
        label="What happens next?", max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class RedAcceptForm(StyledFormMixin, forms.Form):
    title = forms.CharField(label="Corrective action", max_length=200)
    owner = forms.ModelChoiceField(queryset=Membership.objects.none(), label="Owner")
    due_date = forms.DateField(label="Due", widget=DateInput())

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = Membership.objects.for_organization(
            organization
        ).assignable()
        self.fields["owner"].label_from_instance = member_label


class RedDismissForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(label="Why no corrective action?", max_length=500)


class ObjectiveRulesForm(StyledFormMixin, forms.Form):
    red_explanation_required = forms.BooleanField(
        label="An off-track objective's owner explains it before further values are accepted",
        required=False,
    )
