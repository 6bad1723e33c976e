"""The measurement upload form: a .csv or .xlsx file within the size limit. The rows themselves
are checked by `objectives.imports` in the background."""

from __future__ import annotations

from django import forms

from objectives.import_files import MAX_FILE_BYTES
from qms.core.limits import check_size
from qms.core.spreadsheets import ACCEPT, SPLIT_HINT, upload_problem


class MeasurementImportForm(forms.Form):
    file = forms.FileField(
        label="Measurement file",
        help_text=(
            f"A .csv (UTF-8) or .xlsx file of at most {MAX_FILE_BYTES // (1024 * 1024)} MB "
            "with the columns below."
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
        check_size(upload, MAX_FILE_BYTES, SPLIT_HINT)
        problem = upload_problem(upload, MAX_FILE_BYTES)
        if problem:
            raise forms.ValidationError(problem)
        return upload
