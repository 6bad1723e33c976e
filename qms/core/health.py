"""Is background work flowing? The broker check behind /healthz and the "background work is
delayed" notice, and the Celery task class that keeps a request alive when the broker is down.

Pages queue tasks after their transaction commits. With the broker (Redis) unreachable, Celery
would raise from that callback and turn a saved change into an error page; instead the record
stays saved (queued), the failure is logged, and every page tells members that background work
is delayed until the broker answers again.
"""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path

from celery import Task
from django.conf import settings
from django.db import connection
from django.http import HttpResponse
from kombu.exceptions import OperationalError

log = logging.getLogger(__name__)

# (monotonic time of the check, broker reachable): one answer per process for
# QMS_BROKER_CHECK_SECONDS, so a page costs no connection. Not in the cache: that is Redis too.
_last_check: tuple[float, bool] | None = None

DELAYED_NOTICE = (
    "Background work is delayed: the task queue cannot be reached. What you save is kept, but "
    "evidence packs, imports, recalculated statuses and e-mails wait. If one you asked for has "
    "not started once this notice is gone, ask for it again."
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


class QueueTask(Task):
    """The project's Celery task class (qms/celery.py): queueing a task with the broker down
    logs the failure and returns None instead of raising, so the request that saved the record
    answers normally; the notice then tells the user the work is delayed."""

    def apply_async(self, *args, **kwargs):
        try:
            return super().apply_async(*args, **kwargs)
        except OperationalError:
            log.exception("Could not queue %s: the task broker cannot be reached", self.name)
            mark_broker_unreachable()
            return None
