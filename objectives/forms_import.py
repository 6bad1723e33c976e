"""The measurement upload form: a .csv or .xlsx file within the size limit. The rows themselves
are checked by `objectives.imports` in the background."""

from __future__ import annotations

from django import forms

from objectives.import_files import MAX_FILE_BYTES

ACCEPT = ",".join(
    [
        ".csv",
        ".xlsx",
        "text/csv",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ]
)
ZIP_MAGIC = b"PK\x03\x04"


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
        name = upload.name.lower()
        if not name.endswith((".csv", ".xlsx")):
            raise forms.ValidationError("Choose a .csv or .xlsx file.")
        if upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(
                f"The file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB. "
                "Split it into smaller files."
            )
        if upload.size == 0:
            raise forms.ValidationError("The file is empty.")
        if name.endswith(".xlsx"):
            # Catch a renamed file now rather than after a trip through the queue.
            head = upload.read(4)
            upload.seek(0)
            if head != ZIP_MAGIC:
                raise forms.ValidationError(
                    "The file is not a valid Excel workbook (.xlsx). Save it as .xlsx or CSV UTF-8."
                )
        return upload
