"""The administrator's invitation form and the invited person's new-account form."""

from __future__ import annotations

from django import forms
from django.contrib.auth import password_validation

from qms.core.forms import DateInput, StyledFormMixin, UnitChoiceField
from qms.core.roles import Role


class InvitationForm(StyledFormMixin, forms.Form):
    email = forms.EmailField(max_length=254, label="E-mail address")
    first_name = forms.CharField(max_length=150, required=False)
    last_name = forms.CharField(max_length=150, required=False)
    role = forms.ChoiceField(choices=Role.choices)
    org_unit = UnitChoiceField(
        queryset=None,
        required=False,
        label="Unit",
        error_messages={"invalid_choice": "Choose a unit of this organisation."},
        empty_label="No unit",
        help_text="Where their pages start. For an auditor, the unit their access is limited to "
        "(with the units beneath it); no unit means the whole organisation.",
    )
    job_title = forms.CharField(max_length=120, required=False)
    access_expires_on = forms.DateField(
        required=False,
        label="Last day of access",
        widget=DateInput,
        help_text="Auditors only, and required for them.",
    )

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        from qms.core.models import OrgUnit

        # A closed unit takes no new members.
        self.fields["org_unit"].queryset = OrgUnit.objects.for_new_records(organization)


class AccountForm(StyledFormMixin, forms.Form):
    """The invited person's new account: their name and a password of their choosing (Django's
    password validators, as for a change of password)."""

    first_name = forms.CharField(max_length=150)
    last_name = forms.CharField(max_length=150)
    password1 = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label="Password again",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, email: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self):
        data = super().clean()
        first, second = data.get("password1"), data.get("password2")
        if first and second and first != second:
            self.add_error("password2", "The two passwords differ: type the same one twice.")
        elif first:
            from django.contrib.auth import get_user_model

            probe = get_user_model()(
                username=self.email,
                email=self.email,
                first_name=data.get("first_name", ""),
                last_name=data.get("last_name", ""),
            )
            try:
                password_validation.validate_password(first, probe)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return data
