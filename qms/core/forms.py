"""Forms of the core pages."""

from contextlib import contextmanager

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.db import transaction

from qms.core.concurrency import (
    VERSION_FIELD,
    StaleEdit,
    VersionMissing,
    lock_unchanged,
    version_of,
)
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
    # Administrators only: members who left stay on record and can be reactivated.
    status = forms.ChoiceField(
        choices=[("", "Current members"), ("left", "Not active (left, or waiting for a role)")],
        required=False,
        label="Status",
    )
    status.widget.attrs.update({"class": "form-select"})


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
        say_who_left(self)
        for name in self._errors or {}:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()
                widget.attrs["aria-invalid"] = "true"
                widget.attrs["aria-describedby"] = f"id_{name}_errors"


def say_who_left(form) -> None:
    """A member field refusing someone who has left (their page was opened before they were
    deactivated, or the id was typed) says so, by name and date, instead of Django's "Select
    a valid choice": only members of the choices' own organisation are looked at."""
    from qms.core.models import Membership
    from qms.core.selectors import leaver_sentence

    for name, errors in list((form._errors or {}).items()):
        choices = getattr(form.fields.get(name), "queryset", None)
        if choices is None or choices.model is not Membership:
            continue
        said = []
        for error in errors.as_data():
            value = (error.params or {}).get("value") if error.code == "invalid_choice" else None
            sentence = value is not None and leaver_sentence(
                organization=choices.values("organization_id"), value=value
            )
            said.append(
                forms.ValidationError(sentence, code="invalid_choice") if sentence else error
            )
        form._errors[name] = form.error_class(said, renderer=form.renderer)


class StaleEditMixin:
    """Every edit form of an existing record: refuses to save over someone else's change.

    The form carries the version of the record it was opened on (hidden field
    `loaded_version`). The view saves inside `with form.saving():`, which locks the record and
    raises `StaleEdit` if it was saved since; the view then shows `form.reopened(stale)`: the
    current version, with who changed it and when, answered with 409. A model form's record is
    its instance; a plain form names it with `record=`. A POST without the field (a script, a
    page opened before this existed, a hand-made request) is refused the same way
    (`VersionMissing`): an edit page is only ever sent by a browser that was given the field,
    and one sent without it would overwrite whatever changed since, unseen.
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
                current = lock_unchanged(self.record, self.opened_version)
                if self.opened_version is None:
                    raise VersionMissing(current)
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


def add_service_errors(form, error) -> None:
    """A service's ValidationError on the form: each field's sentences beside it, the rest
    (or a field the form does not have) at its top."""
    if hasattr(error, "error_dict"):
        for name, errors in error.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def member_label(membership) -> str:
    """How a member reads in a choice list: "Quentin Marsh (quality manager)"."""
    return f"{membership.display_name} ({membership.get_role_display().lower()})"


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


EM_SPACE = "\u2003"


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, unit) -> str:
        # Indented by depth, so the tree reads in a flat list; a kept closed unit says so.
        closed = " (closed)" if unit.closed_on else ""
        return EM_SPACE * (unit.depth - 1) + unit.name + closed

    def to_python(self, value):
        try:
            return super().to_python(value)
        except forms.ValidationError as error:
            if error.code != "invalid_choice" or self.queryset is None:
                raise
            from qms.core.units import closed_unit_sentence

            sentence = closed_unit_sentence(
                organization=self.queryset.values("organization_id")[:1], value=value
            )
            if sentence:
                raise forms.ValidationError(sentence, code="invalid_choice") from None
            raise


class MemberChangeForm(StaleEditMixin, StyledFormMixin, forms.Form):
    """An administrator changes a member's role, unit, job title and, for an auditor, the last
    day of their access (rules in `qms.core.services.membership_change`)."""

    role = forms.ChoiceField(choices=Role.choices)
    org_unit = UnitChoiceField(
        queryset=None,
        required=False,
        label="Unit",
        error_messages={"invalid_choice": "Choose a unit of this organisation."},
        empty_label="No unit",
        help_text="Where this member's pages start. For an auditor, the unit their access is "
        "limited to (with the units beneath it); the top unit, or no unit, means the whole "
        "organisation.",
    )
    job_title = forms.CharField(max_length=120, required=False)
    access_expires_on = forms.DateField(
        required=False,
        label="Last day of access",
        widget=DateInput,
        help_text="Auditors only, and required for them: their access ends after this day. "
        "Other roles have no end date.",
    )

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        from qms.core.models import OrgUnit

        # Open units, and the member's own even if it closed since (kept, not offered anew).
        kept = self.record.org_unit_id if self.record is not None else None
        self.fields["org_unit"].queryset = OrgUnit.objects.for_new_records(organization, kept)


class MemberDeactivateForm(StyledFormMixin, forms.Form):
    """Who takes over what a leaver is still responsible for: one choice for everything, and a
    choice per item that overrides it (`qms.core.services.membership_deactivate` decides)."""

    give_all_to = forms.ModelChoiceField(
        queryset=None,
        required=False,
        label="Give everything to",
        empty_label="Choose a member",
        help_text="Items that need an executive go to this member only if they are one; "
        "choose someone else for any item below.",
    )

    def __init__(self, *args, holders, items, **kwargs):
        super().__init__(*args, **kwargs)
        holders = list(holders)
        self.fields["give_all_to"].queryset = _queryset_of(holders)
        self.fields["give_all_to"].label_from_instance = member_label
        self.items = items
        for item in items:
            fitting = [m for m in holders if not item.holder_roles or m.role in item.holder_roles]
            field = forms.ModelChoiceField(
                queryset=_queryset_of(fitting),
                required=False,
                label=f"New holder for {item.title}",
                empty_label="As chosen above",
            )
            field.label_from_instance = member_label
            field.widget.attrs["class"] = "form-select form-select-sm"
            self.fields[self.field_name(item)] = field

    @staticmethod
    def field_name(item) -> str:
        return f"item_{item.ref.replace(':', '_')}"

    def rows(self):
        """(item, its bound field) for the template."""
        return [(item, self[self.field_name(item)]) for item in self.items]

    def give_to(self) -> dict:
        return {
            item.ref: self.cleaned_data[self.field_name(item)]
            for item in self.items
            if self.cleaned_data.get(self.field_name(item)) is not None
        }


def _queryset_of(members):
    """A queryset naming exactly these memberships, in this order of names (the choices of a
    field are a queryset; the members were loaded once, with their users)."""
    from qms.core.models import Membership

    return (
        Membership.objects.filter(pk__in=[m.pk for m in members])
        .select_related("user")
        .order_by("user__first_name", "user__last_name", "user__username")
    )


# --- an administrator runs the organisation's units (qms.core.units) ----------------------------


def _unit_kinds():
    from qms.core.models import OrgUnit

    return OrgUnit.Kind.choices


class UnitFieldsMixin(forms.Form):
    name = forms.CharField(max_length=200, help_text="As people call it: Leeds site, Sales.")
    code = forms.CharField(
        max_length=30,
        required=False,
        help_text="Optional short code, unique in the organisation (imports and exports use it).",
    )
    kind = forms.ChoiceField(
        choices=lambda: _unit_kinds(),
        initial="department",
    )


class UnitAddForm(StyledFormMixin, UnitFieldsMixin):
    """A new unit under a parent (rules in `qms.core.units.org_unit_add`)."""

    parent = UnitChoiceField(
        queryset=None,
        label="Belongs under",
        empty_label=None,
        error_messages={"invalid_choice": "Choose an open unit of this organisation."},
        help_text="Its results roll up to this unit and the units above it.",
    )
    field_order = ["name", "parent", "kind", "code"]

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        from qms.core.models import OrgUnit

        self.fields["parent"].queryset = OrgUnit.objects.for_new_records(organization)


class UnitChangeForm(StaleEditMixin, StyledFormMixin, UnitFieldsMixin):
    """Rename a unit or change its code or kind (`qms.core.units.org_unit_change`)."""


class UnitMoveForm(StaleEditMixin, StyledFormMixin, forms.Form):
    """Move a unit, with the units beneath it, under another (`qms.core.units.org_unit_move`):
    the choices leave out its own branch and closed units."""

    parent = UnitChoiceField(
        queryset=None,
        label="Move under",
        empty_label="Choose a unit",
        error_messages={
            "invalid_choice": "Choose an open unit of this organisation outside this unit's branch."
        },
        help_text="The units beneath it move with it.",
    )

    def __init__(self, *args, unit, **kwargs):
        super().__init__(*args, record=unit, **kwargs)
        from qms.core.units import move_targets

        self.fields["parent"].queryset = move_targets(unit)


class UnitCloseForm(StaleEditMixin, StyledFormMixin, forms.Form):
    """Close a unit from a day (`qms.core.units.org_unit_close`)."""

    closed_on = forms.DateField(
        label="Closed on",
        widget=DateInput,
        help_text="Today or earlier. Its records and history stay; it takes no new records.",
    )

    def __init__(self, *args, unit, **kwargs):
        super().__init__(*args, record=unit, **kwargs)


class UnitReopenForm(StaleEditMixin, forms.Form):
    """Reopen a closed unit: only the version (`qms.core.units.org_unit_reopen`)."""

    def __init__(self, *args, unit, **kwargs):
        super().__init__(*args, record=unit, **kwargs)
