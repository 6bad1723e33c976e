"""Forms of the core pages."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm

from qms.core.limits import limit_free_text
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


class StyledFormMixin:
    """Give every widget Bootstrap's class and mark invalid fields for assistive technology."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit_free_text(self.fields)
        for name, field in self.fields.items():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select | forms.SelectMultiple):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()
            if field.help_text:
                widget.attrs["aria-describedby"] = f"id_{name}_help"

    def full_clean(self):
        # Marked after validation, never in __init__: reading self.errors there would validate
        # before a subclass has set its querysets and choices.
        super().full_clean()
        for name in self._errors or {}:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()
                widget.attrs["aria-invalid"] = "true"
                widget.attrs["aria-describedby"] = f"id_{name}_errors"


def member_label(membership) -> str:
    """How a member reads in a choice list: "Quentin Marsh (quality manager)"."""
    return f"{membership.display_name} ({membership.get_role_display().lower()})"


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")
