"""The one way a save queues background work: `enqueue(task, *args)`.

A task asked for inside a transaction is written to the outbox (`OutboxTask`) in that same
transaction and sent to the broker once the transaction commits, then its row is deleted. With
the broker (Redis) down, sending fails fast (short connection timeouts in settings), the row
stays, the save still answers with success, and the request is marked so the user is told the
work is delayed (`BackgroundWorkMiddleware`). The `core.drain_outbox` beat task queues the rows
left behind once the broker answers again: nothing a user saved waits on them to be redone.

Tasks must be idempotent (they are: a redelivery or a second queueing does no harm), since a
send that timed out may have reached the broker after all.
"""

from __future__ import annotations

import datetime
import logging
from contextvars import ContextVar
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from kombu.exceptions import OperationalError

from qms.core import health
from qms.core.models import OutboxTask

log = logging.getLogger(__name__)

# What a broker that cannot be reached raises when a task is sent: kombu's OperationalError
# from the broker connection, RuntimeError from the Redis result backend that Celery subscribes
# to before sending ("Retry limit exceeded while trying to reconnect ...").
SEND_ERRORS = (OperationalError, RuntimeError)

# A row younger than this may still be sent by its own request's commit callback.
DRAIN_GRACE = datetime.timedelta(seconds=30)
DRAIN_BATCH = 500

DELAYED_MESSAGE = (
    "Saved. The background work it starts (recalculated statuses, imports, evidence packs, "
    "e-mails) is delayed because the task queue cannot be reached; it will start on its own "
    "once the queue is back. You need not save again."
)
# The API's answer says so in this header (value "delayed").
DELAYED_HEADER = "QMS-Background-Work"


@dataclass
class _RequestWork:
    delayed: bool = False


# Set per request by BackgroundWorkMiddleware; a mutable holder, so a change made where the
# context was copied (a sync view under ASGI) is still seen by the middleware.
_request_work: ContextVar[_RequestWork | None] = ContextVar("qms_request_work", default=None)


def enqueue(task, *args, countdown: int | None = None) -> None:
    """Queue `task(*args)` once the current transaction commits (now if there is none). The
    arguments must be JSON values. Never raises for a broker that is down: the task waits in
    the outbox and the current request is told its work is delayed."""
    row = OutboxTask.objects.create(
        task_name=task.name,
        args=list(args),
        run_after=timezone.now() + datetime.timedelta(seconds=countdown) if countdown else None,
    )
    transaction.on_commit(lambda: _send_after_commit(task, row, countdown))


def _send_after_commit(task, row: OutboxTask, countdown: int | None) -> None:
    if health.broker_known_down():
        # One request may queue dozens of tasks: after one failure, the others wait in the
        # outbox instead of each spending the connection timeout again.
        _mark_delayed()
        return
    error = _send(task, row, countdown=countdown)
    if error is None:
        OutboxTask.objects.filter(pk=row.pk).delete()
        return
    OutboxTask.objects.filter(pk=row.pk).update(attempts=1, last_error=error)
    _mark_delayed()


def _registered_task(name: str):
    from qms.celery import app

    if name not in app.tasks:
        # A web process imports a task module when it first queues one of its tasks; the
        # worker and beat have them all. Load them all before calling a name unknown.
        app.loader.import_default_modules()
    return app.tasks.get(name)


def _send(task, row: OutboxTask, *, countdown: int | None = None) -> str | None:
    """Send one row's task to the broker; the error text if it could not be."""
    try:
        task.apply_async(args=row.args, countdown=countdown)
    except SEND_ERRORS as error:
        log.warning("Could not queue %s: the task broker cannot be reached (%s)", row, error)
        health.mark_broker_unreachable()
        return f"{type(error).__name__}: {error}"[:1000]
    return None


def _mark_delayed() -> None:
    work = _request_work.get()
    if work is not None:
        work.delayed = True


def outbox_drain(*, now: datetime.datetime | None = None, limit: int = DRAIN_BATCH) -> int:
    """Queue the outbox's waiting tasks, oldest first; return how many were queued. Stops at
    the first failure (the broker is still down): the rest keep their place."""
    now = now or timezone.now()
    sent = 0
    with transaction.atomic():
        # skip_locked: two drains at once (beat and a manual run) never send a row twice.
        rows = list(
            OutboxTask.objects.select_for_update(skip_locked=True)
            .filter(Q(attempts__gt=0) | Q(created_at__lt=now - DRAIN_GRACE))
            .filter(Q(run_after__isnull=True) | Q(run_after__lte=now))
            .order_by("id")[:limit]
        )
        for row in rows:
            task = _registered_task(row.task_name)
            if task is None:  # renamed or removed since: kept for support, not in the way
                OutboxTask.objects.filter(pk=row.pk).update(
                    attempts=row.attempts + 1,
                    last_error=f"No task named {row.task_name} is registered.",
                )
                continue
            error = _send(task, row)
            if error is not None:
                OutboxTask.objects.filter(pk=row.pk).update(
                    attempts=row.attempts + 1, last_error=error
                )
                break
            OutboxTask.objects.filter(pk=row.pk).delete()
            sent += 1
    if sent:
        health.forget_broker_check()
    return sent


def outbox_waiting_ids(task) -> set[int]:
    """The first arguments (a record's id) of `task`'s rows still waiting in the outbox: the
    stalled-work sweeps leave those records alone, their task is coming."""
    return {
        args[0]
        for args in OutboxTask.objects.filter(task_name=task.name).values_list("args", flat=True)
        if args
    }


class BackgroundWorkMiddleware:
    """Tells the user when the request saved something whose background work could not be
    queued: a warning message on the next page, and a header on every answer (the API's)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        work = _RequestWork()
        token = _request_work.set(work)
        try:
            response = self.get_response(request)
        finally:
            _request_work.reset(token)
        if work.delayed:
            response[DELAYED_HEADER] = "delayed"
            if not request.path_info.startswith("/api/") and hasattr(request, "_messages"):
                from django.contrib import messages

                messages.warning(request, DELAYED_MESSAGE)
        return response
