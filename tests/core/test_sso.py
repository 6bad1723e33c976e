"""Sign-in with a company account against a real OpenID Connect provider on 127.0.0.1: a
signed ID token, its JWKS, the userinfo endpoint; bad signature, wrong audience and expired
tokens refused; who joins which organisation."""

import datetime
import time
from urllib.parse import parse_qs, urlparse

import pytest
import requests
import time_machine
from cryptography.hazmat.primitives.asymmetric import rsa
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from qms.core.dev_oidc import DevProvider
from qms.core.models import Membership

pytestmark = pytest.mark.django_db
ACCOUNTS = [
    {"email": "nina@acme.example", "given_name": "Nina", "family_name": "Novak"},
    {"email": "alice@acme.example", "given_name": "Alice", "family_name": "Test"},
    {"email": "eve@elsewhere.example", "given_name": "Eve", "family_name": "Else"},
    {"email": "uma@acme.example", "given_name": "Uma", "family_name": "U",
     "email_verified": False},
]  # fmt: skip


@pytest.fixture
def provider(settings):
    provider = DevProvider(ACCOUNTS).start()
    for name, value in provider.settings().items():
        setattr(settings, name, value)
    settings.OIDC_ENABLED = True
    settings.OIDC_DOMAIN_ORGANIZATIONS = "acme.example=acme-test"
    settings.OIDC_DEFAULT_ROLE = ""
    settings.AUTHENTICATION_BACKENDS = [
        "axes.backends.AxesStandaloneBackend",
        "django.contrib.auth.backends.ModelBackend",
        "qms.core.sso.CompanyAccountBackend",
    ]
    yield provider
    provider.stop()


def _sign_in(client, provider, email="nina@acme.example"):
    """The whole code flow: our redirect to the provider, the account picked there, the
    provider's redirect back with a code, our callback exchanging it for a signed ID token."""
    start = client.get("/oidc/authenticate/")
    assert start.status_code == 302
    assert start["Location"].startswith(f"{provider.url}/authorize")
    picked = requests.get(start["Location"] + f"&email={email}", allow_redirects=False, timeout=5)
    assert picked.status_code == 302
    back = urlparse(picked.headers["Location"])
    assert back.path == "/oidc/callback/"
    return client.get(back.path, {k: v[0] for k, v in parse_qs(back.query).items()})


def _signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_a_verified_user_of_a_mapped_domain_signs_in_and_waits_for_a_role(client, cast, provider):
    response = _sign_in(client, provider)
    assert response.status_code == 302 and response["Location"] == "/"
    assert _signed_in(client)
    user = get_user_model().objects.get(email="nina@acme.example")
    assert (user.first_name, user.has_usable_password()) == ("Nina", False)
    membership = Membership.objects.get(user=user)
    assert membership.organization == cast.org_a
    assert membership.is_active is False  # no access until an admin gives a role
    assert "You are not a member of any organisation yet" in client.get("/").content.decode()


def test_a_default_role_is_given_when_configured(client, cast, provider, settings):
    settings.OIDC_DEFAULT_ROLE = "contributor"
    _sign_in(client, provider)
    membership = Membership.objects.get(user__email="nina@acme.example")
    assert (membership.role, membership.is_active) == ("contributor", True)


@pytest.mark.parametrize("days", [None, 7])
def test_a_default_auditor_gets_access_that_ends_after_the_configured_period(
    client, cast, provider, settings, days
):
    settings.OIDC_DEFAULT_ROLE = "auditor"
    if days is not None:
        settings.OIDC_AUDITOR_ACCESS_DAYS = days
    response = _sign_in(client, provider)
    assert response.status_code == 302 and response["Location"] == "/"
    membership = Membership.objects.get(user__email="nina@acme.example")
    period = datetime.timedelta(days=days or 30)
    today = timezone.localdate()
    assert (membership.role, membership.is_active) == ("auditor", True)
    assert membership.access_expires_on == today + period
    assert client.get("/o/acme-test/").status_code == 200  # the auditor reads at once
    # Weeks later, signed in again (the session itself lasts a working day):
    with time_machine.travel(timezone.now() + period, tick=False):
        client.force_login(membership.user)
        assert client.get("/o/acme-test/").status_code == 200  # the last day
    with time_machine.travel(timezone.now() + period + datetime.timedelta(days=1), tick=False):
        client.force_login(membership.user)
        assert client.get("/o/acme-test/").status_code == 403  # then no more


def test_a_contributor_by_default_has_no_end_date(client, cast, provider, settings):
    settings.OIDC_DEFAULT_ROLE = "contributor"
    _sign_in(client, provider)
    assert Membership.objects.get(user__email="nina@acme.example").access_expires_on is None


@pytest.mark.parametrize(
    ("role", "days", "ids"),
    [("auditor", 30, []), ("auditor", 366, []), ("contributor", 0, []), ("", -5, []),
     ("auditor", 0, ["qms.sso.E002"]), ("auditor", -1, ["qms.sso.E002"]),
     ("auditor", 367, ["qms.sso.E002"]), ("executive", 30, ["qms.sso.E001"]),
     ("admin", 30, ["qms.sso.E001"]), ("auditr", 30, ["qms.sso.E001"])],
)  # fmt: skip
def test_the_system_check_refuses_a_default_role_or_access_period_that_cannot_work(
    settings, role, days, ids
):
    from qms.core.sso import check_settings

    settings.OIDC_ENABLED = True
    settings.OIDC_DEFAULT_ROLE, settings.OIDC_AUDITOR_ACCESS_DAYS = role, days
    assert [error.id for error in check_settings()] == ids
    settings.OIDC_ENABLED = False
    assert check_settings() == []


def test_start_up_stops_on_an_auditor_default_role_without_a_usable_period():
    from tests.subprocesses import manage, product_env

    env = product_env(DEBUG="True", OIDC_RP_CLIENT_ID="qms", OIDC_DEFAULT_ROLE="auditor",
                      OIDC_AUDITOR_ACCESS_DAYS="0")  # fmt: skip
    result = manage(["check"], env, timeout=120)
    assert result.returncode != 0
    assert "OIDC_AUDITOR_ACCESS_DAYS is 0" in result.stderr


def test_start_up_names_a_setting_that_is_not_a_whole_number():
    """It stopped with a bare ValueError traceback that did not say which setting."""
    from tests.subprocesses import manage, product_env

    env = product_env(DEBUG="True", OIDC_AUDITOR_ACCESS_DAYS="abc")
    result = manage(["check"], env, timeout=120)
    assert result.returncode != 0
    assert (
        "OIDC_AUDITOR_ACCESS_DAYS must be a whole number, e.g. 30 (it is 'abc')." in result.stderr
    )


def test_executive_or_admin_can_never_be_the_default_role(client, cast, provider, settings):
    settings.OIDC_DEFAULT_ROLE = "executive"
    with pytest.raises(ImproperlyConfigured):
        _sign_in(client, provider)


def test_an_existing_user_is_matched_by_verified_email(client, cast, provider):
    cast.alice.email = "Alice@Acme.example"
    cast.alice.save()
    _sign_in(client, provider, email="alice@acme.example")
    assert int(client.session["_auth_user_id"]) == cast.alice.pk


def test_an_unmapped_domain_gets_no_organisation(client, cast, provider):
    _sign_in(client, provider, email="eve@elsewhere.example")
    assert _signed_in(client)
    user = get_user_model().objects.get(email="eve@elsewhere.example")
    assert not Membership.objects.filter(user=user).exists()


@pytest.mark.parametrize(
    "change",
    [
        {"signing_key": rsa.generate_private_key(public_exponent=65537, key_size=2048)},
        {"token_overrides": {"aud": "another-client"}},
        {"token_overrides": {"exp": int(time.time()) - 600, "iat": int(time.time()) - 900}},
        {"token_overrides": {"iss": "https://impostor.example"}},
        {"email": "uma@acme.example"},
    ],
    ids=["bad-signature", "wrong-audience", "expired", "wrong-issuer", "unverified-email"],
)
def test_a_bad_token_is_refused_with_a_sentence(client, cast, provider, change):
    email = change.pop("email", "nina@acme.example")
    for name, value in change.items():
        setattr(provider, name, value)
    response = _sign_in(client, provider, email=email)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?sso=failed"
    assert not _signed_in(client)
    assert not get_user_model().objects.filter(email=email).exists()
    page = client.get(response["Location"]).content.decode()
    assert "did not succeed" in page


def test_the_sign_in_page_offers_the_company_account_only_when_configured(client, settings):
    settings.OIDC_ENABLED = False
    assert "Sign in with" not in client.get("/accounts/login/").content.decode()
    assert client.get("/oidc/authenticate/").status_code == 404
    settings.OIDC_ENABLED = True
    settings.OIDC_PROVIDER_NAME = "Acme SSO"
    assert "Sign in with Acme SSO" in client.get("/accounts/login/").content.decode()
