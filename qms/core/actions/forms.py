"""Forms of the action pages; member choices are always the organisation's own members."""

from __future__ import annotations

from django import forms

from qms.core.actions.models import ActionStatus, VerificationResult
from qms.core.actions.sources import kind_choices
from qms.core.forms import DateInput, StaleEditMixin, StyledFormMixin
from qms.core.models import Membership, Organization
from qms.core.roles import Role
from qms.core.tenancy import members_in_scope


def _member_label(membership: Membership) -> str:
    title = f", {membership.job_title}" if membership.job_title else ""
    return f"{membership.display_name}{title}"


def owner_choices(organization: Organization):
    """Who may own an action: current members other than auditors."""
    return Membership.objects.for_organization(organization).assignable()


def executive_choices(organization: Organization):
    return owner_choices(organization).with_role(Role.EXECUTIVE)


class ActionForm(StyledFormMixin, forms.Form):
    title = forms.CharField(max_length=200, help_text="What will be done, in a few words.")
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=5000,
        help_text="What is wrong or could be better, the cause if known, and the plan.",
    )
    owner = forms.ModelChoiceField(
        queryset=Membership.objects.none(), help_text="Does the work and closes the action."
    )
    accountable_executive = forms.ModelChoiceField(
        queryset=Membership.objects.none(),
        help_text="The member of top management answerable for it (ISO 9001 5.1).",
    )
    due_date = forms.DateField(widget=DateInput())

    def __init__(self, *args, organization: Organization, membership: Membership, **kwargs):
        super().__init__(*args, **kwargs)
        owners = owner_choices(organization)
        if membership.role == Role.CONTRIBUTOR:
            # Contributors raise actions for themselves only.
            owners = owners.filter(pk=membership.pk)
            self.fields["owner"].help_text = "You: contributors raise actions they own."
        self.fields["owner"].queryset = owners
        self.fields["owner"].label_from_instance = _member_label
        self.fields["accountable_executive"].queryset = executive_choices(organization)
        self.fields["accountable_executive"].label_from_instance = _member_label


class ActionEditForm(StaleEditMixin, ActionForm):
    reason = forms.CharField(
        max_length=100,
        required=False,
        label="Reason for the change",
        help_text="Kept in the history, e.g. 'Supplier delivery slipped'.",
    )


class CloseForm(StyledFormMixin, forms.Form):
    note = forms.CharField(
        label="What was done",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        help_text="Required: the note is the record of closure.",
    )


class VerifyForm(StyledFormMixin, forms.Form):
    result = forms.ChoiceField(
        label="Was the action effective?",
        choices=VerificationResult.choices,
        widget=forms.RadioSelect,
    )
    evidence = forms.CharField(
        label="Evidence",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        help_text="Data, records or observations that show whether it worked.",
    )
    new_due_date = forms.DateField(
        label="New due date (if not effective)",
        widget=DateInput(),
        required=False,
        help_text="An action found not effective goes back to open; give it a new due date.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Radio buttons carry Bootstrap's check class per input, not the select's.
        self.fields["result"].widget.attrs["class"] = "form-check-input"


class CancelForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(
        label="Why is it cancelled?",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=5000,
    )


SORT_CHOICES = [
    ("due", "Due date, soonest first (open first)"),
    ("-due", "Due date, latest first (open first)"),
    ("-number", "Newest first"),
    ("number", "Oldest first"),
]


class ActionFilterForm(StyledFormMixin, forms.Form):
    q = forms.CharField(label="Search", required=False, max_length=100)
    status = forms.ChoiceField(required=False, choices=[("", "Any status"), *ActionStatus.choices])
    owner = forms.ModelChoiceField(
        queryset=Membership.objects.none(), required=False, empty_label="Anyone"
    )
    executive = forms.ModelChoiceField(
        label="Accountable executive",
        queryset=Membership.objects.none(),
        required=False,
        empty_label="Any executive",
    )
    source = forms.ChoiceField(label="Raised from", required=False)
    overdue = forms.BooleanField(label="Overdue only", required=False)
    sort = forms.ChoiceField(label="Sort by", required=False, choices=SORT_CHOICES)

    def __init__(self, *args, organization: Organization, membership=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Past owners stay findable: the filter lists every member, not only current ones; an
        # auditor limited to a unit is offered that subtree's members only.
        members = members_in_scope(
            Membership.objects.for_organization(organization)
            .exclude(role=Role.AUDITOR)
            .select_related("user")
            .order_by("user__first_name", "user__last_name"),
            membership,
        )
        self.fields["owner"].queryset = members
        self.fields["owner"].label_from_instance = _member_label
        self.fields["executive"].queryset = members.with_role(Role.EXECUTIVE)
        self.fields["executive"].label_from_instance = _member_label
        self.fields["source"].choices = [("", "Anything"), *kind_choices()]
