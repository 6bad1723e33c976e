"""How services' refusals become API answers: 403 for a role or person not allowed, 409 for a
workflow step not allowed from the record's current state, 400 for invalid data; and any
other error a generic 500 whose details go to the log, never to the caller."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions, serializers, status
from rest_framework.exceptions import ErrorDetail
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from qms.core.immutable import NotAllowed, TransitionError

T = TypeVar("T")
log = logging.getLogger("qms.api")

SERVER_ERROR = (
    "Something went wrong on our side; the error has been logged. Nothing was half-saved: "
    "try again in a moment."
)


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "This step is not allowed from the record's current state."
    default_code = "conflict"


def run_service(call: Callable[[], T]) -> T:
    """Run a service and translate its refusals into API errors."""
    try:
        return call()
    except NotAllowed as error:
        raise exceptions.PermissionDenied(str(error)) from error
    except TransitionError as error:
        raise Conflict(str(error)) from error
    except DjangoValidationError as error:
        raise serializers.ValidationError(
            error.message_dict if hasattr(error, "error_dict") else {"detail": error.messages}
        ) from error


# DRF's words for a related id it cannot find: `Invalid pk "11" - object does not exist.`
UNKNOWN_ID = re.compile(r'"(.*)"', re.S)
RELATED_ID_CODES = ("does_not_exist", "incorrect_type")
# DRF's own wording of those codes (PrimaryKeyRelatedField), the only messages rewritten.
DRF_RAW_PREFIXES = ("Invalid pk", "Incorrect type")


def _related_model(view, name: str):
    """The model a writable related field of the view's serializer points to, or None. Only
    for DRF's own writes: a workflow step (`merge/`) reads its own input serializer, whose
    field of the same name may point elsewhere."""
    if view is None or getattr(view, "action", None) not in ("create", "update", "partial_update"):
        return None
    try:
        field = view.get_serializer().fields.get(name)
    except Exception:  # naming the model is a nicety: the sentence stands without it
        return None
    relation = getattr(field, "child_relation", field)
    queryset = getattr(relation, "queryset", None)
    return queryset.model if queryset is not None else None


# Models whose own name is not what a person calls them.
NOUNS = {"core.membership": "member", "core.orgunit": "unit"}


def _noun(model) -> str:
    if model is None:
        return "record"
    return NOUNS.get(model._meta.label_lower, str(model._meta.verbose_name))


def _plain_related_id_errors(data, view):
    """Every related id that is not one of this organisation's records (another organisation's
    included: its querysets are scoped) said in a sentence, "No interested party 11 in this
    organisation.", for every serializer's fields, instead of DRF's raw `Invalid pk`."""
    if not isinstance(data, dict):
        return data
    for name, errors in data.items():
        if not isinstance(errors, list):
            continue
        model = None
        for index, error in enumerate(errors):
            code = getattr(error, "code", None)
            if code not in RELATED_ID_CODES:
                continue
            if str(error).startswith(DRF_RAW_PREFIXES):
                model = model or _related_model(view, name)
                noun = _noun(model)
                if code == "does_not_exist":
                    found = UNKNOWN_ID.search(str(error))
                    value = found.group(1)[:40] if found else ""
                    text = f"No {noun} {value} in this organisation.".replace("  ", " ")
                else:
                    text = f"Give the {noun} as its id, a whole number."
                errors[index] = ErrorDetail(text, code=code)
            # A field's own sentence ("There is no member 7 in this organisation.") stays,
            # unless that member is one who left: then it says who and since when.
            left = _who_left(view, str(errors[index])) if code == "does_not_exist" else None
            if left:
                errors[index] = ErrorDetail(left, code=code)
            closed = _closed_unit(view, str(errors[index])) if code == "does_not_exist" else None
            if closed:
                errors[index] = ErrorDetail(closed, code=code)
    return data


UNKNOWN_UNIT = re.compile(r"\bno unit (\d{1,12}) in this organisation\.", re.I)


def _closed_unit(view, text: str) -> str | None:
    """ "No unit 5 …" of a unit of this organisation that is closed: says so, and since when
    (`qms.core.units.closed_unit_sentence`, the forms' sentence)."""
    from qms.core.units import closed_unit_sentence

    found = UNKNOWN_UNIT.search(text)
    organization = getattr(view, "organization", None)
    if found is None or organization is None:
        return None
    return closed_unit_sentence(organization=organization, value=found.group(1))


UNKNOWN_MEMBER = re.compile(r"\bno member (\d{1,12}) in this organisation\.", re.I)


def _who_left(view, text: str) -> str | None:
    """ "No member 17 …" of a member who was deactivated: their name and the day they left
    (`qms.core.selectors.leaver_sentence`, the forms' sentence), looked up in the request's
    organisation only, so another organisation's member stays unknown."""
    from qms.core.selectors import leaver_sentence

    found = UNKNOWN_MEMBER.search(text)
    organization = getattr(view, "organization", None)
    if found is None or organization is None:
        return None
    return leaver_sentence(organization=organization, value=found.group(1))


def exception_handler(error: Exception, context: dict) -> Response | None:
    """DRF's answers for API errors (a related id that is not the organisation's said in a
    sentence); for anything else (a database error, a bug) a JSON 500 without the exception's
    text, which may hold SQL or data. With DEBUG on, Django's debug page shows the traceback
    instead."""
    response = drf_exception_handler(error, context)
    if response is not None and isinstance(error, exceptions.ValidationError):
        response.data = _plain_related_id_errors(response.data, context.get("view"))
    if response is not None or settings.DEBUG:
        return response
    request = context.get("request")
    log.error(
        "API error on %s %s",
        getattr(request, "method", "?"),
        getattr(request, "path", "?"),
        exc_info=error,
    )
    set_rollback()
    return Response({"detail": SERVER_ERROR}, status=status.HTTP_500_INTERNAL_SERVER_ERROR)
