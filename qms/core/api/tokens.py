"""Exchange a username and password for an API token (throttled, and locked out by axes like
the login page after repeated failures)."""

import secrets

from django.core.cache import cache as shared_cache
from django.core.cache.backends.locmem import LocMemCache
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.throttling import AnonRateThrottle

from qms.core.api.schema import ErrorDocumentingAutoSchema
from qms.core.client_address import client_address

# Where the counts go while the shared cache does not keep what is written to it. With Redis
# configured, the cache is django-redis with IGNORE_EXCEPTIONS (pages must render with Redis
# down), so a dead Redis reads as an empty cache and the throttle, counting there, never bit.
# A counter in this process keeps the limit holding: per web process, so behind N processes a
# client gets at most N times the rate, still bounded. Chosen over refusing tokens with 503
# while Redis is down (which would lock every script out for the outage, though passwords are
# checked in the database and axes, also in the database, still locks a user after repeated
# failures) and over counting in the database (a write per attempt on the hot path of a
# password-guessing attack, to hold the limit exactly during an outage).
FALLBACK_CACHE = LocMemCache("qms-token-throttle", {"MAX_ENTRIES": 10_000})


def shared_cache_keeps_writes() -> bool:
    """Whether the shared cache keeps what is written to it: False when it is unreachable and
    its backend swallows the error (a read is then always a miss)."""
    key = f"throttle-probe:{secrets.token_hex(8)}"
    value = secrets.token_hex(8)
    shared_cache.set(key, value, 5)
    kept = shared_cache.get(key) == value
    shared_cache.delete(key)
    return kept


class TokenRateThrottle(AnonRateThrottle):
    scope = "token"

    def allow_request(self, request, view) -> bool:
        self.cache = shared_cache if shared_cache_keeps_writes() else FALLBACK_CACHE
        return super().allow_request(request, view)

    def get_ident(self, request) -> str:
        return client_address(request)


class ObtainTokenView(ObtainAuthToken):
    throttle_classes = [TokenRateThrottle]
    schema = ErrorDocumentingAutoSchema()
