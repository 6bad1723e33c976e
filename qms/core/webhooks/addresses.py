"""Where a webhook may point: http(s) only, and not at private, loopback or link-local
addresses (a webhook must not become a way to reach the servers behind our firewall), unless
WEBHOOK_ALLOW_PRIVATE_ADDRESSES is on (tests; an on-premises receiver).

`resolve` answers the one address that was checked; delivery connects to exactly that address
(see `transport`), so a name that answers a public address to the check and 127.0.0.1 to the
connection (DNS rebinding) cannot steer a delivery inside."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# IPv6 ranges that carry an IPv4 address in their last 32 bits and reach it: NAT64's
# well-known prefix, and the deprecated IPv4-compatible form. Python's `is_global` judges them
# by the IPv6 range alone, so 64:ff9b::7f00:1 (127.0.0.1 through NAT64) would count as global.
_IPV4_IN_LAST_32_BITS = (
    ipaddress.IPv6Network("64:ff9b::/96"),
    ipaddress.IPv6Network("::/96"),
)
# Local-use NAT64 (RFC 8215) translates into the operator's own network: never the internet.
_LOCAL_NAT64 = ipaddress.IPv6Network("64:ff9b:1::/48")


class AddressRefused(ValueError):
    """The message is a sentence for the admin."""


@dataclass(frozen=True)
class Destination:
    """A checked webhook address: the host name as written (for TLS and the Host header) and
    the IP address the check approved (the only one a delivery connects to)."""

    scheme: str
    hostname: str
    port: int
    address: str
    target: str  # path and query, as sent in the request line

    @property
    def host_header(self) -> str:
        host = f"[{self.hostname}]" if ":" in self.hostname else self.hostname
        default = 443 if self.scheme == "https" else 80
        return host if self.port == default else f"{host}:{self.port}"


def _parse(url: str):
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise AddressRefused("Use an http:// or https:// address.")
    if not parts.hostname:
        raise AddressRefused("The address has no host name.")
    if parts.username or parts.password:
        raise AddressRefused("Put no user name or password in the address; use the secret.")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as error:
        raise AddressRefused("The port in the address is not a number from 1 to 65535.") from error
    return parts, port


def _embedded(address: IPAddress) -> Iterator[IPAddress]:
    """The address itself and every IPv4 address it carries (mapped, 6to4, Teredo, NAT64),
    each of which is where the packets may end up."""
    yield address
    if not isinstance(address, ipaddress.IPv6Address):
        return
    if address.ipv4_mapped:
        yield address.ipv4_mapped
    if address.sixtofour:
        yield address.sixtofour
    if address.teredo:
        yield from address.teredo
    if any(address in network for network in _IPV4_IN_LAST_32_BITS):
        yield ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)


def _is_public(address: IPAddress) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address in _LOCAL_NAT64:
        return False
    return all(a.is_global and not a.is_multicast for a in _embedded(address))


def resolve(url: str) -> Destination:
    """Check `url` and answer where to connect: every address the name resolves to must be
    on the internet (unless private addresses are allowed); the first one is the one used."""
    parts, port = _parse(url)
    hostname = parts.hostname
    try:
        infos = socket.getaddrinfo(hostname, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise AddressRefused(f"The host {hostname} cannot be found.") from error
    if not infos:
        raise AddressRefused(f"The host {hostname} cannot be found.")
    for *_, sockaddr in infos:
        address = ipaddress.ip_address(sockaddr[0].split("%")[0])
        if not settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES and not _is_public(address):
            raise AddressRefused(
                f"{hostname} is a private, loopback or reserved address ({address}): "
                "webhooks go to addresses on the internet."
            )
    target = parts.path or "/"
    if parts.query:
        target += f"?{parts.query}"
    return Destination(
        scheme=parts.scheme, hostname=hostname, port=port, address=infos[0][4][0], target=target
    )


def check_url(url: str) -> None:
    """Refuse an address a webhook may not have (when it is registered or changed)."""
    if settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES:
        _parse(url)  # any host will do; it is looked up again at each delivery
        return
    resolve(url)
