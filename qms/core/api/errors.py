"""How services' refusals become API answers: 403 for a role or person not allowed, 409 for a
workflow step not allowed from the record's current state, 400 for invalid data; and any
other error a generic 500 whose details go to the log, never to the caller."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions, serializers, status
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


def exception_handler(error: Exception, context: dict) -> Response | None:
    """DRF's answers for API errors; for anything else (a database error, a bug) a JSON 500
    without the exception's text, which may hold SQL or data. With DEBUG on, Django's debug
    page shows the traceback instead."""
    response = drf_exception_handler(error, context)
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
