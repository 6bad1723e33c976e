"""One pack verification at a time per member.

Verifying reads every byte a pack declares (up to `verify.MAX_INFLATED_BYTES`, checked before
anything is inflated), so one upload can cost tens of seconds of a web process's CPU. A member
may run one at a time: a second upload while the first is being checked is answered at once
(429) instead of queueing another. Counted in the shared cache; while that is unreachable (its
backend then reads every key as missing), in the web process, as the token throttle does.
"""

from __future__ import annotations

import uuid
from collections import OrderedDict
from contextlib import contextmanager

from django.core.cache import cache as shared_cache
from django.core.cache.backends.locmem import LocMemCache

from qms.core.api.tokens import shared_cache_keeps_writes

# Longer than any verification takes; a slot a crashed process never gave back frees itself.
SLOT_SECONDS = 300
FALLBACK = LocMemCache("qms-verify-slots", {"MAX_ENTRIES": 10_000})
# Slots this process has given back. A give-back the cache dropped (Redis paused for a moment:
# the backend swallows the error) left the slot taken for five minutes, refusing the member's
# next upload (*found by the seventh try-out*); a slot whose holder is known here to be done is
# taken over instead.
_GIVEN_BACK: OrderedDict[str, None] = OrderedDict()
_GIVEN_BACK_KEPT = 10_000


class Busy(Exception):
    pass


@contextmanager
def verification_slot(membership_id: int):
    cache = shared_cache if shared_cache_keeps_writes() else FALLBACK
    key = f"evidence-verify-slot:{membership_id}"
    token = uuid.uuid4().hex
    if not cache.add(key, token, SLOT_SECONDS):
        holder = cache.get(key)
        if holder not in _GIVEN_BACK:
            raise Busy(
                "You are already verifying a pack: wait for its answer, then send this one. "
                "Nothing was checked."
            )
        cache.set(key, token, SLOT_SECONDS)
    try:
        yield
    finally:
        _GIVEN_BACK[token] = None
        while len(_GIVEN_BACK) > _GIVEN_BACK_KEPT:
            _GIVEN_BACK.popitem(last=False)
        cache.delete(key)
