"""Background tasks of the core: thin, idempotent, calling services."""

import socket

from celery import shared_task
from django.db.models import F
from django.utils import timezone

from qms.core.models import WorkerHeartbeat


@shared_task(name="core.heartbeat", ignore_result=False)
def heartbeat(source: str = WorkerHeartbeat.Source.BEAT) -> str:
    """Record that the worker ran a task queued by `source`; the status page reads it."""

    now = timezone.now()
    updated = WorkerHeartbeat.objects.filter(source=source).update(
        ran_at=now, hostname=socket.gethostname(), runs=F("runs") + 1
    )
    if not updated:
        WorkerHeartbeat.objects.get_or_create(
            source=source, defaults={"ran_at": now, "hostname": socket.gethostname(), "runs": 1}
        )
    return now.isoformat()


@shared_task(name="core.drain_outbox")
def drain_outbox() -> int:
    """Every minute: queue the tasks that saves left in the outbox while the broker was down."""
    from qms.core.outbox import outbox_drain

    return outbox_drain()
