"""Forms of the communication pages. Choices are always the request's organisation's records, so
a foreign id is refused as an invalid choice before any service runs."""

from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone

from leadership.communication.models import (
    ActivityKind,
    Announcement,
    CommunicationPlanItem,
    LeadershipActivity,
)
from qms.core.forms import DateInput, StaleEditMixin, StyledFormMixin, member_label
from qms.core.models import Membership, OrgUnit, units_of
from qms.core.roles import Role

ROLE_CHOICES = Role.choices


class PlanItemForm(StaleEditMixin, StyledFormMixin, forms.ModelForm):
    audience_roles = forms.MultipleChoiceField(
        choices=ROLE_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Roles",
        help_text="None ticked means every role.",
    )

    class Meta:
        model = CommunicationPlanItem
        fields = [
            "topic",
            "description",
            "recurrence",
            "starts_on",
            "ends_on",
            "audience_units",
            "audience_roles",
            "channel",
            "communicator",
            "is_active",
        ]
        widgets = {
            "starts_on": DateInput(),
            "ends_on": DateInput(),
            "description": forms.Textarea(attrs={"rows": 3}),
        }
        labels = {"audience_units": "Units", "is_active": "In the plan"}

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["audience_units"].queryset = OrgUnit.objects.for_new_records(
            organization, units_of(self.instance, "audience_units")
        )
        self.fields["audience_roles"].widget.attrs["class"] = "form-check-input"
        self.fields["communicator"].queryset = Membership.objects.for_organization(
            organization
        ).assignable()
        self.fields["communicator"].label_from_instance = member_label

    def clean(self):
        data = super().clean()
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            self.add_error("ends_on", "The end date must be on or after the start date.")
        return data

    def service_fields(self) -> tuple[dict, list]:
        data = dict(self.cleaned_data)
        units = list(data.pop("audience_units", []))
        return data, units


class OccurrenceDoneForm(StyledFormMixin, forms.Form):
    due_on = forms.DateField(widget=forms.HiddenInput, label="Due date")
    done_on = forms.DateField(widget=DateInput(), initial=timezone.localdate, label="Done on")
    note = forms.CharField(
        max_length=500, label="How it was communicated", help_text="E.g. “briefing, 24 people”."
    )


class AnnouncementForm(StyledFormMixin, forms.Form):
    title = forms.CharField(max_length=200)
    body = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=20000,
        help_text="Markdown: headings, lists, emphasis and links.",
    )
    target_units = forms.ModelMultipleChoiceField(
        queryset=OrgUnit.objects.none(),
        required=False,
        label="Units",
        help_text="Each with the units beneath it; hold Ctrl (⌘ on a Mac) to choose several. "
        "None chosen means the whole organisation.",
    )
    target_roles = forms.MultipleChoiceField(
        choices=ROLE_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Roles",
        help_text="None ticked means every staff role (auditors only when ticked).",
    )
    plan_occurrence = forms.ChoiceField(
        required=False,
        label="Fulfils the communication plan item",
        help_text="Optional: the planned communication this announcement delivers.",
    )
    corrects = forms.ModelChoiceField(
        queryset=Announcement.objects.none(),
        required=False,
        label="Corrects the announcement",
        help_text="Published announcements never change; a correction is a new one.",
    )

    def __init__(self, *args, organization, plan_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        # A new announcement: a closed unit is no audience.
        self.fields["target_units"].queryset = OrgUnit.objects.for_new_records(organization)
        self.fields["target_roles"].widget.attrs["class"] = "form-check-input"
        # Corrections follow soon after the mistake: offer the last year's announcements.
        self.fields["corrects"].queryset = Announcement.objects.for_organization(
            organization
        ).filter(published_at__gte=timezone.now() - datetime.timedelta(days=365))
        self.fields["plan_occurrence"].choices = [("", "—"), *plan_choices]

    def clean_plan_occurrence(self):
        """ "<item id>:<due date>" → (item id, date), or None."""
        value = self.cleaned_data.get("plan_occurrence") or ""
        if not value:
            return None
        item_id, _, due = value.partition(":")
        return int(item_id), datetime.date.fromisoformat(due)


class ActivityForm(StaleEditMixin, StyledFormMixin, forms.ModelForm):
    class Meta:
        model = LeadershipActivity
        fields = ["kind", "occurred_on", "title", "org_unit", "notes"]
        widgets = {"occurred_on": DateInput(), "notes": forms.Textarea(attrs={"rows": 4})}
        labels = {"org_unit": "Unit"}

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org_unit"].queryset = OrgUnit.objects.for_new_records(
            organization, units_of(self.instance, "org_unit")
        )
        self.fields["kind"].choices = ActivityKind.choices


class FollowUpForm(StyledFormMixin, forms.Form):
    title = forms.CharField(max_length=200, label="Follow-up action")
    owner = forms.ModelChoiceField(queryset=Membership.objects.none())
    due_date = forms.DateField(widget=DateInput())
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = Membership.objects.for_organization(
            organization
        ).assignable()
        self.fields["owner"].label_from_instance = member_label


class ActivityFilterForm(StyledFormMixin, forms.Form):
    kind = forms.ChoiceField(choices=[("", "All kinds"), *ActivityKind.choices], required=False)
    executive = forms.ModelChoiceField(
        queryset=Membership.objects.none(), required=False, empty_label="All executives"
    )

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["executive"].queryset = (
            Membership.objects.for_organization(organization)
            .filter(role=Role.EXECUTIVE)
            .select_related("user")
        )
        self.fields["executive"].label_from_instance = member_label
