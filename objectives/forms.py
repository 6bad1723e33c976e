"""Forms of the objective pages. Choices are always the organisation's own records."""

from __future__ import annotations

import datetime
from operator import attrgetter

from django import forms
from django.db.models import Q

from objectives.models import ActionStep, Measurement, QualityObjective, Rag
from objectives.periods import describe, period_end, previous_period_end
from objectives.services import NOT_SAID
from qms.core.concurrency import version_of
from qms.core.forms import DateInput, StaleEditMixin, StyledFormMixin, member_label
from qms.core.models import Membership, OrgUnit, units_of
from qms.core.roles import Role
from qms.core.tenancy import members_in_scope, units_in_scope, whole_scope_label


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
        self.fields["org_unit"].queryset = OrgUnit.objects.for_new_records(
            organization, units_of(self.instance, "org_unit")
        )
        self.fields["org_unit"].label_from_instance = attrgetter("choice_label")
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
    period_end = forms.TypedChoiceField(
        label="Period",
        coerce=datetime.date.fromisoformat,
        help_text="Only periods that have ended: a month's value is logged once it is over.",
        error_messages={
            "invalid_choice": "Choose one of the periods offered: a value is logged once its "
            "period has ended."
        },
    )
    value = forms.DecimalField(
        max_digits=24,
        decimal_places=6,
        required=False,
        error_messages={
            "max_digits": "Enter a value of at most 18 digits before the decimal point.",
            "max_whole_digits": "Enter a value of at most 18 digits before the decimal point.",
            "max_decimal_places": "Enter a value with at most 6 decimal places.",
            "invalid": "Enter a number, e.g. 96.4 (a decimal point, no thousands separator).",
        },
    )
    note = forms.CharField(
        max_length=500, required=False, help_text="Optional: context for reviewers."
    )
    reason = forms.CharField(
        label="Reason (for a correction or a withdrawal)",
        max_length=500,
        required=False,
        help_text="Kept in the history. Needed to withdraw a value, and to change one a "
        "management review has seen (quality managers only).",
    )

    # What the page showed: each offered period's value version, "2026-10-31=ab12...;...".
    # Saving checks it (services.measurement_record's `replaces`): a value saved by someone
    # else since the page was opened is not silently replaced. Rendered from the current
    # values (`values_seen_now`), never echoed back, so a refused form shows what is there now.
    values_seen = forms.CharField(required=False, widget=forms.HiddenInput, max_length=8000)

    def __init__(
        self, *args, objective: QualityObjective, today, withdrawing: bool = False, **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.withdrawing = withdrawing
        ends = ended_period_ends(objective, today)
        values = list(
            Measurement.objects.filter(objective=objective)
            .filter(Q(period_end__in=ends) | Q(period_end__gte=today))
            .only("pk", "period_end", "entered_at")
        )
        recorded = {m.period_end for m in values}
        self.values_seen_now = ";".join(f"{m.period_end}={version_of(m)}" for m in values)
        # A value logged early for a period not over yet is offered only to be withdrawn.
        early = sorted((end for end in recorded if end >= today), reverse=True)
        self.fields["period_end"].choices = [
            (end.isoformat(), f"{describe(objective.frequency, end)} (not ended: withdraw it)")
            for end in early
        ] + [
            (
                end.isoformat(),
                describe(objective.frequency, end) + (" (has a value)" if end in recorded else ""),
            )
            for end in ends
        ]
        # The latest ended period still waiting for its value: the one an owner most likely
        # came to log (not the current period, which has not ended).
        missing = next((end for end in ends if end not in recorded), ends[0] if ends else None)
        if missing is not None:
            self.fields["period_end"].initial = missing.isoformat()
        self.fields["value"].label = f"Value ({objective.unit})"
        first_end = period_end(objective.frequency, max(today, objective.start_date))
        self.no_period = (
            ""
            if ends
            else f"No period of {objective.code} has ended yet: its first value can be logged "
            f"from {first_end + datetime.timedelta(days=1):%-d %b %Y}."
        )

    def replaces(self, period: datetime.date):
        """For `measurement_record`: the version of the period's value the page showed, or
        None if it showed none. A POST without the field (a script, a page from before it
        existed) said nothing: it records a first value and corrects nothing, as the API does
        without If-Match; it was saved unchecked and replaced a value nobody had named."""
        seen = dict(
            item.partition("=")[::2]
            for item in (self.cleaned_data.get("values_seen") or "").split(";")
            if item
        )
        version = seen.get(period.isoformat())
        if version is None and "values_seen" not in self.data:
            # Not "saw none": the form said nothing (a hand-made POST). A first value is still
            # recorded; a correction is refused, saying so (objectives.services.NOT_SAID).
            return NOT_SAID
        return None if version is None else {version}

    def clean(self):
        cleaned = super().clean()
        if not self.withdrawing and cleaned.get("value") is None and "value" not in self.errors:
            self.add_error("value", "Enter the value for the period.")
        return cleaned


def ended_period_ends(objective: QualityObjective, today: datetime.date) -> list[datetime.date]:
    """The periods a value may be logged for now, newest first: ended ones since the start."""
    count = 13 if objective.frequency != "weekly" else 16
    latest = period_end(objective.frequency, today)
    if latest >= today:
        latest = previous_period_end(objective.frequency, latest)
    first = period_end(objective.frequency, objective.start_date)
    ends = []
    while latest >= first and len(ends) < count:
        ends.append(latest)
        latest = previous_period_end(objective.frequency, latest)
    return ends


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

    def __init__(self, *args, organization, membership=None, **kwargs):
        super().__init__(*args, **kwargs)
        # An auditor limited to a unit is offered that subtree's units and people only.
        members = members_in_scope(
            Membership.objects.for_organization(organization).active().select_related("user"),
            membership,
        )
        self.fields["unit"].queryset = units_in_scope(organization, membership)
        self.fields["unit"].empty_label = whole_scope_label(membership, "All units")
        self.fields["unit"].label_from_instance = attrgetter("choice_label")
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
