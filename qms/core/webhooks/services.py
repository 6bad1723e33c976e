"""Webhooks: admins register endpoints; the apps `emit` events; Celery delivers them, signed,
with retries and back-off; an endpoint failing delivery after delivery is disabled and the
organisation's admins are told."""

from __future__ import annotations

import json
import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from qms.core.immutable import NotAllowed
from qms.core.models import Membership, Organization
from qms.core.outbox import enqueue
from qms.core.roles import Role
from qms.core.webhooks import signing, transport
from qms.core.webhooks.addresses import AddressRefused, check_url, resolve
from qms.core.webhooks.models import EVENTS, DeliveryStatus, Webhook, WebhookDelivery

log = logging.getLogger(__name__)
DISABLED_KIND = "webhook_disabled"


def _check_admin(membership: Membership) -> None:
    if membership.role != Role.ADMIN:
        raise NotAllowed("Only administrators manage webhooks.")


def _check(url: str, events: list[str]) -> None:
    errors = {}
    try:
        check_url(url)
    except AddressRefused as refused:
        errors["url"] = str(refused)
    unknown = [e for e in events if e not in EVENTS]
    if unknown or not events:
        errors["events"] = "Choose at least one event from the list."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def webhook_create(
    *, membership: Membership, url: str, events: list[str], description: str = ""
) -> Webhook:
    _check_admin(membership)
    _check(url, events)
    webhook = Webhook(
        organization=membership.organization, url=url, events=sorted(set(events)),
        description=description.strip()[:200],
    )  # fmt: skip
    webhook._history_user = membership.user
    webhook.full_clean()
    webhook.save()
    return webhook


@transaction.atomic
def webhook_update(
    *, webhook: Webhook, membership: Membership, url: str, events: list[str],
    description: str = "", is_active: bool = True,
) -> Webhook:  # fmt: skip
    _check_admin(membership)
    _check(url, events)
    webhook.url, webhook.events = url, sorted(set(events))
    webhook.description = description.strip()[:200]
    if is_active and not webhook.is_active:  # re-enabled by an admin: start afresh
        webhook.consecutive_failures, webhook.disabled_reason = 0, ""
    webhook.is_active = is_active
    webhook._history_user = membership.user
    webhook.full_clean()
    webhook.save()
    return webhook


def webhook_delete(*, webhook: Webhook, membership: Membership) -> None:
    _check_admin(membership)
    webhook._history_user = membership.user
    webhook.delete()


def webhook_new_secret(*, webhook: Webhook, membership: Membership) -> Webhook:
    from qms.core.webhooks.models import new_secret

    _check_admin(membership)
    webhook.secret = new_secret()
    webhook.save(update_fields=["secret", "updated_at"])
    return webhook


# --- emitting -----------------------------------------------------------------------------------


def subscribed_organizations(event: str) -> set[int]:
    """Organisations with an active endpoint for `event`: lets a caller with many events skip
    building payloads nobody receives. (Few endpoints exist; their event lists are read here
    rather than with a JSON lookup that SQLite and PostgreSQL spell differently.)"""
    endpoints = Webhook.objects.filter(is_active=True).values_list("organization_id", "events")
    return {org for org, events in endpoints if event in events}


def emit(organization: Organization | int, event: str, key: str, data: dict) -> int:
    """Queue `event` about `key` (e.g. "review:12") to every active endpoint of the
    organisation subscribed to it, once per endpoint (a second emit of the same key is
    ignored). Delivery starts after the current transaction commits. Returns deliveries made."""
    if event not in EVENTS:
        raise ValueError(f"Unknown webhook event {event!r}.")
    organization_id = getattr(organization, "pk", organization)
    made = 0
    for webhook in Webhook.objects.filter(organization_id=organization_id, is_active=True):
        if event not in webhook.events:
            continue
        delivery = WebhookDelivery(
            organization_id=organization_id, webhook=webhook, event=event, dedupe_key=key,
            payload={},
        )  # fmt: skip
        delivery.payload = {
            "id": str(delivery.uuid),
            "event": event,
            "created_at": timezone.now().strftime("%Y-%m-%dT%H:%M:%SZ"),
            "organization": webhook.organization.slug,
            "data": data,
        }
        try:
            with transaction.atomic():
                delivery.save()
        except IntegrityError:
            continue  # already emitted
        made += 1
        from qms.core.webhooks.tasks import deliver

        enqueue(deliver, delivery.pk)
    return made


# --- delivering ---------------------------------------------------------------------------------


def backoff_seconds(attempt: int) -> int:
    """30 s, 2 min, 8 min, 32 min... after the first, second, third failure."""
    return 30 * 4 ** (attempt - 1)


def delivery_attempt(delivery: WebhookDelivery) -> bool | None:
    """One attempt. True: delivered; False: failed for good; None: failed, try again later.
    Each attempt looks the name up and checks it again (it may now point elsewhere), then
    connects to exactly the address it checked."""
    webhook = delivery.webhook
    if delivery.status != DeliveryStatus.PENDING or not webhook.is_active:
        return delivery.status == DeliveryStatus.SUCCEEDED
    body = json.dumps(delivery.payload, sort_keys=True).encode()
    delivery.attempts += 1
    delivery.last_attempt_at = timezone.now()
    code, error = None, ""
    try:
        destination = resolve(webhook.url)
        code = transport.post(
            destination,
            body=body,
            headers={
                "Content-Type": "application/json",
                "User-Agent": "QMS-leadership-dashboard-webhooks/1",
                "X-QMS-Event": delivery.event,
                "X-QMS-Delivery": str(delivery.uuid),
                "X-QMS-Signature": signing.sign(webhook.secret, body),
            },
            timeout=settings.WEBHOOK_TIMEOUT_SECONDS,
        )
        if not 200 <= code < 300:  # a redirect too: it is not followed
            error = f"The endpoint answered {code}."
    except AddressRefused as refused:
        error = str(refused)
    except transport.TRANSPORT_ERRORS as failure:
        error = f"Could not deliver: {type(failure).__name__}."
    delivery.response_code = code
    delivery.error = error[:300]
    if not error:
        delivery.status = DeliveryStatus.SUCCEEDED
        delivery.save()
        Webhook.objects.filter(pk=webhook.pk).update(consecutive_failures=0)
        return True
    if delivery.attempts < settings.WEBHOOK_MAX_ATTEMPTS:
        delivery.save()
        return None
    delivery.status = DeliveryStatus.FAILED
    delivery.save()
    _count_failure(webhook)
    return False


def _count_failure(webhook: Webhook) -> None:
    webhook.refresh_from_db()
    webhook.consecutive_failures += 1
    if webhook.consecutive_failures < settings.WEBHOOK_DISABLE_AFTER:
        webhook.save(update_fields=["consecutive_failures"])
        return
    webhook.is_active = False
    webhook.disabled_reason = (
        f"Disabled on {timezone.localdate():%-d %b %Y} after {webhook.consecutive_failures} "
        "deliveries failed in a row. Check the endpoint, then enable it again."
    )
    webhook.save(update_fields=["consecutive_failures", "is_active", "disabled_reason"])
    _tell_admins(webhook)


def _tell_admins(webhook: Webhook) -> None:
    from django.urls import reverse

    from qms.core.notifications.registry import NotificationSpec
    from qms.core.notifications.services import notifications_create

    admins = (
        Membership.objects.for_organization(webhook.organization).active().with_role(Role.ADMIN)
    )
    notifications_create(
        organization=webhook.organization,
        specs=[
            NotificationSpec(
                recipient=admin,
                kind=DISABLED_KIND,
                subject=webhook,
                occasion=f"disabled-{timezone.now():%Y%m%d%H%M%S}",
                title=f"{webhook.url} was disabled after repeated failures",
                body=webhook.disabled_reason,
                url=reverse("core:webhooks", args=[webhook.organization.slug]),
            )
            for admin in admins
        ],
        today=timezone.localdate(),
    )
