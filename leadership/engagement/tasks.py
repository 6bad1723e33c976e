"""Celery tasks of engagement: thin and idempotent (see the services they call)."""

from __future__ import annotations

from celery import shared_task

from qms.core.notifications.tasks import RETRY


@shared_task(name="engagement.open_survey_rounds", **RETRY)
def open_survey_rounds() -> int:
    """Open each organisation's pulse survey round when it is due (at most one open at once)."""
    from leadership.engagement.services.surveys import survey_rounds_open_due

    return survey_rounds_open_due()


@shared_task(name="engagement.count_survey_rounds", **RETRY)
def count_survey_rounds() -> int:
    """Count each pulse survey round that has closed, once: its results are frozen and its
    sealed answers deleted."""
    from leadership.engagement.services.surveys import survey_rounds_count_closed

    return survey_rounds_count_closed()


@shared_task(name="engagement.detect_milestones", **RETRY)
def detect_milestones() -> int:
    """Propose new milestones to the accountable executives (each once)."""
    from leadership.engagement.milestones import milestones_detect_all

    return milestones_detect_all()


@shared_task(name="engagement.deliver_notifications", **RETRY)
def deliver_notifications(organization_id: int) -> int:
    """E-mail an organisation's waiting notifications (a suggestion's outcome, a milestone)."""
    from qms.core.models import Organization
    from qms.core.notifications.services import notifications_deliver

    organization = Organization.objects.filter(pk=organization_id).first()
    if organization is None:
        return 0
    return notifications_deliver(organization=organization)[0]
