"""Forms of the management review pages."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from qms.core.actions.forms import executive_choices, owner_choices
from qms.core.forms import DateInput, StaleEditMixin, StyledFormMixin, member_label
from qms.core.models import Membership, OrgUnit
from reviews.models import ReviewAttendee, ReviewDecision


def _members(field, queryset):
    field.queryset = queryset
    field.label_from_instance = member_label


UNIT_HELP = "Leave empty for the whole organisation; a unit's review looks at its subtree."


def _units(field, organization):
    field.queryset = OrgUnit.objects.for_new_records(organization)  # new reviews and schedules
    field.label_from_instance = lambda unit: f"{'  ' * (unit.depth - 1)}{unit.name}"


class PlanForm(StyledFormMixin, forms.Form):
    title = forms.CharField(max_length=150, initial="Management review")
    planned_on = forms.DateField(label="Planned for", widget=DateInput())
    chair = forms.ModelChoiceField(
        queryset=Membership.objects.none(), required=False, help_text="A member of top management."
    )
    org_unit = forms.ModelChoiceField(
        queryset=OrgUnit.objects.none(), required=False, label="Unit", help_text=UNIT_HELP
    )

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        _members(self.fields["chair"], executive_choices(organization))
        _units(self.fields["org_unit"], organization)


class ScheduleForm(StyledFormMixin, forms.Form):
    title = forms.CharField(max_length=150, initial="Quarterly management review")
    interval_months = forms.TypedChoiceField(
        label="Every",
        coerce=int,
        choices=[(1, "month"), (3, "3 months (quarterly)"), (6, "6 months"), (12, "year")],
        initial=3,
    )
    first_planned_on = forms.DateField(label="First review on", widget=DateInput())
    org_unit = forms.ModelChoiceField(
        queryset=OrgUnit.objects.none(), required=False, label="Unit", help_text=UNIT_HELP
    )

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        _units(self.fields["org_unit"], organization)


class CommentaryForm(StaleEditMixin, StyledFormMixin, forms.Form):
    commentary = forms.CharField(
        label="Commentary",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=10_000,
        required=False,
        help_text="What top management should note about this input.",
    )


class HoldForm(StyledFormMixin, forms.Form):
    held_on = forms.DateField(label="Held on", widget=DateInput(), initial=timezone.localdate)


class RescheduleForm(StyledFormMixin, forms.Form):
    planned_on = forms.DateField(label="New date", widget=DateInput())


class SkipForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(label="Why is it skipped?", max_length=300)


class RecordForm(StaleEditMixin, StyledFormMixin, forms.Form):
    location = forms.CharField(max_length=200, required=False)
    chair = forms.ModelChoiceField(queryset=Membership.objects.none(), required=False)
    minutes = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 10}),
        max_length=50_000,
        required=False,
        help_text="What was discussed and concluded, input by input. Markdown works: ## for a "
        "heading, **bold**, - for a list.",
    )

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        _members(self.fields["chair"], executive_choices(organization))


class AttendanceForm(StyledFormMixin, forms.Form):
    membership = forms.ModelChoiceField(queryset=Membership.objects.none(), label="Member")
    attendance = forms.ChoiceField(choices=ReviewAttendee.Attendance.choices)

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        _members(
            self.fields["membership"],
            Membership.objects.for_organization(organization)
            .current()
            .select_related("user")
            .order_by("user__first_name"),
        )


class DecisionForm(StyledFormMixin, forms.Form):
    kind = forms.ChoiceField(label="Output (9.3.3)", choices=ReviewDecision.Kind.choices)
    text = forms.CharField(
        label="Decision", widget=forms.Textarea(attrs={"rows": 2}), max_length=5_000
    )
    action_title = forms.CharField(
        label="Action", max_length=200, help_text="What will be done to carry it out."
    )
    owner = forms.ModelChoiceField(queryset=Membership.objects.none())
    accountable_executive = forms.ModelChoiceField(queryset=Membership.objects.none())
    due_date = forms.DateField(widget=DateInput())

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        _members(self.fields["owner"], owner_choices(organization))
        _members(self.fields["accountable_executive"], executive_choices(organization))


class SignOffForm(StyledFormMixin, forms.Form):
    comment = forms.CharField(max_length=500, required=False)


class AddendumForm(StyledFormMixin, forms.Form):
    text = forms.CharField(
        label="Addendum", widget=forms.Textarea(attrs={"rows": 3}), max_length=10_000
    )
