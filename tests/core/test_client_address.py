"""Who the client is, for the API token throttle and the sign-in lockout: the connection's
address unless TRUSTED_PROXY_COUNT proxies stand in front, so a client writing its own
X-Forwarded-For header gets no fresh allowance."""

import pytest
from django.urls import reverse

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.2"


@pytest.fixture
def behind_one_proxy(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}


def _token(api_client, forwarded_for=None, remote=PROXY):
    headers = {"REMOTE_ADDR": remote}
    if forwarded_for is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return api_client.post(
        reverse("api-token-obtain"), {"username": "quinn", "password": PASSWORD}, format="json",
        **headers,
    )  # fmt: skip


@pytest.mark.parametrize(
    "spoofed", ["198.51.100.{n}", "198.51.100.{n}, 192.0.2.1", "garbage-{n}", "{n}"]
)
def test_a_forwarded_for_header_of_its_own_does_not_evade_the_token_throttle(
    api_client, cast, spoofed
):
    answers = [_token(api_client, spoofed.format(n=n)).status_code for n in range(11)]
    assert answers == [200] * 10 + [429]
    assert _token(api_client).status_code == 429  # nor does leaving the header out


def test_by_default_a_client_connecting_from_another_address_has_its_own_allowance(
    api_client, cast
):
    for _ in range(10):
        _token(api_client, remote="192.0.2.10")
    assert _token(api_client, remote="192.0.2.10").status_code == 429
    assert _token(api_client, remote="192.0.2.11").status_code == 200


def test_behind_one_proxy_the_address_the_proxy_appended_is_the_client(
    api_client, cast, behind_one_proxy
):
    # The proxy appends the address it saw to whatever the client sent.
    answers = [_token(api_client, f"198.51.100.{n}, 203.0.113.7").status_code for n in range(11)]
    assert answers == [200] * 10 + [429]
    assert _token(api_client, "203.0.113.7").status_code == 429
    assert _token(api_client, "203.0.113.8").status_code == 200  # another client, same proxy


def test_behind_one_proxy_a_lockout_is_for_the_client_not_for_everyone_behind_the_proxy(
    client, cast, settings, behind_one_proxy
):
    attacker = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "203.0.113.66"}
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "carl", "password": "guess"}, **attacker)
    locked = client.post(reverse("login"), {"username": "carl", "password": PASSWORD}, **attacker)
    assert locked.status_code == 429
    colleague = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "203.0.113.5"}
    signed_in = client.post(
        reverse("login"), {"username": "carl", "password": PASSWORD}, **colleague
    )
    assert signed_in.status_code == 302


def test_by_default_a_new_forwarded_for_header_does_not_lift_a_lockout(client, cast, settings):
    for n in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            reverse("login"), {"username": "carl", "password": "guess"},
            REMOTE_ADDR="192.0.2.10", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}",
        )  # fmt: skip
    again = client.post(
        reverse("login"), {"username": "carl", "password": PASSWORD},
        REMOTE_ADDR="192.0.2.10", HTTP_X_FORWARDED_FOR="198.51.100.99",
    )  # fmt: skip
    assert again.status_code == 429


def test_a_forwarded_for_that_is_not_an_address_falls_back_to_the_connection(
    client, cast, settings, behind_one_proxy
):
    # More proxies configured than there are: the client's own text would be "the address".
    for n in range(settings.AXES_FAILURE_LIMIT):
        response = client.post(
            reverse("login"), {"username": "carl", "password": "guess"},
            REMOTE_ADDR="192.0.2.10", HTTP_X_FORWARDED_FOR=f"not-an-address-{n}",
        )  # fmt: skip
        assert response.status_code in (200, 429)  # refused, never a server error
    again = client.post(
        reverse("login"), {"username": "carl", "password": PASSWORD},
        REMOTE_ADDR="192.0.2.10", HTTP_X_FORWARDED_FOR="still-not-one",
    )  # fmt: skip
    assert again.status_code == 429
