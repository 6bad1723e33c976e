"""The URL configuration as the security tests see it: every route, a concrete path for each,
and real paths found by walking the demo organisation's pages and API lists.

Both halves of the permission matrix (outsiders, and each role of the organisation) read their
routes from here, so a new page or endpoint is covered without anyone listing it.
"""

from __future__ import annotations

import re
import uuid

from django.urls import Resolver404, URLResolver, get_resolver, resolve

SAMPLES = {  # a value for each kind of path parameter, where no real record was found
    "org_slug": "acme-test",
    "pk": "1",
    "number": "1",
    "code": "OBJ-01",
    "uuid": str(uuid.UUID(int=1)),
    "table": "objectives",
    "key": "nonconformities",
}
DOWNLOAD_SUFFIXES = (".pdf", ".xlsx", ".csv", ".zip", ".ics", ".json", ".pem")


def walk(resolver=None, prefix=""):
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            yield from walk(pattern, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern)


def sample_url(route: str, org_slug: str = SAMPLES["org_slug"]) -> str:
    """A concrete path for a route, with sample values for its parameters."""
    samples = {**SAMPLES, "org_slug": org_slug}
    # Regular-expression groups first (the API router's), then path converters.
    route = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: samples.get(m.group(1), "1"), route)
    route = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: samples.get(m.group(1), "1"), route)
    return "/" + route.replace("^", "").replace("$", "").replace("\\", "")


def all_routes() -> tuple[list[str], list[str]]:
    """(routes inside an organisation, routes outside), format suffixes and admin left out."""
    routes = [r for r in walk() if "format" not in r and "django-admin" not in r]
    org = sorted({r for r in routes if "org_slug" in r})
    other = sorted({r for r in routes if "org_slug" not in r})
    return org, other


def route_of(path: str) -> str | None:
    try:
        return resolve(path).route
    except Resolver404:
        return None


def is_api(route: str) -> bool:
    return route.startswith("api/")


_LINK = re.compile(
    r'(?:href|action|formaction|data-url|src)="(/(?:o|api/v1/organizations)/[^"#?]+)'
)


def discover(client, org_slug: str, routes: list[str], budget: int = 400) -> dict[str, str]:
    """A real path for as many routes as can be found, signed in as whoever `client` is.

    Pages: from the links and form actions of every page reached from the organisation's pages
    without parameters (one page fetched per route: breadth, not depth). API: the first record
    of each list endpoint gives the detail endpoint and its actions a real key."""
    found: dict[str, str] = {}
    queue = [sample_url(r, org_slug) for r in routes if not is_api(r) and r.count("<") == 1]
    fetched: set[str] = set()
    while queue and budget:
        path = queue.pop(0)
        route = route_of(path)
        if route is None or route in fetched:
            continue
        found.setdefault(route, path)
        if path.endswith(DOWNLOAD_SUFFIXES):
            continue
        fetched.add(route)
        budget -= 1
        response = client.get(path)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        for link in _LINK.findall(response.content.decode()):
            link = link.replace("&amp;", "&")
            link_route = route_of(link)
            if link_route and link_route not in found:
                found[link_route] = link
                queue.append(link)
    for route in routes:
        if not is_api(route) or "(?P<" not in route:
            continue
        prefix, _, rest = route.partition("(?P<")
        key = rest.split(">", 1)[0]
        listing = client.get(sample_url(prefix + "$", org_slug))
        if listing.status_code != 200:
            continue
        body = listing.json()
        items = body.get("results", body) if isinstance(body, dict) else body
        if not items or not isinstance(items, list) or not isinstance(items[0], dict):
            continue
        value = items[0].get(key, items[0].get("id") if key == "pk" else None)
        if value is not None:
            concrete = re.sub(r"\(\?P<" + key + r">[^)]*\)", str(value), route)
            found[route] = sample_url(concrete, org_slug)
    return found
