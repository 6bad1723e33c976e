"""Celery tasks of notifications: thin and idempotent (running one twice, or two at once,
creates and e-mails each notification once). Transient failures (database, mail server or
network) retry the whole task with exponential backoff; a single recipient's failed e-mail is
kept on its notification and retried on the next run instead."""

from __future__ import annotations

import datetime
import smtplib

from celery import shared_task
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from qms.core.notifications import services

TRANSIENT_ERRORS = (
    OperationalError,
    InterfaceError,
    ConnectionError,
    TimeoutError,
    smtplib.SMTPException,
)
RETRY = {
    "autoretry_for": TRANSIENT_ERRORS,
    "retry_backoff": True,
    "retry_backoff_max": 15 * 60,
    "retry_jitter": True,
    "max_retries": 5,
}


def _day(today: str | None) -> datetime.date:
    return datetime.date.fromisoformat(today) if today else timezone.localdate()


@shared_task(name="notifications.run_reminders", **RETRY)
def run_reminders(today: str | None = None) -> dict:
    """Run every reminder and escalation rule for every active organisation."""
    return services.reminders_run(today=_day(today)).as_dict()


@shared_task(name="notifications.weekly_digest", **RETRY)
def weekly_digest(today: str | None = None) -> dict:
    """This week's digest for every executive (once per ISO week)."""
    return services.digest_run(today=_day(today)).as_dict()


@shared_task(name="notifications.deliver", **RETRY)
def deliver_notifications(organization_id: int) -> int:
    """E-mail an organisation's waiting notifications now (a decision waiting for someone)."""
    from qms.core.models import Organization

    organization = Organization.objects.filter(pk=organization_id, is_active=True).first()
    if organization is None:
        return 0
    return services.notifications_deliver(organization=organization)[0]
