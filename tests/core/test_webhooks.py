"""Outgoing webhooks: an endpoint on 127.0.0.1 receives a signed delivery when an objective
turns red; signatures, replays, private addresses, failing endpoints, who may manage them."""

import datetime
import json
import time
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from objectives.periods import latest_due_period_end
from objectives.services import measurement_record
from qms.core.models import Membership
from qms.core.notifications.models import Notification
from qms.core.webhooks import signing
from qms.core.webhooks.models import DeliveryStatus, Webhook, WebhookDelivery
from qms.core.webhooks.services import emit, webhook_create
from tests.core.webhook_receiver import Receiver
from tests.objectives.factories import make_objective

pytestmark = pytest.mark.django_db


@pytest.fixture
def receiver(settings):
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True  # the test endpoint is on loopback
    receiver = Receiver()
    yield receiver
    receiver.server.shutdown()


@pytest.fixture
def adam(cast):
    return Membership.objects.get(user=cast.adam)


def test_an_objective_turning_red_is_delivered_signed(
    cast, adam, receiver, django_capture_on_commit_callbacks
):
    webhook = webhook_create(membership=adam, url=receiver.url,
                             events=["objective.status_changed"])  # fmt: skip
    objective = make_objective(cast, code="OBJ-01", start_date=datetime.date(2026, 1, 1))
    end = latest_due_period_end("monthly", objective.data_due_days, timezone.localdate())
    with django_capture_on_commit_callbacks(execute=True):
        measurement_record(objective=objective, period_end=end, value=Decimal("70"),
                           actor=cast.quinn)  # fmt: skip
    ((headers, body),) = receiver.requests
    payload = json.loads(body)
    assert payload["event"] == "objective.status_changed"
    assert payload["data"]["objective"] == "OBJ-01"
    assert (payload["data"]["before"], payload["data"]["after"]) == ("no_data", "red")
    assert headers["X-QMS-Event"] == "objective.status_changed"
    assert signing.verify(webhook.secret, headers["X-QMS-Signature"], body)
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.response_code, delivery.attempts) == ("succeeded", 200, 1)


def test_a_tampered_unsigned_or_replayed_delivery_fails_to_verify():
    body = b'{"event": "review.signed_off"}'
    header = signing.sign("s3cret", body)
    assert signing.verify("s3cret", header, body)
    assert not signing.verify("s3cret", header, body + b" ")
    assert not signing.verify("another", header, body)
    assert not signing.verify("s3cret", "", body)
    old = signing.sign("s3cret", body, timestamp=int(time.time()) - 3600)
    assert not signing.verify("s3cret", old, body)  # a recorded delivery sent again later


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1:8000/x", "http://localhost/x", "http://10.1.2.3/x",
     "http://169.254.169.254/latest/meta-data", "http://[::1]/x", "ftp://example.com/x",
     "http://user:pw@example.com/x"],
)  # fmt: skip
def test_private_and_non_http_addresses_are_refused(cast, adam, url, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    with pytest.raises(ValidationError) as error:
        webhook_create(membership=adam, url=url, events=["policy.published"])
    assert "url" in error.value.message_dict
    assert not Webhook.objects.exists()


def test_a_failing_endpoint_is_retried_then_disabled_and_admins_are_told(
    cast, adam, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True
    settings.WEBHOOK_MAX_ATTEMPTS = 3
    settings.WEBHOOK_DISABLE_AFTER = 2
    failing = Receiver(status=500)
    webhook = webhook_create(membership=adam, url=failing.url, events=["policy.published"])
    for n in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            emit(cast.org_a, "policy.published", f"policy-version:{n}", {"version": n})
    failing.server.shutdown()
    assert len(failing.requests) == 6  # 3 attempts for each of 2 deliveries
    assert set(WebhookDelivery.objects.values_list("status", "response_code")) == {
        (DeliveryStatus.FAILED, 500)
    }
    webhook.refresh_from_db()
    assert not webhook.is_active
    assert "2 deliveries failed in a row" in webhook.disabled_reason
    assert Notification.objects.filter(recipient=adam, kind="webhook_disabled").count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert emit(cast.org_a, "policy.published", "policy-version:9", {}) == 0


def test_an_event_about_the_same_thing_is_delivered_once(
    cast, adam, receiver, django_capture_on_commit_callbacks
):
    from qms.core.actions.models import Action
    from qms.core.actions.services import action_create
    from qms.core.actions.webhooks import emit_overdue

    webhook_create(membership=adam, url=receiver.url, events=["action.overdue"])
    quinn = Membership.objects.get(user=cast.quinn)
    action = action_create(
        organization=cast.org_a, raised_by=quinn, title="Fix the gauge", owner=quinn,
        accountable_executive=Membership.objects.get(user=cast.alice),
        due_date=timezone.localdate(),
    )  # fmt: skip
    Action.objects.filter(pk=action.pk).update(
        due_date=timezone.localdate() - datetime.timedelta(days=2)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert emit_overdue() == 1
        assert emit_overdue() == 0
    assert len(receiver.requests) == 1
    assert json.loads(receiver.requests[0][1])["data"]["days_overdue"] == 2


def test_only_admins_manage_webhooks_and_only_their_organisations(client, cast, adam, receiver):
    url = reverse("core:webhooks", args=["acme-test"])
    client.force_login(cast.quinn)
    assert client.get(url).status_code == 403
    client.force_login(cast.adam)
    bad = client.post(url, {"url": "not a url", "events": ["policy.published"]})
    assert bad.status_code == 400
    unknown = client.post(url, {"url": receiver.url, "events": ["salary.paid"]})
    assert unknown.status_code == 400
    assert not Webhook.objects.exists()
    good = client.post(url, {"url": receiver.url, "events": ["policy.published"]})
    webhook = Webhook.objects.get()
    assert good["Location"] == reverse("core:webhook", args=["acme-test", webhook.pk])
    assert webhook.secret in client.get(good["Location"]).content.decode()
    client.force_login(cast.bob)
    assert client.get(reverse("core:webhook", args=["acme-test", webhook.pk])).status_code == 404
