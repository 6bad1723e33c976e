"""Base form of register records, and the upload form of their imports."""

from __future__ import annotations

from django import forms

from qms.core.forms import DateInput, StaleEditMixin, StyledFormMixin, member_label
from qms.core.limits import check_size, max_bytes
from qms.core.models import Membership, OrgUnit, units_of
from qms.core.spreadsheets import ACCEPT, SPLIT_HINT, upload_problem

MAX_IMPORT_BYTES = max_bytes("IMPORT_MAX_BYTES")
MAX_IMPORT_ROWS = 2_000


class RegisterForm(StaleEditMixin, StyledFormMixin, forms.ModelForm):
    """A register's model form: every choice of a related record is limited to the
    organisation's own (a foreign id is "not one of the available choices"), members are
    current non-auditors, dates use the browser's date picker; an edit is refused if someone
    saved the record after it was opened (`StaleEditMixin`)."""

    def __init__(self, *args, organization, **kwargs):
        self.organization = organization
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if isinstance(field, forms.DateField):
                field.widget = DateInput(attrs=field.widget.attrs)
            if not isinstance(field, forms.ModelChoiceField):
                continue
            model = field.queryset.model
            if model is Membership:
                field.queryset = Membership.objects.for_organization(organization).assignable()
                field.label_from_instance = member_label
            elif model is OrgUnit:  # a closed unit takes no new records; a record keeps its own
                field.queryset = OrgUnit.objects.for_new_records(
                    organization, units_of(self.instance, name)
                )
            elif any(f.name == "organization" for f in model._meta.fields):
                field.queryset = field.queryset.filter(organization=organization)


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label="Spreadsheet",
        help_text=(
            f"A .csv (UTF-8) or .xlsx file of at most {MAX_IMPORT_BYTES // (1024 * 1024)} MB "
            f"and {MAX_IMPORT_ROWS:,} rows, with the columns below."
        ),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ACCEPT,
                "class": "form-control",
                "aria-describedby": "id_file_help column-spec",
            }
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        check_size(upload, MAX_IMPORT_BYTES, SPLIT_HINT)
        problem = upload_problem(upload, MAX_IMPORT_BYTES)
        if problem:
            raise forms.ValidationError(problem)
        return upload
