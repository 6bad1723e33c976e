"""Celery tasks of communication: thin and idempotent (see the services they call)."""

from __future__ import annotations

from celery import shared_task

from leadership.communication import services
from qms.core.notifications.tasks import RETRY


@shared_task(name="communication.deliver_announcement", **RETRY)
def deliver_announcement(announcement_id: int) -> int:
    """Tell an announcement's recipients in the app and by e-mail (each member once)."""
    return services.announcement_deliver(announcement_id=announcement_id)
