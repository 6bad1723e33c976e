"""Where a webhook may point: http(s) only, and not at private, loopback or link-local
addresses (a webhook must not become a way to reach the servers behind our firewall), unless
WEBHOOK_ALLOW_PRIVATE_ADDRESSES is on (tests; an on-premises receiver)."""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings


class AddressRefused(ValueError):
    """The message is a sentence for the admin."""


def check_url(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise AddressRefused("Use an http:// or https:// address.")
    if not parts.hostname:
        raise AddressRefused("The address has no host name.")
    if parts.username or parts.password:
        raise AddressRefused("Put no user name or password in the address; use the secret.")
    if settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES:
        return
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or 443, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as error:
        raise AddressRefused(f"The host {parts.hostname} cannot be found.") from error
    for *_, sockaddr in infos:
        address = ipaddress.ip_address(sockaddr[0])
        if not address.is_global or address.is_multicast:
            raise AddressRefused(
                f"{parts.hostname} is a private, loopback or reserved address ({address}): "
                "webhooks go to addresses on the internet."
            )
