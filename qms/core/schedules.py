"""Default beat schedules, stored in the database (django-celery-beat) so an administrator can
change them in the admin. Each app registers its own from its AppConfig.ready();
`ensure_schedules` creates the missing ones and never overwrites an administrator's edits."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask


@dataclass(frozen=True)
class DefaultSchedule:
    name: str
    task: str
    description: str
    every_seconds: int | None = None  # either an interval...
    crontab: dict | None = None  # ...or a crontab, e.g. {"minute": "15", "hour": "2"} (UTC)


_REGISTRY: list[DefaultSchedule] = []


def register_schedule(schedule: DefaultSchedule) -> None:
    if all(s.name != schedule.name for s in _REGISTRY):
        _REGISTRY.append(schedule)


def default_schedules() -> list[DefaultSchedule]:
    heartbeat = DefaultSchedule(
        name="Worker heartbeat",
        task="core.heartbeat",
        every_seconds=settings.QMS_HEARTBEAT_SECONDS,
        description="Proves that beat and the worker run; shown on the System page.",
    )
    outbox = DefaultSchedule(
        name="Task outbox",
        task="core.drain_outbox",
        every_seconds=60,
        description="Queues the background work that saves left waiting while the task queue "
        "(Redis) could not be reached.",
    )
    return [heartbeat, outbox, *_REGISTRY]


@transaction.atomic
def ensure_schedules() -> list[str]:
    """Create the default periodic tasks that do not exist yet; return the names created."""
    created = []
    for spec in default_schedules():
        if PeriodicTask.objects.filter(name=spec.name).exists():
            continue
        timing: dict = {}
        if spec.every_seconds is not None:
            timing["interval"], _ = IntervalSchedule.objects.get_or_create(
                every=spec.every_seconds, period=IntervalSchedule.SECONDS
            )
        else:
            crontab = {
                "minute": "0",
                "hour": "*",
                "day_of_week": "*",
                "day_of_month": "*",
                "month_of_year": "*",
                **(spec.crontab or {}),
            }
            timing["crontab"], _ = CrontabSchedule.objects.get_or_create(**crontab, timezone="UTC")
        PeriodicTask.objects.create(
            name=spec.name, task=spec.task, description=spec.description, **timing
        )
        created.append(spec.name)
    return created
