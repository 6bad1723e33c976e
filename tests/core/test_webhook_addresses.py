"""Where a webhook delivery connects: to the address its check approved and nowhere else. A
name that answers a public address to the check and 127.0.0.1 afterwards (DNS rebinding)
never gets a delivery inside; addresses hidden in IPv6 forms are refused; TLS still checks
the certificate against the host name; redirects are not followed."""

import socket

import pytest
from django.core.exceptions import ValidationError

from qms.core.models import Membership
from qms.core.webhooks.models import DeliveryStatus, Webhook, WebhookDelivery
from qms.core.webhooks.services import emit, webhook_create
from tests.core.webhook_receiver import Receiver, tls_context

pytestmark = pytest.mark.django_db

HOST = "hooks.example.com"
PUBLIC, OTHER_PUBLIC = "93.184.215.14", "151.101.1.69"
real_getaddrinfo = socket.getaddrinfo
real_connect = socket.socket.connect


def _info(address, port):
    if ":" in address:
        return (socket.AF_INET6, socket.SOCK_STREAM, 6, "", (address, port, 0, 0))
    return (socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))


class Dns:
    """Answers `HOST` with the next of `answers` at each lookup (the last one from then on);
    other names and literal addresses as the system does."""

    def __init__(self, monkeypatch, *answers):
        self.answers = list(answers)
        self.lookups = 0
        monkeypatch.setattr(socket, "getaddrinfo", self)

    def __call__(self, host, port, *args, **kwargs):
        if host != HOST:
            return real_getaddrinfo(host, port, *args, **kwargs)
        answer = self.answers[min(self.lookups, len(self.answers) - 1)]
        self.lookups += 1
        return [_info(address, int(port)) for address in answer.split(",")]


@pytest.fixture
def connections(monkeypatch):
    """Every address a socket connects to; loopback connects for real, anything else is
    refused (the tests never reach the internet)."""
    made = []

    def connect(sock, address):
        made.append(address[0])
        if address[0] not in ("127.0.0.1", "::1", "::ffff:127.0.0.1"):
            raise ConnectionRefusedError(111, "Connection refused (test)")
        return real_connect(sock, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    return made


@pytest.fixture
def adam(cast):
    return Membership.objects.get(user=cast.adam)


def _deliver(cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        emit(cast.org_a, "policy.published", "policy-version:1", {"version": 1})
    return WebhookDelivery.objects.get()


@pytest.fixture
def loopback_receiver():
    receiver = Receiver()
    yield receiver
    receiver.server.shutdown()


@pytest.mark.parametrize("rebound_to", ["127.0.0.1", "::ffff:127.0.0.1"])
def test_a_name_rebound_to_loopback_after_the_check_gets_no_delivery_inside(
    cast, adam, settings, monkeypatch, connections, loopback_receiver, rebound_to,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    settings.WEBHOOK_MAX_ATTEMPTS = 3
    webhook = Webhook.objects.create(
        organization=cast.org_a, url=f"http://{HOST}:{loopback_receiver.port}/hook",
        events=["policy.published"],
    )  # fmt: skip
    dns = Dns(monkeypatch, PUBLIC, rebound_to)
    delivery = _deliver(cast, django_capture_on_commit_callbacks)
    assert loopback_receiver.requests == []
    # The first attempt went to the address it checked; the next ones found the name now
    # private, and refused it without connecting.
    assert connections == [PUBLIC]
    assert dns.lookups == 3
    assert delivery.status == DeliveryStatus.FAILED
    assert f"{HOST} is a private, loopback or reserved address" in delivery.error
    assert webhook.url == f"http://{HOST}:{loopback_receiver.port}/hook"


def test_each_retry_connects_to_the_address_its_own_check_approved(
    cast, adam, settings, monkeypatch, connections, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_MAX_ATTEMPTS = 3
    Webhook.objects.create(organization=cast.org_a, url=f"https://{HOST}/hook",
                           events=["policy.published"])  # fmt: skip
    Dns(monkeypatch, PUBLIC, OTHER_PUBLIC, f"{PUBLIC},10.0.0.7")
    delivery = _deliver(cast, django_capture_on_commit_callbacks)
    assert connections == [PUBLIC, OTHER_PUBLIC]  # the third lookup also named a private one
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.FAILED, 3)


@pytest.mark.parametrize(
    "answer",
    ["127.0.0.1", "::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1", "::ffff:169.254.169.254",
     "64:ff9b::7f00:1", "64:ff9b::a9fe:a9fe", "64:ff9b:1::a00:1", "2002:7f00:1::1",
     "::127.0.0.1", "fe80::1", "fd00::1", "::", "100.64.0.1", "ff02::1", f"{PUBLIC},::1",
     "0.0.0.0"],  # noqa: S104 (an answer to refuse, not an address to bind)
)  # fmt: skip
def test_a_name_answering_a_loopback_private_or_embedded_private_address_is_refused(
    cast, adam, settings, monkeypatch, answer
):
    Dns(monkeypatch, answer)
    with pytest.raises(ValidationError) as error:
        webhook_create(membership=adam, url=f"https://{HOST}/hook", events=["policy.published"])
    assert "private, loopback or reserved" in error.value.message_dict["url"][0]
    assert not Webhook.objects.exists()


@pytest.mark.parametrize(
    "url",
    ["http://[::ffff:127.0.0.1]/x", "http://[::ffff:7f00:1]:8000/x", "http://[64:ff9b::a9fe:a9fe]/",
     "http://[2002:a00:1::]/x", "http://[fe80::1%25eth0]/x", "http://0x7f000001/x",
     "http://2130706433/x"],
)  # fmt: skip
def test_a_literal_ipv6_or_numeric_loopback_address_is_refused(cast, adam, url):
    with pytest.raises(ValidationError) as error:
        webhook_create(membership=adam, url=url, events=["policy.published"])
    assert "url" in error.value.message_dict
    assert not Webhook.objects.exists()


@pytest.mark.parametrize(
    "answer", [PUBLIC, "2606:2800:21f:cb07:6820:80da:af6b:8b2c", "::ffff:93.184.215.14",
               "64:ff9b::5db8:d70e"],
)  # fmt: skip
def test_a_name_answering_public_addresses_is_accepted(cast, adam, monkeypatch, answer):
    Dns(monkeypatch, answer)
    webhook_create(membership=adam, url=f"https://{HOST}/hook", events=["policy.published"])
    assert Webhook.objects.count() == 1


def test_a_malformed_port_is_refused_with_a_sentence(cast, adam):
    with pytest.raises(ValidationError) as error:
        webhook_create(membership=adam, url="https://example.com:99999/x",
                       events=["policy.published"])  # fmt: skip
    assert "port" in error.value.message_dict["url"][0]


def test_the_pinned_delivery_still_names_the_host_and_keeps_the_path(
    cast, adam, settings, monkeypatch, loopback_receiver, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True  # the receiver is on loopback
    Dns(monkeypatch, "127.0.0.1")
    url = f"http://{HOST}:{loopback_receiver.port}/hook?team=quality"
    webhook_create(membership=adam, url=url, events=["policy.published"])
    delivery = _deliver(cast, django_capture_on_commit_callbacks)
    assert delivery.status == DeliveryStatus.SUCCEEDED
    ((headers, _body),) = loopback_receiver.requests
    assert headers["Host"] == f"{HOST}:{loopback_receiver.port}"
    assert loopback_receiver.paths == ["/hook?team=quality"]


@pytest.fixture
def tls(tmp_path, settings, monkeypatch):
    """make(certificate_host): an HTTPS receiver on loopback whose certificate names
    `certificate_host`; its CA is trusted through REQUESTS_CA_BUNDLE."""
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True
    receivers = []

    def make(certificate_host):
        context, ca_file = tls_context(tmp_path, certificate_host)
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(ca_file))
        receivers.append(Receiver(tls=context))
        return receivers[-1]

    yield make
    for receiver in receivers:
        receiver.server.shutdown()


def test_tls_to_the_pinned_address_verifies_the_certificate_for_the_host_name(
    cast, adam, monkeypatch, tls, django_capture_on_commit_callbacks
):
    receiver = tls(HOST)
    Dns(monkeypatch, "127.0.0.1")
    webhook_create(membership=adam, url=f"https://{HOST}:{receiver.port}/hook",
                   events=["policy.published"])  # fmt: skip
    delivery = _deliver(cast, django_capture_on_commit_callbacks)
    assert (delivery.status, delivery.response_code) == (DeliveryStatus.SUCCEEDED, 200)
    assert receiver.server_names == [HOST]  # SNI names the host, not the address
    assert receiver.requests[0][0]["Host"] == f"{HOST}:{receiver.port}"


def test_a_certificate_for_another_name_fails_the_delivery(
    cast, adam, monkeypatch, settings, tls, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_MAX_ATTEMPTS = 1
    receiver = tls("elsewhere.example.org")
    Dns(monkeypatch, "127.0.0.1")
    webhook_create(membership=adam, url=f"https://{HOST}:{receiver.port}/hook",
                   events=["policy.published"])  # fmt: skip
    delivery = _deliver(cast, django_capture_on_commit_callbacks)
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.error.startswith("Could not deliver")
    assert receiver.requests == []


def test_a_certificate_from_an_unknown_authority_fails_the_delivery(
    cast, adam, monkeypatch, settings, tls, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_MAX_ATTEMPTS = 1
    receiver = tls(HOST)
    monkeypatch.delenv("REQUESTS_CA_BUNDLE")
    Dns(monkeypatch, "127.0.0.1")
    webhook_create(membership=adam, url=f"https://{HOST}:{receiver.port}/hook",
                   events=["policy.published"])  # fmt: skip
    delivery = _deliver(cast, django_capture_on_commit_callbacks)
    assert delivery.status == DeliveryStatus.FAILED
    assert receiver.requests == []


def test_a_redirect_is_not_followed(
    cast, adam, settings, loopback_receiver, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True
    settings.WEBHOOK_MAX_ATTEMPTS = 1
    redirecting = Receiver(status=307, headers={"Location": loopback_receiver.url})
    webhook_create(membership=adam, url=redirecting.url, events=["policy.published"])
    delivery = _deliver(cast, django_capture_on_commit_callbacks)
    redirecting.server.shutdown()
    assert len(redirecting.requests) == 1
    assert loopback_receiver.requests == []
    assert (delivery.status, delivery.response_code) == (DeliveryStatus.FAILED, 307)
    assert delivery.error == "The endpoint answered 307."
