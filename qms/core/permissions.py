"""Role checks for pages. The API's equivalents live in `qms.core.api.scoping`."""

from collections.abc import Callable, Iterable
from functools import wraps

from django.core.exceptions import PermissionDenied


def role_required(roles: Iterable[str]) -> Callable:
    """Let the view run only for members holding one of `roles` in the URL's organisation.

    The middleware has already answered 404 to non-members; a member with another role gets 403.
    """
    allowed = frozenset(roles)

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            membership = getattr(request, "membership", None)
            if membership is None or membership.role not in allowed:
                raise PermissionDenied("Your role in this organisation does not allow this.")
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
