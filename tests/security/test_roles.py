"""The per-role half of the permission matrix: every page and API endpoint of an organisation,
found from the URL configuration, asked by each role of the organisation, must answer as the
policy table declares.

How it runs: the demo organisation is seeded once for the module (in a transaction rolled back
after it), and a real path is found for each route by walking its pages and API lists (a route
with no record in the demo is asked with a sample key: an allowed role then meets "not found"
after the role check, which still counts as allowed). Each role is its own test, so the roles
run side by side on the test workers. Each request runs in a savepoint that is rolled back, so
no answer depends on the ones before.

Which methods: on PostgreSQL (CI's second pass) every route is asked with all five methods;
on SQLite with the methods its view declares and the table lists, plus one it does not
declare, the roles taking turns over the undeclared ones (`routes.methods_to_ask`).

The table says, per route, which roles each method lets through; every other role (and every
role, for a method not listed) must be turned away with 403, or 405 where the page takes no
such method. A server error or a sign-in redirect is always a failure, and so is a route
missing from the table (or a stale one). After a deliberate change, regenerate the table (every
role with every method, in one process) and read its diff:

    QMS_ROLE_MATRIX_DUMP=/tmp/policy.py make test PYTEST_WORKERS=0 \
        PYTEST_ARGS=tests/security/test_roles.py

Object-level rules (a contributor changes only their own, only executives approve and sign
off) are in `test_object_rules`.
"""

from __future__ import annotations

import os
from types import SimpleNamespace

import pytest
from django.db import transaction
from django.test import Client

from qms.core.roles import AUDITOR_WRITABLE_PAGES
from tests.security.policy import POLICY, ROLE_SETS
from tests.security.routes import (
    METHODS,
    all_routes,
    discover,
    every_method_sweep,
    is_api,
    methods_to_ask,
    sample_url,
)
from tests.seeded import demo_for_module

pytestmark = pytest.mark.django_db

# The demo's member for each role.
PEOPLE = {
    "executive": "executive",
    "quality_manager": "quality",
    "contributor": "contributor",
    "auditor": "auditor",
    "admin": "admin",
}
ORG_ROUTES, _ = all_routes()
DUMP = os.environ.get("QMS_ROLE_MATRIX_DUMP")


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


def _observe(client, user, url, methods) -> dict[str, str]:
    answers = {}
    client.force_login(user)
    for method in methods:
        with transaction.atomic():
            answers[method] = _answer(getattr(client, method)(url))
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


def _allowed(policy: str) -> frozenset[str]:
    return frozenset(part.split(":")[0].lower() for part in policy.split())


def _units_pages(organization, found: dict) -> None:
    """A real unit for the administrators' unit pages: the walk shares the units list read as
    the quality manager first (no links to them there), and the top unit, the first link,
    has no move or close form. A unit beneath the top one has them all."""
    from qms.core.models import OrgUnit

    unit = OrgUnit.objects.filter(organization=organization, depth=2).order_by("path").first()
    base = f"/o/{organization.slug}/units/{unit.pk}/"
    for step in ("", "move/", "close/", "reopen/"):
        found.setdefault(f"o/<slug:org_slug>/units/<int:pk>/{step}", base + step)


@pytest.fixture(scope="module")
def matrix(django_db_setup, django_db_blocker):
    """The seeded demo, its members by role and a path for every route; the answers each role's
    test observed are gathered for the table's regeneration."""
    with demo_for_module(django_db_blocker) as context:
        slug = context.organization.slug
        users = {role: context.members[who].user for role, who in PEOPLE.items()}
        client, found, read = Client(), {}, set()
        for role in ("quality_manager", "admin", "executive"):
            client.force_login(users[role])
            discover(client, slug, ORG_ROUTES, found=found, read=read)
        _units_pages(context.organization, found)
        urls = {route: found.get(route) or sample_url(route, slug) for route in ORG_ROUTES}
        state = SimpleNamespace(users=users, found=found, urls=urls, answers={})
        yield state
    if DUMP and len(state.answers) < len(PEOPLE):
        pytest.fail(
            f"QMS_ROLE_MATRIX_DUMP needs every role's answers in one process; this one had "
            f"{sorted(state.answers)}. Run it with PYTEST_WORKERS=0."
        )
    if DUMP:
        lines = []
        for route in ORG_ROUTES:
            answers = {(m, r): state.answers[r][route][m] for r in PEOPLE for m in METHODS}
            lines.append(f"    {route!r}: {_policy_of(answers)!r},")
        with open(DUMP, "w") as out:
            out.write("POLICY = {\n" + "\n".join(lines) + "\n}\n")


def test_the_walk_finds_real_records_for_the_routes_that_take_a_key(matrix):
    with_keys = [r for r in ORG_ROUTES if r.replace("<slug:org_slug>", "").count("<") > 0]
    real = [r for r in with_keys if r in matrix.found]
    # A route asked only with a sample key proves less, so the walk must keep finding records.
    assert len(real) >= 0.8 * len(with_keys), sorted(set(with_keys) - set(real))
    assert any(is_api(r) for r in matrix.found)  # the API's records were found too


@pytest.mark.parametrize("role", list(PEOPLE))
def test_each_role_gets_the_declared_answer_on_every_page_and_endpoint(client, matrix, role):
    every_method = every_method_sweep() or bool(DUMP)
    user = matrix.users[role]
    turn = list(PEOPLE).index(role)
    unexpected, observed = [], {}
    for index, route in enumerate(ORG_ROUTES):
        policy = POLICY.get(route)
        methods = methods_to_ask(
            route, index + turn, every_method=every_method, also=_allowed(policy or "")
        )
        answers = observed[route] = _observe(client, user, matrix.urls[route], methods)
        for method, answer in answers.items():
            expected = _expected(policy, method, role) if policy else {"declared"}
            if answer not in expected:
                wanted = " or ".join(sorted(expected))
                unexpected.append(
                    f"{method.upper()} {matrix.urls[route]} as {role}: {answer}, not {wanted}"
                )
    matrix.answers[role] = observed
    assert unexpected == [], "\n".join(unexpected)
