"""The per-role half of the permission matrix: every page and API endpoint of an organisation,
found from the URL configuration, asked by each role of the organisation with each method,
must answer as the policy table below declares.

How it runs: the demo organisation is seeded, and a real path is found for each route by
walking its pages and API lists (a route with no record in the demo is asked with a sample key:
an allowed role then meets "not found" after the role check, which still counts as allowed).
Each request runs in a savepoint that is rolled back, so no answer depends on the ones before.

The table says, per route, which roles each method lets through; every other role (and every
role, for a method not listed) must be turned away with 403, or 405 where the page takes no
such method. A server error or a sign-in redirect is always a failure, and so is a route
missing from the table (or a stale one). After a deliberate change, regenerate the table and
read its diff:

    QMS_ROLE_MATRIX_DUMP=/tmp/policy.py make test PYTEST_ARGS=tests/security/test_roles.py

Object-level rules (a contributor changes only their own, only executives approve and sign
off) are in `test_object_rules`.
"""

from __future__ import annotations

import os

import pytest
from django.db import transaction

from qms.core.demo import seed_demo
from qms.core.roles import AUDITOR_WRITABLE_PAGES
from tests.security.policy import POLICY, ROLE_SETS
from tests.security.routes import all_routes, discover, is_api, sample_url

pytestmark = pytest.mark.django_db

METHODS = ("get", "post", "put", "patch", "delete")
# The demo's member for each role.
PEOPLE = {
    "executive": "executive",
    "quality_manager": "quality",
    "contributor": "contributor",
    "auditor": "auditor",
    "admin": "admin",
}
ORG_ROUTES, _ = all_routes()


def _answer(response) -> str:
    """allowed, refused (403), no method (405), or what went wrong."""
    code = response.status_code
    if code >= 500:
        return f"server error {code}"
    if code == 302 and response["Location"].startswith("/accounts/login/"):
        return "sign-in redirect"
    if code in (401, 403):
        return "refused"
    if code == 405:
        return "no method"
    return "allowed"


def _expected(policy: str, method: str, role: str) -> set[str]:
    roles = dict(part.split(":") for part in policy.split())
    if role in ROLE_SETS[roles.get(method.upper(), "NOBODY")]:
        return {"allowed"}
    # Not let through: 403, or 405 where the page takes no such method at all (a page may ask
    # the role first, and the auditors' guard always does).
    return {"refused", "no method"}


def _observe(client, users, url) -> dict[tuple[str, str], str]:
    answers = {}
    for role, user in users.items():
        client.force_login(user)
        for method in METHODS:
            with transaction.atomic():
                answers[method, role] = _answer(getattr(client, method)(url))
                transaction.set_rollback(True)
    return answers


def _policy_of(answers) -> str:
    """The table's line for what was observed (used to regenerate the table)."""
    parts = []
    for method in METHODS:
        allowed = frozenset(r for r in PEOPLE if answers[method, r] == "allowed")
        if not allowed:
            continue
        name = next((n for n, s in ROLE_SETS.items() if s == allowed), None)
        parts.append(f"{method.upper()}:{name or '+'.join(sorted(allowed))}")
    return " ".join(parts)


def test_every_route_of_an_organisation_has_a_declared_policy():
    assert sorted(ORG_ROUTES) == sorted(POLICY), (
        f"missing: {sorted(set(ORG_ROUTES) - set(POLICY))}; "
        f"stale: {sorted(set(POLICY) - set(ORG_ROUTES))}"
    )


def test_auditors_change_only_their_own_things():
    """No role set that lets an auditor write, except on the auditor's own things."""
    for route, policy in POLICY.items():
        for part in policy.split():
            method, roles = part.split(":")
            if method != "GET" and "auditor" in ROLE_SETS[roles]:
                assert route.endswith(OWN_THINGS), (route, policy)


OWN_THINGS = (
    "/evidence/",  # request a pack
    "/evidence/verify/",
    "/calendar/reset/",
    "/notifications/read-all/",
    "/notifications/<int:pk>/open/",
    "/notifications/settings/",
    "^notifications/read-all/$",
    "^notifications/(?P<pk>[^/]+)/read/$",
    "^announcements/(?P<pk>[^/]+)/read/$",  # a read receipt
)


def test_the_auditors_page_allowlist_names_real_pages():
    from django.urls import reverse

    for name in AUDITOR_WRITABLE_PAGES:
        kwargs = {"org_slug": "acme"}
        if name == "core:notification-open":
            kwargs["pk"] = 1
        assert reverse(name, kwargs=kwargs).startswith("/o/acme/")


def test_only_executives_approve_and_sign_off():
    for route, policy in POLICY.items():
        if route.rstrip("/$").endswith(("approve", "sign-off", "decide", "accept", "dismiss")):
            writes = [p.split(":")[1] for p in policy.split() if not p.startswith("GET")]
            assert writes and all(w == "EXECUTIVES" for w in writes), (route, policy)


def test_each_role_gets_the_declared_answer_on_every_page_and_endpoint(client):
    context = seed_demo()
    slug = context.organization.slug
    users = {role: context.members[who].user for role, who in PEOPLE.items()}
    found: dict[str, str] = {}
    for role in ("quality_manager", "admin", "executive"):
        client.force_login(users[role])
        for route, path in discover(client, slug, ORG_ROUTES).items():
            found.setdefault(route, path)
    with_keys = [r for r in ORG_ROUTES if r.replace("<slug:org_slug>", "").count("<") > 0]
    real = [r for r in with_keys if r in found]
    # The walk must keep finding real records: a route asked only with a sample key proves less.
    assert len(real) >= 0.8 * len(with_keys), sorted(set(with_keys) - set(real))

    dump = os.environ.get("QMS_ROLE_MATRIX_DUMP")
    lines, unexpected = [], []
    for route in ORG_ROUTES:
        url = found.get(route) or sample_url(route, slug)
        answers = _observe(client, users, url)
        lines.append(f"    {route!r}: {_policy_of(answers)!r},")
        policy = POLICY.get(route)
        for (method, role), answer in answers.items():
            expected = _expected(policy, method, role) if policy else {"declared"}
            if answer not in expected:
                wanted = " or ".join(sorted(expected))
                unexpected.append(f"{method.upper()} {url} as {role}: {answer}, not {wanted}")
    if dump:
        with open(dump, "w") as out:
            out.write("POLICY = {\n" + "\n".join(lines) + "\n}\n")
    assert unexpected == [], "\n".join(unexpected)
    assert any(is_api(r) for r in found)  # the API's records were found too
