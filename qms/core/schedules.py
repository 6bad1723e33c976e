"""Default beat schedules, stored in the database (django-celery-beat) so an administrator can
change them in the admin. `ensure_schedules` creates the missing ones and never overwrites an
administrator's edits."""

from django.conf import settings
from django.db import transaction
from django_celery_beat.models import IntervalSchedule, PeriodicTask


def default_schedules() -> list[dict]:
    """Each app's periodic tasks: name, task, and an interval in seconds."""
    return [
        {
            "name": "Worker heartbeat",
            "task": "core.heartbeat",
            "every_seconds": settings.QMS_HEARTBEAT_SECONDS,
            "description": "Proves that beat and the worker run; shown on the System page.",
        },
    ]


@transaction.atomic
def ensure_schedules() -> list[str]:
    """Create the default periodic tasks that do not exist yet; return the names created."""
    created = []
    for spec in default_schedules():
        if PeriodicTask.objects.filter(name=spec["name"]).exists():
            continue
        interval, _ = IntervalSchedule.objects.get_or_create(
            every=spec["every_seconds"], period=IntervalSchedule.SECONDS
        )
        PeriodicTask.objects.create(
            name=spec["name"],
            task=spec["task"],
            interval=interval,
            description=spec["description"],
        )
        created.append(spec["name"])
    return created
