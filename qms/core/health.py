"""Is background work flowing? The broker check behind /healthz and the "background work is
delayed" notice.

Saves queue their tasks through the outbox (qms.core.outbox): with the broker (Redis)
unreachable, the record stays saved, its tasks wait in the outbox, and every page tells members
that background work is delayed until the broker answers again.
"""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.http import HttpResponse

log = logging.getLogger(__name__)

# (monotonic time of the check, broker reachable): one answer per process for
# QMS_BROKER_CHECK_SECONDS, so a page costs no connection. Not in the cache: that is Redis too.
_last_check: tuple[float, bool] | None = None

DELAYED_NOTICE = (
    "Background work is delayed: the task queue cannot be reached. What you save is kept; "
    "evidence packs, imports, recalculated statuses and e-mails wait and start on their own "
    "once the queue answers again."
)


def _check_broker() -> bool:
    from qms.celery import app

    url = app.conf.broker_url or ""
    if url.startswith("filesystem://"):
        # The embedded broker is a folder: reachable when the web server can write to it.
        folder = Path(app.conf.broker_transport_options.get("data_folder_in", ""))
        return folder.is_dir() and os.access(folder, os.W_OK)
    try:
        with app.connection_for_write() as connection:
            connection.ensure_connection(max_retries=1, timeout=1)
    except Exception:  # any failure to connect means the same thing to the user
        log.warning("The task broker cannot be reached", exc_info=True)
        return False
    return True


def broker_reachable(*, fresh: bool = False) -> bool:
    """Whether tasks can be queued now (tests run tasks inline: always). Cached for a few
    seconds per process unless `fresh`."""
    global _last_check
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return True
    now = time.monotonic()
    if not fresh and _last_check and now - _last_check[0] < settings.QMS_BROKER_CHECK_SECONDS:
        return _last_check[1]
    _last_check = (now, _check_broker())
    return _last_check[1]


def broker_known_down() -> bool:
    """Whether a check or a failed send in the last few seconds found the broker down (never
    connects: for callers that must not wait)."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return False
    return bool(
        _last_check
        and not _last_check[1]
        and time.monotonic() - _last_check[0] < settings.QMS_BROKER_CHECK_SECONDS
    )


def mark_broker_unreachable() -> None:
    global _last_check
    _last_check = (time.monotonic(), False)


def forget_broker_check() -> None:
    global _last_check
    _last_check = None


def health_response() -> HttpResponse:
    """Liveness: the process answers and the database too (else an error, 500). The broker's
    state is reported on a second line but does not fail the check: pages still work without
    it, and restarting the web server would not bring it back."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    broker = "ok" if broker_reachable() else "unreachable"
    return HttpResponse(f"ok\nbroker: {broker}\n", content_type="text/plain")


class HealthCheckMiddleware:
    """Answers /healthz first of all. Container probes and load balancers call it by address
    over plain HTTP: with DEBUG off the host check (ALLOWED_HOSTS) would refuse them with 400
    and the HTTPS redirect would send them to a port with no TLS."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info == "/healthz" and request.method in ("GET", "HEAD"):
            return health_response()
        return self.get_response(request)


def background_work(request) -> dict:
    """Template context: the delayed-work notice for members of an organisation (every role
    queues something: values recalculate rollups, auditors request evidence packs)."""
    if getattr(request, "membership", None) is None:
        return {"background_work_delayed": None}
    return {"background_work_delayed": None if broker_reachable() else DELAYED_NOTICE}
