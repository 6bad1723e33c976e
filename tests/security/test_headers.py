"""Production settings (DEBUG off) as a browser meets them: HTTPS only, HSTS, a strict Content
Security Policy, no framing, no referrer to other sites, cookies only over HTTPS and out of
scripts' reach, the admin away from /admin/. The settings module is read once per process, so
these run in a subprocess with the production environment, on a fresh SQLite database."""

import json
from pathlib import Path

import pytest

from tests.subprocesses import copy_database, manage, product_env

HOST = "qms.example.com"

# Runs inside `manage.py shell` with the production settings; prints what a browser would get.
PROBE = """
import json
from django.contrib.auth import get_user_model
from django.test import Client, override_settings
# Pages link static files through whitenoise's manifest, which only `collectstatic` (the image
# build) writes; the plain storage gives the same pages without it.
override_settings(
    STORAGES={"staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
).enable()
get_user_model().objects.create_user("pat", "pat@example.test", "a long passphrase 42")
client = Client(HTTP_HOST="%(host)s")
out = {}
plain = client.get("/accounts/login/")
out["http"] = [plain.status_code, plain.get("Location", "")]
login = client.get("/accounts/login/", secure=True)
out["login_status"] = login.status_code
out["headers"] = {k.lower(): v for k, v in login.headers.items()}
out["csrf_cookie"] = dict(login.cookies["csrftoken"].items())
signed_in = client.post(
    "/accounts/login/", {"username": "pat", "password": "a long passphrase 42"}, secure=True
)
out["signed_in"] = signed_in.status_code
out["session_cookie"] = dict(signed_in.cookies["sessionid"].items())
out["admin_default"] = client.get("/admin/", secure=True).status_code
out["admin"] = client.get("/django-admin/", secure=True).status_code
out["api_docs"] = {k.lower(): v for k, v in client.get("/api/docs/", secure=True).headers.items()}
probe = Client(HTTP_HOST="127.0.0.1:8000").get("/healthz")
out["healthz"] = [probe.status_code, probe.content.decode()]
print("PROBE" + json.dumps(out))
"""


def production_env(tmp_path: Path, **extra) -> dict:
    return product_env(
        SECRET_KEY="t3st-only-" + "k" * 20 + "-production-like-secret-key-0123456789",
        ALLOWED_HOSTS=HOST,
        QMS_DATA_DIR=str(tmp_path),
        DATABASE_URL=f"sqlite:///{tmp_path}/qms.sqlite3",
        **extra,
    )


@pytest.fixture(scope="module")
def production(tmp_path_factory, migrated_template):
    """What a browser gets from the production settings (one subprocess for the module)."""
    tmp_path = tmp_path_factory.mktemp("production")
    env = production_env(tmp_path)
    copy_database(migrated_template, tmp_path / "qms.sqlite3")
    probe = manage(["shell", "-v", "0", "-c", PROBE % {"host": HOST}], env)
    assert probe.returncode == 0, probe.stderr[-3000:]
    line = next(x for x in probe.stdout.splitlines() if x.startswith("PROBE"))
    return json.loads(line.removeprefix("PROBE"))


def test_debug_is_off_when_nothing_is_set(tmp_path):
    env = production_env(tmp_path)
    code = "from django.conf import settings; print(settings.DEBUG)"
    result = manage(["shell", "-v", "0", "-c", code], env)
    assert result.stdout.strip() == "False", result.stderr


def test_plain_http_is_redirected_to_https(production):
    status, location = production["http"]
    assert status == 301
    assert location == f"https://{HOST}/accounts/login/"


def test_https_answers_carry_hsts_for_a_year_with_subdomains(production):
    assert production["login_status"] == 200
    hsts = production["headers"]["strict-transport-security"]
    assert "max-age=31536000" in hsts
    assert "includeSubDomains" in hsts


def test_content_security_policy_allows_only_our_own_scripts(production):
    policy = dict(
        part.strip().split(" ", 1)
        for part in production["headers"]["content-security-policy"].split(";")
    )
    assert policy["default-src"] == "'self'"
    assert policy["script-src"] == "'self'"  # no inline script, no eval, no other origin
    assert policy["object-src"] == "'none'"
    assert policy["frame-ancestors"] == "'none'"
    assert policy["form-action"] == "'self'"
    assert policy["base-uri"] == "'self'"
    assert "'unsafe-inline'" not in policy["script-src"]


def test_pages_cannot_be_framed_or_sniffed_and_send_no_referrer_elsewhere(production):
    headers = production["headers"]
    assert headers["x-frame-options"] == "DENY"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "same-origin"
    assert headers["cross-origin-opener-policy"] == "same-origin"


def test_session_cookie_only_travels_over_https_and_scripts_cannot_read_it(production):
    assert production["signed_in"] == 302
    cookie = production["session_cookie"]
    assert cookie["secure"] is True
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"


def test_csrf_cookie_only_travels_over_https(production):
    assert production["csrf_cookie"]["secure"] is True


def test_admin_is_not_at_the_guessable_address(production):
    assert production["admin_default"] == 404
    assert production["admin"] == 302  # to the admin's sign-in


def test_container_probes_reach_the_health_check_by_address_over_http(production):
    """docker-compose's health check calls http://127.0.0.1:8000/healthz: not an allowed host,
    not HTTPS; it used to get 400 (or a redirect to HTTPS) and mark the web service unhealthy."""
    assert production["healthz"] == [200, "ok\nbroker: ok\n"]


def test_api_documentation_runs_under_the_same_policy(production):
    # The split Swagger view loads its start-up code as a file, so script-src stays 'self'.
    assert "script-src 'self'" in production["api_docs"]["content-security-policy"]


def test_deploy_check_is_clean_and_the_policy_is_configured(tmp_path):
    env = production_env(tmp_path)
    check = manage(["check", "--deploy", "--fail-level", "WARNING"], env)
    assert check.returncode == 0, check.stdout + check.stderr
    code = (
        "from django.conf import settings\n"
        "print('csp.middleware.CSPMiddleware' in settings.MIDDLEWARE, "
        "settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE, settings.SECURE_SSL_REDIRECT)"
    )
    shown = manage(["shell", "-v", "0", "-c", code], env)
    assert shown.stdout.split() == ["True", "True", "True", "True"]


def test_secrets_can_come_from_files(tmp_path):
    """Docker and Kubernetes secrets: SECRET_KEY_FILE instead of SECRET_KEY in the environment."""
    key_file = tmp_path / "secret_key"
    key_file.write_text("from-a-file-" + "s" * 50 + "\n")
    env = production_env(tmp_path, SECRET_KEY_FILE=str(key_file))
    del env["SECRET_KEY"]
    code = "from django.conf import settings; print(settings.SECRET_KEY[:12])"
    result = manage(["shell", "-v", "0", "-c", code], env)
    assert result.stdout.strip() == "from-a-file-", result.stderr
