"""The URL configuration as the security tests see it: every route, a concrete path for each,
and real paths found by walking the demo organisation's pages and API lists.

Both halves of the permission matrix (outsiders, and each role of the organisation) read their
routes from here, so a new page or endpoint is covered without anyone listing it.
"""

from __future__ import annotations

import os
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


METHODS = ("get", "post", "put", "patch", "delete")


def every_method_sweep() -> bool:
    """Whether the permission sweeps ask every route with every method. They do on PostgreSQL
    (CI's second pass, where ids are never reused, which is where the last role defect showed)
    or when QMS_FULL_SWEEP=1; the SQLite pass asks the methods each view declares plus one it
    does not, taking turns. The full sweep on SQLite had found nothing the PostgreSQL pass did
    not."""
    from django.db import connection

    return connection.vendor == "postgresql" or os.environ.get("QMS_FULL_SWEEP") == "1"


def declared_methods(route: str) -> frozenset[str]:
    """The methods of METHODS the route's view says it takes: a page's method decorator
    (`require_http_methods` and its shortcuts), an API viewset's actions, a class's handlers.
    A view that says nothing takes them all."""
    view = resolve(sample_url(route)).func
    if getattr(view, "actions", None):  # a DRF viewset bound to this route's actions
        return frozenset(view.actions) & set(METHODS)
    view_class = getattr(view, "cls", None) or getattr(view, "view_class", None)
    if view_class is not None:
        return frozenset(m for m in METHODS if hasattr(view_class, m))
    while view is not None:  # through the decorators to require_http_methods's list
        code = getattr(view, "__code__", None)
        if code is not None and "request_method_list" in code.co_freevars:
            cell = view.__closure__[code.co_freevars.index("request_method_list")]
            return frozenset(m.lower() for m in cell.cell_contents) & set(METHODS)
        view = getattr(view, "__wrapped__", None)
    return frozenset(METHODS)


def methods_to_ask(route: str, index: int, *, every_method: bool, also: frozenset = frozenset()):
    """The methods a sweep asks of a route: all of them, or (the lighter sweep) the ones the
    view declares and `also` lists, plus one it does not declare, chosen by `index` so that the
    undeclared methods take turns across routes and askers."""
    if every_method:
        return METHODS
    asked = declared_methods(route) | also
    others = [m for m in METHODS if m not in asked]
    if others:
        asked |= {others[index % len(others)]}
    return tuple(m for m in METHODS if m in asked)


_LINK = re.compile(
    r'(?:href|action|formaction|data-url|src)="(/(?:o|api/v1/organizations)/[^"#?]+)'
)


def discover(
    client,
    org_slug: str,
    routes: list[str],
    budget: int = 400,
    found: dict[str, str] | None = None,
    read: set[str] | None = None,
) -> dict[str, str]:
    """A real path for as many routes as can be found, signed in as whoever `client` is.

    Pages: from the links and form actions of every page reached from the organisation's pages
    without parameters (one page fetched per route: breadth, not depth). API: the first record
    of each list endpoint gives the detail endpoint and its actions a real key.

    Walkers signed in as different roles can share `found` and `read` (the pages without a key
    that were read): a later walker does not read those again, but it does read every record's
    page, whose links (edit, follow up, explain) depend on who is looking."""
    found = {} if found is None else found
    read = set() if read is None else read
    queue = [sample_url(r, org_slug) for r in routes if not is_api(r) and r.count("<") == 1]
    # The records' pages that earlier walkers reached, read again with this walker's eyes.
    queue += [path for route, path in found.items() if not is_api(route) and route.count("<") > 1]
    tried: set[str] = set()
    while queue and budget:
        path = queue.pop(0)
        route = route_of(path)
        if route is None or route in read or route in tried:
            continue
        found.setdefault(route, path)
        if path.endswith(DOWNLOAD_SUFFIXES):
            continue
        tried.add(route)
        budget -= 1
        response = client.get(path)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        if route.count("<") == 1:  # the organisation's slug only: the same links for everyone
            read.add(route)
        for link in _LINK.findall(response.content.decode()):
            link = link.replace("&amp;", "&")
            link_route = route_of(link)
            if link_route and link_route not in read and link_route not in tried:
                found.setdefault(link_route, link)
                queue.append(link)
    for route in routes:
        if not is_api(route) or "(?P<" not in route or route in found:
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
