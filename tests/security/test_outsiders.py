"""Every page and API endpoint of an organisation, found from the URL configuration (a new one
is covered without anyone remembering), refuses those who are not in it: anonymous visitors,
members of another organisation, and an auditor whose access has expired; for reading and for
each writing method. The few URLs outside organisations are declared below, one by one: a new
one fails until its policy is written here.

This is the tenancy half of issue 9's permission matrix; the per-role half is `test_roles`.
"""

import pytest

from tests.security.routes import all_routes, every_method_sweep, methods_to_ask, sample_url

pytestmark = pytest.mark.django_db

# URLs outside any organisation: (pattern, what anyone not signed in gets for GET).
PUBLIC = {
    "": "redirect",  # the landing page sends strangers to sign in
    "healthz": "ok",
    "favicon.ico": "moved",  # to the static icon, for anyone
    "accounts/login/": "ok",
    "accounts/logout/": "refused",  # POST only
    "accounts/password/": "redirect",
    "accounts/password/done/": "redirect",
    "accounts/api-token/": "redirect",
    "oidc/authenticate/": "not found",  # single sign-on is off unless configured
    "oidc/callback/": "not found",
    "p/<slug:public_slug>/policy/": "not found",  # no such organisation
    "calendar/<str:token>.ics": "not found",  # no such token
    "invitations/<str:token>/": "not found",  # not a link this site signed
    "api/v1/auth/token/": "refused",  # POST only
    "api/schema/": "ok",
    "api/docs/": "ok",
}
GET_ANSWERS = {
    "ok": {200},
    "redirect": {302},
    "not found": {404},
    "refused": {405},
    "moved": {301},
}


ORG_ROUTES, OTHER_ROUTES = all_routes()


def test_every_url_outside_organisations_has_a_declared_policy():
    assert len(ORG_ROUTES) > 200  # the walk found the organisation's pages and endpoints
    undeclared = [r for r in OTHER_ROUTES if r not in PUBLIC and not r.startswith("api/v1/")]
    assert undeclared == []


@pytest.mark.parametrize("route", sorted(PUBLIC))
def test_urls_outside_organisations_answer_strangers_as_declared(client, route):
    assert client.get(sample_url(route)).status_code in GET_ANSWERS[PUBLIC[route]]


@pytest.mark.parametrize("route", ORG_ROUTES)
def test_an_organisations_urls_refuse_outsiders(client, cast, route):
    """Each outsider asks with the methods the route's view declares plus one it does not
    (every method on PostgreSQL: `routes.every_method_sweep`)."""
    url = sample_url(route)
    api = url.startswith("/api/")
    every_method, turn = every_method_sweep(), ORG_ROUTES.index(route)
    for method in methods_to_ask(route, turn, every_method=every_method):
        client.logout()
        anonymous = getattr(client, method)(url)
        if api:
            assert anonymous.status_code in (401, 403), (method, url, anonymous.status_code)
        else:
            assert anonymous.status_code in (302, 405), (method, url, anonymous.status_code)
            if anonymous.status_code == 302:
                assert anonymous["Location"].startswith("/accounts/login/"), (method, url)
    client.force_login(cast.bob)  # a member of another organisation only
    for method in methods_to_ask(route, turn + 1, every_method=every_method):
        assert getattr(client, method)(url).status_code in (404, 405), (method, url)
    client.force_login(cast.eddie)  # an auditor whose access ended yesterday
    for method in methods_to_ask(route, turn + 2, every_method=every_method):
        assert getattr(client, method)(url).status_code in (403, 405), (method, url)
