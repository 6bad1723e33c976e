"""Forms of the core pages."""

from contextlib import contextmanager

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.db import transaction

from qms.core.concurrency import VERSION_FIELD, StaleEdit, lock_unchanged, version_of
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
            # Radio buttons and checkbox lists too: "form-control" drew them as empty bars.
            if isinstance(widget, forms.CheckboxInput | forms.RadioSelect):
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


class StaleEditMixin:
    """Every edit form of an existing record: refuses to save over someone else's change.

    The form carries the version of the record it was opened on (hidden field
    `loaded_version`). The view saves inside `with form.saving():`, which locks the record and
    raises `StaleEdit` if it was saved since; the view then shows `form.reopened(stale)`: the
    current version, with who changed it and when, answered with 409. A model form's record is
    its instance; a plain form names it with `record=`. A POST without the field (a script, a
    page opened before this existed) is not checked, as an API update without `If-Match`.
    Templates include `components/edit_version.html` in the form: the field and the message.
    """

    stale: StaleEdit | None = None

    def __new__(cls, *args, **kwargs):
        form = super().__new__(cls)
        # What the form was built with, but the submitted data, for `reopened` to build it
        # again: read here, before subclasses' __init__ take their own arguments.
        form._opened_with = (
            args[2:],
            {k: v for k, v in kwargs.items() if k not in ("data", "files")},
        )
        return form

    def __init__(self, *args, record=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.record = record if record is not None else getattr(self, "instance", None)
        self.opened_version: str | None = None
        if self.record is not None and self.record.pk is not None:
            self.fields[VERSION_FIELD] = forms.CharField(
                required=False, widget=forms.HiddenInput, initial=version_of(self.record)
            )

    def full_clean(self):
        super().full_clean()
        # Kept apart from the data: views pass `cleaned_data` and `changed_data` to services,
        # which know nothing of versions.
        if self.is_bound and hasattr(self, "cleaned_data"):
            self.opened_version = self.cleaned_data.pop(VERSION_FIELD, None) or None

    @property
    def changed_data(self):
        return [name for name in super().changed_data if name != VERSION_FIELD]

    @contextmanager
    def saving(self):
        """Run the save inside this: one transaction, the record's row locked, `StaleEdit` if
        it changed since the form was opened (nothing is saved then)."""
        with transaction.atomic():
            if self.record is not None and self.record.pk is not None:
                lock_unchanged(self.record, self.opened_version)
            yield

    def reopened(self, stale: StaleEdit):
        """The same form on the record as it is now, saying why the change was not saved."""
        args, kwargs = self._opened_with
        current = stale.current
        if isinstance(self, forms.BaseModelForm):
            kwargs = {**kwargs, "instance": current}
        else:
            values = {n: getattr(current, n) for n in self.fields if hasattr(current, n)}
            kwargs = {
                **kwargs,
                "record": current,
                "initial": {**kwargs.get("initial", {}), **values},
            }
        fresh = type(self)(None, None, *args, **kwargs)
        # Shown above the form by components/edit_version.html; not a form error, since no
        # field of what was sent is wrong.
        fresh.stale = stale
        return fresh


def member_label(membership) -> str:
    """How a member reads in a choice list: "Quentin Marsh (quality manager)"."""
    return f"{membership.display_name} ({membership.get_role_display().lower()})"


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")
