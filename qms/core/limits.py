"""How much a request may send: uploads and bodies over their limit are answered 413, with a
sentence that says the limit, before anything is read or saved.

Django refuses an over-large form body with a bare 400, and streams a file of any size to disk
before a form can look at it; so each view that takes a file declares its limit with
`@upload_limit`, and `RequestSizeLimitMiddleware` compares the declared Content-Length with it
before the body is read (it must come before CsrfViewMiddleware, which reads POST). Views that
take no file accept DATA_UPLOAD_MAX_MEMORY_SIZE in all. A form that still finds its file too big
(the body was within the slack below) marks the error with TOO_LARGE, and `form_status` turns it
into a 413 as well.

The limits are settings, each with the default here (bytes):
IMPORT_MAX_BYTES (register and competence imports), MEASUREMENT_IMPORT_MAX_BYTES (measurement
files, imported in the background), ATTACHMENT_MAX_BYTES (competence evidence, training
materials), EVIDENCE_VERIFY_MAX_BYTES (an evidence pack to verify).
"""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

MB = 1024 * 1024
DEFAULTS = {
    "IMPORT_MAX_BYTES": 2 * MB,
    "MEASUREMENT_IMPORT_MAX_BYTES": 20 * MB,
    "ATTACHMENT_MAX_BYTES": 10 * MB,
    "EVIDENCE_VERIFY_MAX_BYTES": 200 * MB,
}
# A multipart body carries boundaries and the form's other fields besides the file.
MULTIPART_SLACK = 64 * 1024
# The code of a form error "this file is larger than its limit" (see form_status).
TOO_LARGE = "too_large"
# Free text whose model field sets no length (a TextField) stops here in every form: about ten
# pages, more than any policy, minutes or description needs (the policy's own limit is 20,000).
MAX_TEXT_CHARACTERS = 20_000


def max_bytes(name: str) -> int:
    """The limit called `name` (a key of DEFAULTS), from the settings if set there."""
    return int(getattr(settings, name, DEFAULTS[name]))


def megabytes(size: int) -> str:
    if size >= MB:
        return f"{size / MB:g} MB"
    return f"{size // 1024} KB" if size >= 1024 else f"{size} bytes"


def upload_limit(name: str) -> Callable:
    """Declare that a view accepts a file of at most the limit `name` (see DEFAULTS)."""

    def decorator(view):
        view.upload_limit = name
        return view

    return decorator


def too_large_message(limit: int, hint: str = "") -> str:
    return f"The file is larger than {megabytes(limit)}, the most this page accepts. {hint}".strip()


def check_size(upload, limit: int, hint: str = "") -> None:
    """Raise the form error of an over-large upload (answered 413 by form_status)."""
    if upload is not None and upload.size > limit:
        raise forms.ValidationError(too_large_message(limit, hint), code=TOO_LARGE)


def form_status(form, *, failed: bool = False) -> int:
    """The status of a page showing `form`: 409 if it was reopened on a record changed by
    someone else (`StaleEditMixin`), 413 if a file was too large, 400 if the form (or what was
    done with it, `failed`) had errors, else 200."""
    if getattr(form, "stale", None):
        return 409
    if form.is_bound and form.errors:
        codes = {e.code for errors in form.errors.as_data().values() for e in errors}
        return 413 if TOO_LARGE in codes else 400
    return 400 if failed else 200


def limit_free_text(fields) -> None:
    """Give every text field of a form that has no maximum length MAX_TEXT_CHARACTERS, so that
    a multi-megabyte paste is a form error rather than a stored record."""
    for field in fields.values():
        if (
            isinstance(field, forms.CharField)
            and not isinstance(field, forms.JSONField | forms.UUIDField)
            and field.max_length is None
        ):
            field.max_length = MAX_TEXT_CHARACTERS
            field.validators.append(MaxLengthValidator(MAX_TEXT_CHARACTERS))
            field.widget.attrs.setdefault("maxlength", str(MAX_TEXT_CHARACTERS))


def _too_large_response(request: HttpRequest, message: str) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message, "code": "request_too_large"}, status=413)
    return render(request, "413.html", {"message": message}, status=413)


class RequestSizeLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if not length:
            return None
        name = getattr(view_func, "upload_limit", None)
        if name is not None:
            limit = max_bytes(name)
            if length > limit + MULTIPART_SLACK:
                return _too_large_response(request, too_large_message(limit))
            return None
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is not None and length > limit:
            return _too_large_response(
                request,
                f"The request is larger than {megabytes(limit)}, the most this page accepts. "
                "Shorten the text or send the file where files are uploaded.",
            )
        return None
