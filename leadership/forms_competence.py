"""Forms of the competence, training and certificate pages (ISO 9001 7.2, the certificate);
every choice is the organisation's own records."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from leadership.models import (
    Certificate,
    CertificationAudit,
    Competence,
    CompetenceRecord,
    PartyKind,
    ResourceAllocation,
    TrainingAttendance,
    TrainingSession,
)
from leadership.models.competence import LEVELS
from qms.core.forms import DateInput, StaleEditMixin, StyledFormMixin, member_label
from qms.core.models import Membership, OrgUnit, units_of
from qms.core.tenancy import members_in_scope, units_in_scope, whole_scope_label

LEVEL_CHOICES = [("", "Not required"), *LEVELS]


def _members(organization):
    return Membership.objects.for_organization(organization).assignable()


class CompetenceForm(StaleEditMixin, StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Competence
        fields = [
            "name",
            "description",
            "level_1",
            "level_2",
            "level_3",
            "level_4",
            "validity_months",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, organization, **kwargs):
        self.organization = organization
        super().__init__(*args, **kwargs)

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        clash = Competence.objects.for_organization(self.organization).filter(name__iexact=name)
        if self.instance.pk:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError("A competence of this name exists already.")
        return name


class RequirementsForm(StyledFormMixin, forms.Form):
    """One level select per responsibility and per role: what each requires of a competence."""

    def __init__(self, *args, responsibilities, roles, current, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = []
        for responsibility in responsibilities:
            name = f"responsibility_{responsibility.pk}"
            self.fields[name] = forms.TypedChoiceField(
                label=str(responsibility),
                choices=LEVEL_CHOICES,
                coerce=int,
                empty_value=None,
                required=False,
                initial=current.get(("responsibility", responsibility.pk)),
            )
            self.rows.append((name, responsibility, ""))
        for value, label in roles:
            name = f"role_{value}"
            self.fields[name] = forms.TypedChoiceField(
                label=f"Role: {label}",
                choices=LEVEL_CHOICES,
                coerce=int,
                empty_value=None,
                required=False,
                initial=current.get(("role", value)),
            )
            self.rows.append((name, None, value))


class CompetenceRecordForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = CompetenceRecord
        fields = [
            "membership",
            "competence",
            "level",
            "evidence_kind",
            "evidence",
            "attachment",
            "attained_on",
            "expires_on",
        ]
        widgets = {"attained_on": DateInput(), "expires_on": DateInput()}
        labels = {"membership": "Member"}
        help_texts = {
            "expires_on": "Empty: the competence's usual validity, or no expiry if it has none."
        }

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["membership"].queryset = _members(organization)
        self.fields["membership"].label_from_instance = member_label
        self.fields["competence"].queryset = Competence.objects.for_organization(organization)
        if not self.instance.pk:
            self.fields["attained_on"].initial = timezone.localdate

    def clean(self):
        data = super().clean()
        attained, expires = data.get("attained_on"), data.get("expires_on")
        if attained and expires and expires <= attained:
            self.add_error("expires_on", "The expiry date must come after the date attained.")
        if attained and attained > timezone.localdate():
            self.add_error("attained_on", "A competence is recorded once attained, not before.")
        return data


class TrainingSessionForm(StyledFormMixin, forms.ModelForm):
    invitees = forms.ModelMultipleChoiceField(
        queryset=Membership.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text="Members invited (Ctrl/Cmd-click for several). You can invite more later.",
    )

    class Meta:
        model = TrainingSession
        fields = [
            "topic",
            "kind",
            "competences",
            "target_level",
            "trainer",
            "held_on",
            "duration_hours",
            "org_unit",
            "resource_allocation",
            "materials",
            "evaluation_due_on",
        ]
        widgets = {
            "held_on": DateInput(),
            "evaluation_due_on": DateInput(),
            "competences": forms.SelectMultiple(attrs={"size": 6}),
        }
        help_texts = {"evaluation_due_on": "Empty: 90 days after the session."}

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["competences"].queryset = Competence.objects.for_organization(organization)
        self.fields["org_unit"].queryset = OrgUnit.objects.for_new_records(
            organization, units_of(self.instance, "org_unit")
        )
        self.fields["resource_allocation"].queryset = ResourceAllocation.objects.for_organization(
            organization
        ).filter(kind=ResourceAllocation.Kind.KNOWLEDGE)
        self.fields["evaluation_due_on"].required = False
        self.fields["invitees"].queryset = _members(organization)
        self.fields["invitees"].label_from_instance = member_label

    def clean(self):
        data = super().clean()
        held, due = data.get("held_on"), data.get("evaluation_due_on")
        if held and due and due < held:
            self.add_error("evaluation_due_on", "Evaluate the training after it is held.")
        return data


class InviteForm(StyledFormMixin, forms.Form):
    invitees = forms.ModelMultipleChoiceField(
        queryset=Membership.objects.none(), widget=forms.SelectMultiple(attrs={"size": 6})
    )

    def __init__(self, *args, organization, session, **kwargs):
        super().__init__(*args, **kwargs)
        invited = session.attendances.values_list("membership_id", flat=True)
        self.fields["invitees"].queryset = _members(organization).exclude(pk__in=invited)
        self.fields["invitees"].label_from_instance = member_label


class AttendanceForm(forms.Form):
    attended = forms.ModelMultipleChoiceField(
        queryset=Membership.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Who attended",
    )

    def __init__(self, *args, session, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attended"].queryset = Membership.objects.filter(
            training_attendances__session=session
        ).select_related("user")
        self.fields["attended"].label_from_instance = lambda m: m.display_name
        self.fields["attended"].initial = [
            a.membership_id for a in session.attendances.all() if a.attended
        ]


class EvaluationForm(StyledFormMixin, forms.Form):
    result = forms.ChoiceField(choices=TrainingAttendance.Result.choices)
    method = forms.ChoiceField(choices=TrainingAttendance.Method.choices)
    note = forms.CharField(max_length=500, required=False, label="What was observed")
    evaluated_on = forms.DateField(widget=DateInput(), initial=timezone.localdate)


class MatrixFilterForm(StyledFormMixin, forms.Form):
    unit = forms.ModelChoiceField(
        label="Unit (and below)",
        queryset=OrgUnit.objects.none(),
        required=False,
        empty_label="All units",
    )

    def __init__(self, *args, organization, membership=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Through the unit-auditor rule, like every filter menu.
        self.fields["unit"].queryset = units_in_scope(organization, membership)
        self.fields["unit"].empty_label = whole_scope_label(membership, "All units")


class RecordFilterForm(StyledFormMixin, forms.Form):
    member = forms.ModelChoiceField(
        queryset=Membership.objects.none(), required=False, empty_label="All members"
    )

    def __init__(self, *args, organization, membership=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = members_in_scope(
            Membership.objects.for_organization(organization).select_related("user"), membership
        )
        self.fields["member"].label_from_instance = member_label


class CertificateForm(StaleEditMixin, StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Certificate
        fields = [
            "certification_body",
            "number",
            "standard",
            "edition",
            "scope",
            "sites",
            "issued_on",
            "expires_on",
            "status",
            "audit_reminder_days",
            "expiry_reminder_days",
            "show_publicly",
        ]
        widgets = {
            "issued_on": DateInput(),
            "expires_on": DateInput(),
            "scope": forms.Textarea(attrs={"rows": 3}),
            "sites": forms.Textarea(attrs={"rows": 3}),
        }

    def clean(self):
        data = super().clean()
        issued, expires = data.get("issued_on"), data.get("expires_on")
        if issued and expires and expires <= issued:
            self.add_error("expires_on", "The certificate must expire after it is issued.")
        return data


class CertificationAuditForm(StaleEditMixin, StyledFormMixin, forms.ModelForm):
    class Meta:
        model = CertificationAudit
        fields = [
            "kind",
            "planned_on",
            "held_on",
            "lead_auditor",
            "audit_reference",
            "result",
            "notes",
        ]
        widgets = {
            "planned_on": DateInput(),
            "held_on": DateInput(),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def clean(self):
        data = super().clean()
        if data.get("result") and not data.get("held_on"):
            self.add_error("held_on", "Give the date the audit was held with its result.")
        if data.get("held_on") and data["held_on"] > timezone.localdate():
            self.add_error("held_on", "An audit is recorded as held on or after the day.")
        return data


class PartyKindForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = PartyKind
        fields = ["name"]
        labels = {"name": "New kind of party"}

    def __init__(self, *args, organization, **kwargs):
        self.organization = organization
        super().__init__(*args, **kwargs)

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if PartyKind.objects.for_organization(self.organization).filter(name__iexact=name).exists():
            raise forms.ValidationError("This kind of party exists already.")
        return name
