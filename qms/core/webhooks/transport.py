"""One HTTP POST to a checked webhook address, connecting to the IP address the check approved
and to nothing else: no second name lookup, no redirect, no proxy, no retry of its own.

TLS still verifies the certificate against the host name in the webhook's address, and sends
that name (SNI, Host header), so a receiver behind a shared IP or a CDN answers as usual."""

from __future__ import annotations

import os

import certifi
import urllib3

from qms.core.webhooks.addresses import Destination

# What a failed connection raises (urllib3 wraps socket errors; OSError for anything it does not).
TRANSPORT_ERRORS = (urllib3.exceptions.HTTPError, OSError)


def _ca_certs() -> str:
    # The bundle `requests` used before (REQUESTS_CA_BUNDLE lets an on-premises receiver with
    # a company CA keep working), else certifi's.
    return os.environ.get("REQUESTS_CA_BUNDLE") or certifi.where()


def post(destination: Destination, *, body: bytes, headers: dict[str, str], timeout: float) -> int:
    """Send `body` to `destination` and answer the response's status code; raises
    one of `TRANSPORT_ERRORS` when no answer came (refused, timed out, TLS failed)."""
    options = {"port": destination.port, "timeout": timeout, "retries": False, "maxsize": 1}
    pool: urllib3.HTTPConnectionPool
    if destination.scheme == "https":
        pool = urllib3.HTTPSConnectionPool(
            destination.address,
            server_hostname=destination.hostname,  # SNI
            assert_hostname=destination.hostname,  # the certificate must name the host
            cert_reqs="CERT_REQUIRED",
            ca_certs=_ca_certs(),
            **options,
        )
    else:
        pool = urllib3.HTTPConnectionPool(destination.address, **options)
    with pool:
        response = pool.urlopen(
            "POST",
            destination.target,
            body=body,
            headers={**headers, "Host": destination.host_header},
            redirect=False,
            assert_same_host=False,
            preload_content=False,  # the status is all we need: a huge body is never read
        )
    return response.status
