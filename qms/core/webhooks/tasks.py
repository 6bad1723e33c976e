"""Celery task delivering one webhook: thin, calling the service; retries with back-off."""

from celery import shared_task

from qms.core.outbox import enqueue
from qms.core.webhooks import services
from qms.core.webhooks.models import WebhookDelivery


@shared_task(name="webhooks.deliver", acks_late=True)
def deliver(delivery_id: int) -> str:
    delivery = (
        WebhookDelivery.objects.select_related("webhook__organization")
        .filter(pk=delivery_id)
        .first()
    )
    if delivery is None:
        return "gone"
    result = services.delivery_attempt(delivery)
    if result is None:
        enqueue(deliver, delivery_id, countdown=services.backoff_seconds(delivery.attempts))
        return "retrying"
    return "delivered" if result else "failed"


@shared_task(name="webhooks.emit_overdue_actions")
def emit_overdue_actions() -> int:
    from qms.core.actions.webhooks import emit_overdue

    return emit_overdue()
