"""Sign-in with a company account against a real OpenID Connect provider on 127.0.0.1: a
signed ID token, its JWKS, the userinfo endpoint; bad signature, wrong audience and expired
tokens refused; who joins which organisation."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured

from qms.core.models import Membership

pytestmark = pytest.mark.django_db
CLIENT_ID = "qms-test"


class Provider:
    """A minimal OIDC provider: token, userinfo and JWKS endpoints, RS256-signed ID tokens."""

    def __init__(self):
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.id_token = ""
        self.userinfo: dict = {}
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def _json(self, body):
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                form = parse_qs(self.rfile.read(length).decode())
                assert form["client_id"] == [CLIENT_ID] and form["code"] == ["the-code"]
                self._json({"id_token": provider.id_token, "access_token": "at",
                            "token_type": "Bearer"})  # fmt: skip

            def do_GET(self):
                if self.path == "/jwks":
                    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(provider.key.public_key()))
                    self._json({"keys": [{**jwk, "kid": "k1", "alg": "RS256", "use": "sig"}]})
                else:
                    assert self.headers["Authorization"] == "Bearer at"
                    self._json(provider.userinfo)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def issue(self, nonce, *, email="nina@acme.example", verified=True, key=None, **claims):
        now = int(time.time())
        payload = {"iss": self.url, "sub": "user-1", "aud": CLIENT_ID, "iat": now,
                   "exp": now + 300, "nonce": nonce, **claims}  # fmt: skip
        self.id_token = jwt.encode(payload, key or self.key, algorithm="RS256",
                                   headers={"kid": "k1"})  # fmt: skip
        self.userinfo = {"sub": "user-1", "email": email, "email_verified": verified,
                         "given_name": "Nina", "family_name": "Novak"}  # fmt: skip


@pytest.fixture
def provider(settings):
    provider = Provider()
    settings.OIDC_ENABLED = True
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = "secret"
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = f"{provider.url}/authorize"
    settings.OIDC_OP_TOKEN_ENDPOINT = f"{provider.url}/token"
    settings.OIDC_OP_USER_ENDPOINT = f"{provider.url}/userinfo"
    settings.OIDC_OP_JWKS_ENDPOINT = f"{provider.url}/jwks"
    settings.OIDC_OP_ISSUER = provider.url
    settings.OIDC_DOMAIN_ORGANIZATIONS = "acme.example=acme-test"
    settings.OIDC_DEFAULT_ROLE = ""
    settings.AUTHENTICATION_BACKENDS = [
        "axes.backends.AxesStandaloneBackend",
        "django.contrib.auth.backends.ModelBackend",
        "qms.core.sso.CompanyAccountBackend",
    ]
    yield provider
    provider.server.shutdown()


def _sign_in(client, provider, **token):
    start = client.get("/oidc/authenticate/")
    assert start.status_code == 302
    query = parse_qs(urlparse(start["Location"]).query)
    assert start["Location"].startswith(f"{provider.url}/authorize")
    provider.issue(query["nonce"][0], **token)
    return client.get("/oidc/callback/", {"code": "the-code", "state": query["state"][0]})


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
    "token",
    [
        {"key": rsa.generate_private_key(public_exponent=65537, key_size=2048)},  # bad signature
        {"aud": "another-client"},
        {"exp": int(time.time()) - 600},
        {"iss": "https://impostor.example"},
        {"verified": False},
    ],
    ids=["bad-signature", "wrong-audience", "expired", "wrong-issuer", "unverified-email"],
)
def test_a_bad_token_is_refused_with_a_sentence(client, cast, provider, token):
    response = _sign_in(client, provider, **token)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?sso=failed"
    assert not _signed_in(client)
    assert not get_user_model().objects.filter(email="nina@acme.example").exists()
    page = client.get(response["Location"]).content.decode()
    assert "did not succeed" in page


def test_the_sign_in_page_offers_the_company_account_only_when_configured(client, settings):
    settings.OIDC_ENABLED = False
    assert "Sign in with" not in client.get("/accounts/login/").content.decode()
    assert client.get("/oidc/authenticate/").status_code == 404
    settings.OIDC_ENABLED = True
    settings.OIDC_PROVIDER_NAME = "Acme SSO"
    assert "Sign in with Acme SSO" in client.get("/accounts/login/").content.decode()
