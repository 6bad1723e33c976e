"""The address a request comes from, for throttles and lockouts: the connection's address, or,
behind TRUSTED_PROXY_COUNT reverse proxies, the address the outermost of them saw. An
X-Forwarded-For header from anywhere else is ignored: anyone can write one."""

from __future__ import annotations

import ipaddress

from django.http import HttpRequest
from rest_framework.throttling import BaseThrottle


def client_address(request: HttpRequest) -> str:
    # DRF's rule (NUM_PROXIES = TRUSTED_PROXY_COUNT), so that the API token throttle and the
    # login lockout (django-axes) agree on who the client is.
    address = BaseThrottle().get_ident(request)
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        # Not an address (more proxies configured than there are, and the client wrote the
        # rest): the connection's address is the one thing we know.
        return request.META.get("REMOTE_ADDR") or ""
