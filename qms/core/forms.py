"""Forms of the core pages."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm

from qms.core.roles import Role


class LoginForm(AuthenticationForm):
    """Django's login form with attributes browsers and password managers understand."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update(
            {"autocomplete": "username", "autofocus": True, "class": "form-control"}
        )
        self.fields["password"].widget.attrs.update(
            {"autocomplete": "current-password", "class": "form-control"}
        )


class MemberFilterForm(forms.Form):
    role = forms.ChoiceField(
        choices=[("", "All roles"), *Role.choices], required=False, label="Role"
    )
    role.widget.attrs.update({"class": "form-select"})
