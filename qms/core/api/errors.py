"""How services' refusals become API answers: 403 for a role or person not allowed, 409 for a
workflow step not allowed from the record's current state, 400 for invalid data."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions, serializers, status

from qms.core.immutable import NotAllowed, TransitionError

T = TypeVar("T")


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
