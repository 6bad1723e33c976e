"""Telling one member something at once (in the app now, by e-mail after the commit)."""

from __future__ import annotations

from django.utils import timezone

from qms.core.notifications.registry import NotificationSpec
from qms.core.notifications.services import notifications_create
from qms.core.outbox import enqueue


def notify(spec: NotificationSpec) -> None:
    organization = spec.recipient.organization
    notifications_create(organization=organization, specs=[spec], today=timezone.localdate())
    from leadership.engagement.tasks import deliver_notifications

    organization_id = organization.pk
    enqueue(deliver_notifications, organization_id)
