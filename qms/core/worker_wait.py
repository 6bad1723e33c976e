"""What a page says of work it waits for from the background worker (an objective's status
after a value, an import, an evidence pack, the dashboard's rollups) once that work has waited
longer than a worker takes: plainly that the worker has not picked it up and since when, that
nothing is lost, and what an administrator should do. Before then the pages say "in a moment".
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.utils import timezone
from django.utils.timesince import timesince

from qms.core.selectors import worker_status

NBSP = "\xa0"  # timesince's "10\xa0minutes": a plain space reads (and searches) the same

ADMIN_ADVICE = (
    "An administrator should check the System page (its address ends in /system/), which "
    "shows when the worker last ran, and start the Celery worker with its scheduler "
    "(celery -A qms worker -B) if it is stopped."
)


def patience() -> datetime.timedelta:
    """How long work may wait for the worker before a page says it has not been picked up."""
    return datetime.timedelta(seconds=settings.QMS_WORKER_PATIENCE_SECONDS)


def when(moment: datetime.datetime, now: datetime.datetime) -> str:
    """ "14:05" today, "2 Dec 2026, 14:05" another day (local time)."""
    local, today = timezone.localtime(moment), timezone.localtime(now).date()
    return f"{local:%H:%M}" if local.date() == today else f"{local:%-d %b %Y, %H:%M}"


def waited_too_long(since: datetime.datetime | None, now: datetime.datetime | None = None) -> bool:
    now = now or timezone.now()
    return since is not None and now - since > patience()


def worker_sentence(now: datetime.datetime) -> str:
    """What the heartbeat says of the worker, as a clause: "it was last seen at 14:05"."""
    status = worker_status()
    beat = status["beat"]
    if status["healthy"]:
        return "the worker is running, so it may be busy with other work"
    if beat is not None:
        return f"the worker was last seen running at {when(beat.ran_at, now)}"
    return "the worker has not been seen running"


def not_picked_up(
    since: datetime.datetime | None,
    *,
    what: str,
    kept: str,
    now: datetime.datetime | None = None,
) -> str:
    """The notice for `what` ("the recalculation of this status"), waiting since `since`;
    `kept` says what is safe ("the value is saved"). "" while the wait is still reasonable."""
    now = now or timezone.now()
    if not waited_too_long(since, now):
        return ""
    return (
        f"The background worker has not picked up {what} since {when(since, now)} "
        f"({timesince(since, now).replace(NBSP, ' ')}); {worker_sentence(now)}. "
        f"Nothing is lost: {kept}, and the "
        f"work runs by itself once the worker is running. {ADMIN_ADVICE}"
    )
