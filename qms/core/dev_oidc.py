"""A minimal OpenID Connect provider for trying single sign-on on a laptop and for the tests:
authorization (a page to pick a demo account), token (an RS256-signed ID token), userinfo,
JWKS and discovery. It holds no passwords and trusts whoever picks an account: never expose it
beyond 127.0.0.1, never use it in production.

    python manage.py run_dev_oidc_provider      # prints the settings that point the app at it
"""

from __future__ import annotations

import html
import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlparse

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

CLIENT_ID, CLIENT_SECRET = "qms-dev", "dev-secret"


class DevProvider:
    def __init__(self, accounts: list[dict], host: str = "127.0.0.1", port: int = 0):
        """`accounts`: dicts with email, given_name, family_name (and email_verified)."""
        self.accounts = accounts
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.codes: dict[str, dict] = {}  # code -> the claims of the account picked
        # Tests change what the next token says (wrong audience, expired, other key...).
        self.token_overrides: dict = {}
        self.signing_key = None
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def _send(self, status: int, body: bytes, content_type: str, headers=()):
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                for name, value in headers:
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

            def _json(self, value, status: int = 200):
                self._send(status, json.dumps(value).encode(), "application/json")

            def do_GET(self):
                url = urlparse(self.path)
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                if url.path == "/.well-known/openid-configuration":
                    self._json(provider.discovery())
                elif url.path == "/jwks":
                    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(provider.key.public_key()))
                    self._json({"keys": [{**jwk, "kid": "dev", "alg": "RS256", "use": "sig"}]})
                elif url.path == "/authorize" and "email" in query:
                    self._redirect_back(query)
                elif url.path == "/authorize":
                    self._send(200, provider.login_page(query).encode(), "text/html")
                elif url.path == "/userinfo":
                    token = self.headers.get("Authorization", "").removeprefix("Bearer ")
                    claims = provider.codes.get(token)
                    if claims is None:
                        self._json({"error": "invalid_token"}, 401)
                    else:
                        self._json({k: v for k, v in claims.items() if k != "nonce"})
                else:
                    self._json({"error": "not_found"}, 404)

            def _redirect_back(self, query):
                account = next((a for a in provider.accounts if a["email"] == query["email"]), None)
                if account is None:
                    self._json({"error": "unknown account"}, 400)
                    return
                code = secrets.token_urlsafe(16)
                provider.codes[code] = {"sub": account["email"], "email_verified": True,
                                        **account, "nonce": query.get("nonce")}  # fmt: skip
                target = (
                    f"{query['redirect_uri']}?{urlencode({'code': code, 'state': query['state']})}"
                )
                self._send(302, b"", "text/plain", [("Location", target)])

            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                claims = provider.codes.get(form.get("code", ""))
                if urlparse(self.path).path != "/token" or claims is None:
                    self._json({"error": "invalid_grant"}, 400)
                    return
                # The access token is the code itself: userinfo looks the account up by it.
                self._json({"id_token": provider.id_token(claims), "access_token": form["code"],
                            "token_type": "Bearer", "expires_in": 300})  # fmt: skip

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer((host, port), Handler)
        self.url = f"http://{host}:{self.server.server_address[1]}"

    def discovery(self) -> dict:
        return {
            "issuer": self.url,
            "authorization_endpoint": f"{self.url}/authorize",
            "token_endpoint": f"{self.url}/token",
            "userinfo_endpoint": f"{self.url}/userinfo",
            "jwks_uri": f"{self.url}/jwks",
            "id_token_signing_alg_values_supported": ["RS256"],
        }

    def settings(self) -> dict[str, str]:
        """The environment that points the app at this provider."""
        return {
            "OIDC_RP_CLIENT_ID": CLIENT_ID,
            "OIDC_RP_CLIENT_SECRET": CLIENT_SECRET,
            "OIDC_OP_AUTHORIZATION_ENDPOINT": f"{self.url}/authorize",
            "OIDC_OP_TOKEN_ENDPOINT": f"{self.url}/token",
            "OIDC_OP_USER_ENDPOINT": f"{self.url}/userinfo",
            "OIDC_OP_JWKS_ENDPOINT": f"{self.url}/jwks",
            "OIDC_OP_ISSUER": self.url,
            "OIDC_PROVIDER_NAME": "the demo identity provider",
        }

    def id_token(self, claims: dict) -> str:
        now = int(time.time())
        payload = {"iss": self.url, "sub": claims["sub"], "aud": CLIENT_ID, "iat": now,
                   "exp": now + 300, "nonce": claims.get("nonce"), "email": claims["email"],
                   **self.token_overrides}  # fmt: skip
        return jwt.encode(payload, self.signing_key or self.key, algorithm="RS256",
                          headers={"kid": "dev"})  # fmt: skip

    def login_page(self, query: dict) -> str:
        hidden = "".join(
            f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
            for k, v in query.items()
        )
        options = "".join(
            f'<option value="{html.escape(a["email"])}">{html.escape(a["email"])}</option>'
            for a in self.accounts
        )
        return (
            "<!doctype html><title>Demo identity provider</title><body style='font-family:"
            "sans-serif;max-width:30rem;margin:3rem auto'><h1>Demo identity provider</h1><p>For "
            "trying single sign-on locally. Pick an account:</p><form method='get' "
            f"action='/authorize'>{hidden}<label>Account <select name='email'>{options}"
            "</select></label> <button>Sign in</button></form></body>"
        )

    def start(self) -> DevProvider:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
