"""Forms of the leadership pages; choices are always the organisation's own records."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from leadership.models import PolicyCommitment, ResourceAllocation, Responsibility
from objectives.models import QualityObjective
from qms.core.forms import DateInput, StaleEditMixin, StyledFormMixin, member_label
from qms.core.models import Membership, OrgUnit, units_of
from qms.core.roles import Role
from qms.core.tenancy import limit_to_audit_scope, units_in_scope, whole_scope_label

MAX_POLICY_CHARACTERS = 20_000


class PolicyDraftForm(StaleEditMixin, StyledFormMixin, forms.Form):
    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 16}),
        max_length=MAX_POLICY_CHARACTERS,
        help_text="Markdown: ## headings, - lists, **bold**. HTML is not allowed and is removed.",
    )
    change_summary = forms.CharField(
        max_length=300,
        required=False,
        label="What changed",
        help_text="One line for readers and the approver, e.g. 'Adds on-time delivery'.",
    )
    is_material_change = forms.BooleanField(
        required=False,
        initial=True,
        label="Material change: every member acknowledges this version again",
        help_text="Untick for a wording or typo fix: acknowledgements of the version in force "
        "then carry over.",
    )


class DecisionForm(StyledFormMixin, forms.Form):
    comment = forms.CharField(max_length=500, required=False, label="Comment")


class CommitmentForm(StaleEditMixin, StyledFormMixin, forms.ModelForm):
    class Meta:
        model = PolicyCommitment
        fields = ["kind", "text", "objectives", "order"]
        widgets = {"objectives": forms.SelectMultiple(attrs={"size": 8})}
        help_texts = {
            "objectives": "The objectives that serve this commitment (Ctrl/Cmd-click for several)."
        }

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["objectives"].queryset = QualityObjective.objects.for_organization(organization)
        self.fields["objectives"].required = False


class ResponsibilityForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Responsibility
        fields = ["code", "title", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}


class AssignmentForm(StyledFormMixin, forms.Form):
    responsibility = forms.ModelChoiceField(queryset=Responsibility.objects.none())
    membership = forms.ModelChoiceField(label="Holder", queryset=Membership.objects.none())
    valid_from = forms.DateField(widget=DateInput(), initial=timezone.localdate)
    valid_to = forms.DateField(
        widget=DateInput(), required=False, help_text="Leave empty while in force."
    )
    authority = forms.CharField(
        max_length=300, required=False, help_text="What the holder may decide."
    )

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responsibility"].queryset = Responsibility.objects.for_organization(
            organization
        )
        self.fields["membership"].queryset = (
            Membership.objects.for_organization(organization)
            .current()
            .exclude(role=Role.AUDITOR)
            .select_related("user")
        )
        self.fields["membership"].label_from_instance = member_label

    def clean(self):
        data = super().clean()
        if (
            data.get("valid_to")
            and data.get("valid_from")
            and data["valid_to"] < data["valid_from"]
        ):
            self.add_error("valid_to", "The last day cannot be before the first.")
        return data


class AsOfForm(forms.Form):
    date = forms.DateField(
        required=False, widget=DateInput(attrs={"class": "form-control"}), label="As of"
    )


class AllocationForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = ResourceAllocation
        fields = [
            "kind",
            "title",
            "justification",
            "objective",
            "org_unit",
            "amount",
            "unit",
            "period_start",
            "period_end",
        ]
        widgets = {
            "period_start": DateInput(),
            "period_end": DateInput(),
            "justification": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {"unit": "Leave empty for a budget in the organisation's currency."}

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["objective"].queryset = QualityObjective.objects.for_organization(organization)
        self.fields["org_unit"].queryset = OrgUnit.objects.for_new_records(
            organization, units_of(self.instance, "org_unit")
        )
        self.fields["unit"].required = False

    def clean(self):
        data = super().clean()
        if not data.get("objective") and not data.get("org_unit"):
            self.add_error("objective", "Say which objective or unit the resource is for.")
        if (
            data.get("period_start")
            and data.get("period_end")
            and data["period_end"] < data["period_start"]
        ):
            self.add_error("period_end", "The period must end after it starts.")
        if (
            not data.get("unit")
            and data.get("kind")
            and data["kind"] != ResourceAllocation.Kind.BUDGET
        ):
            self.add_error("unit", "Say what the amount counts (FTE, days, units...).")
        return data


class SpendForm(StyledFormMixin, forms.Form):
    date = forms.DateField(widget=DateInput())
    amount = forms.DecimalField(max_digits=16, decimal_places=2, min_value=0.01)
    note = forms.CharField(max_length=300, required=False)
    over_reason = forms.CharField(
        label="Reason for spending more than approved",
        max_length=500,
        required=False,
        help_text="Only when this takes spend beyond the approved amount; the executive who "
        "approved it is told.",
    )


class AllocationFilterForm(StyledFormMixin, forms.Form):
    objective = forms.ModelChoiceField(
        queryset=QualityObjective.objects.none(), required=False, empty_label="Any objective"
    )
    unit = forms.ModelChoiceField(
        label="Unit (and below)",
        queryset=OrgUnit.objects.none(),
        required=False,
        empty_label="All units",
    )
    status = forms.ChoiceField(
        required=False, choices=[("", "Any status"), *ResourceAllocation.Status.choices]
    )
    kind = forms.ChoiceField(
        required=False, choices=[("", "Any kind"), *ResourceAllocation.Kind.choices]
    )

    def __init__(self, *args, organization, membership=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Through the unit-auditor rule, like every filter menu.
        self.fields["objective"].queryset = limit_to_audit_scope(
            QualityObjective.objects.for_organization(organization), membership
        )
        self.fields["unit"].queryset = units_in_scope(organization, membership)
        self.fields["unit"].empty_label = whole_scope_label(membership, "All units")
