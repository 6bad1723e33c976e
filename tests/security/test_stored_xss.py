"""Stored XSS (issue 9): HTML typed into any text field is shown as text on every page.

The demo organisation is seeded, then every free-text field of every model of ours (found from
the models, so a new field is covered) is overwritten with a script and an attribute breakout;
a quality manager and an auditor then walk every page reachable from the organisation's pages,
and no page may contain the markup unescaped. The rich text (Markdown) and the evidence pack's
report are checked on their own. (E-mails are plain text: nothing in them is markup.)
"""

from __future__ import annotations

import re
from collections import Counter, deque
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.apps import apps
from django.conf import settings
from django.db import models
from django.urls import Resolver404, resolve

from qms.core.markdown import render_markdown
from tests.seeded import demo_for_module

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"
BREAKOUT = '"><img src=x onerror=alert(1)>'
PAYLOAD = f"{BREAKOUT}{SCRIPT}"
# What must never reach a page: each payload's tag as markup.
RAW = ("<script>alert(1)", "<img src=x onerror=alert(1)>")
# The project's own apps, found from the app registry, so a new app's fields are covered.
OUR_APPS = {
    config.name
    for config in apps.get_app_configs()
    if config.path.startswith(str(settings.BASE_DIR)) and "site-packages" not in config.path
}
# Fields that name or address things (URLs, look-ups, file paths, tree paths) rather than say
# them: a page never shows them as prose, and markup in them would break the links, not test
# the escaping.
NOT_PROSE = {
    "slug",
    "public_slug",
    "path",
    "code",
    "token",
    "key",
    "key_hash",
    "secret",
    "uuid",
    "sha256",
    "checksum",
    "timezone",
    "language",
    "color",
    "colour",
    "icon",
    "kind",
    "content_type",
    "mime_type",
    "file",
    "reference",
    "signature",
    "app_version",
    "event",
    "event_type",
    "task_name",
    "monitoring_register",  # a register's key, offered as a choice
}
MAX_PAGES_PER_ROUTE = 3
MAX_PAGES = 700


def prose_fields(model) -> list[models.Field]:
    """The model's free-text fields: CharField/TextField, editable, no choices, not an address."""
    fields = []
    for field in model._meta.get_fields():
        if not isinstance(field, models.CharField | models.TextField):
            continue
        if isinstance(field, models.SlugField | models.EmailField | models.URLField):
            continue
        if field.choices or not field.editable or field.primary_key or field.name in NOT_PROSE:
            continue
        if field.name.endswith(("_code", "_slug", "_key", "_path", "_token", "_hash", "_id")):
            continue
        fields.append(field)
    return fields


def our_models():
    for model in apps.get_models():
        if model._meta.app_config.name not in OUR_APPS or model.__name__.startswith("Historical"):
            continue
        if model._meta.proxy or not model._meta.managed:
            continue
        yield model


def poison_every_text_field() -> Counter:
    """Overwrite every prose field of every stored record with the payload (as much of it as
    the field holds); the count of records changed per model."""
    changed: Counter = Counter()
    for model in our_models():
        fields = prose_fields(model)
        if not fields:
            continue
        for record in model._base_manager.all():
            for field in fields:
                if getattr(record, field.name) in (None, "") and field.null:
                    continue
                limit = field.max_length or 10_000
                # The record's id keeps names unique where they must be.
                for text in (PAYLOAD, SCRIPT, BREAKOUT[2:]):
                    if len(text) + len(str(record.pk)) + 1 <= limit:
                        setattr(record, field.name, f"{text} {record.pk}")
                        break
            # Straight to the table: the point is what pages do with what is stored, whatever
            # the forms would have let in (imports, the API, an older version).
            model._base_manager.filter(pk=record.pk).update(
                **{f.attname: getattr(record, f.attname) for f in fields}
            )
            changed[model._meta.label] += 1
    return changed


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.links += [value for name, value in attrs if name == "href" and value]


def _route(path: str) -> str | None:
    try:
        return resolve(path).route
    except Resolver404:
        return None


def crawl(client, start: list[str], prefix: str):
    """GET every page reachable from `start` under `prefix` (at most a few per URL pattern):
    yields (path, response)."""
    queue = deque(start)
    seen: set[str] = set()
    per_route: Counter = Counter()
    while queue and len(seen) < MAX_PAGES:
        url = queue.popleft()
        parts = urlsplit(url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if path in seen or not parts.path.startswith(prefix) or "logout" in parts.path:
            continue
        route = _route(parts.path)
        if route is None or per_route[route] >= MAX_PAGES_PER_ROUTE:
            continue
        seen.add(path)
        per_route[route] += 1
        response = client.get(path)
        yield path, response
        if response.status_code == 200 and "html" in response.get("Content-Type", ""):
            parser = _Links()
            parser.feed(response.content.decode())
            queue.extend(urljoin(path, link) for link in parser.links if not link.startswith("#"))


@pytest.fixture(scope="module")
def poisoned(django_db_setup, django_db_blocker):
    """The demo organisation with markup in every text field, once for the module."""
    with demo_for_module(django_db_blocker):
        yield _poison_checked()


def _poison_checked() -> Counter:
    changed = poison_every_text_field()
    # The walk below is only as good as the data: the demo fills the main records.
    for label in (
        "objectives.QualityObjective",
        "leadership.PolicyVersion",
        "core.Action",
        "communication.Announcement",
        "engagement.Suggestion",
        "reviews.ManagementReview",
    ):
        assert changed[label] > 0, label
    return changed


def _start_pages(org_slug: str) -> list[str]:
    from tests.security.test_outsiders import ORG_ROUTES

    pages = [f"/{r}".replace("<slug:org_slug>", org_slug) for r in ORG_ROUTES]
    return [p for p in pages if "<" not in p and "(" not in p and not p.startswith("/api/")]


@pytest.mark.parametrize("username", ["quality", "auditor"])
def test_no_page_shows_stored_markup_unescaped(client, poisoned, username):
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username=username))
    client.raise_request_exception = False  # a 500 is collected below, not raised
    shown, failures, errors = 0, [], []
    for path, response in crawl(client, _start_pages("acme"), "/o/acme/"):
        if response.status_code >= 500:
            errors.append(path)
        if "html" not in response.get("Content-Type", "") or response.status_code != 200:
            continue
        html = response.content.decode()
        if "alert(1)" in html:
            shown += 1  # the payload is on this page, escaped or not
        failures += [(path, raw) for raw in RAW if raw in html]
    assert failures == []
    assert errors == []
    assert shown > 30  # the walk reached the poisoned records on many pages


def test_the_public_policy_page_escapes_stored_markup(client, poisoned):
    from qms.core.models import Organization

    org = Organization.objects.get(slug="acme")
    response = client.get(f"/p/{org.slug}/policy/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "alert(1)" in html
    assert not [raw for raw in RAW if raw in html]


def test_the_evidence_packs_report_escapes_stored_markup(poisoned, settings, tmp_path):
    import datetime
    import zipfile

    from django.utils import timezone

    from qms.core.models import Organization
    from qms.evidence import builder
    from qms.evidence.sections import Scope

    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EVIDENCE_SIGNING_KEY_FILE = str(tmp_path / "key.pem")
    today = timezone.localdate()
    scope = Scope(
        Organization.objects.get(slug="acme"), None, today - datetime.timedelta(days=730), today
    )
    built = builder.build(scope, tmp_path / "pack.zip", created_by=PAYLOAD)
    with zipfile.ZipFile(built.path) as archive:
        pages = [n for n in archive.namelist() if n.endswith((".html", ".htm", ".svg"))]
        assert pages
        shown = 0
        for name in pages:
            html = archive.read(name).decode()
            shown += "alert(1)" in html
            assert not [raw for raw in RAW if raw in html], name
        assert shown  # the report did show the poisoned records


@pytest.mark.parametrize(
    ("text", "forbidden"),
    [
        (SCRIPT, "<script"),
        (BREAKOUT, "<img"),
        ("[click](javascript:alert(1))", "javascript:"),
        ("[click](JaVaScRiPt:alert(1))", "avascript:"),
        ("<a href='javascript:alert(1)'>x</a>", "javascript:"),
        ('<a href="data:text/html,<script>alert(1)</script>">x</a>', "data:"),
        ("<iframe src=//evil.example></iframe>", "<iframe"),
        ('<p onclick="alert(1)">x</p>', "onclick"),
        ("<svg><script>alert(1)</script></svg>", "<svg"),
        ("<style>body{display:none}</style>", "<style"),
        ("![x](http://evil.example/track.png)", "<img"),
    ],
)
def test_markdown_drops_markup_that_runs_or_loads(text, forbidden):
    assert forbidden not in render_markdown(text).lower()


def test_markdown_keeps_ordinary_formatting():
    html = render_markdown("## Aim\n\n**Customers** first, see [the site](https://example.com).")
    assert "<h2>Aim</h2>" in html
    assert "<strong>Customers</strong>" in html
    assert 'href="https://example.com"' in html


def test_json_for_charts_cannot_close_its_script_tag(client, poisoned):
    # Chart data travels in <script type="application/json"> (json_script): a title that
    # contains </script> must stay inside it.
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="quality"))
    html = client.get("/o/acme/dashboard/").content.decode()
    for block in re.findall(r'<script[^>]*type="application/json"[^>]*>(.*?)</script>', html, re.S):
        assert "<" not in block


def test_a_requirement_given_an_unknown_monitoring_register_by_the_api_is_refused(
    api_client, client, cast
):
    """The page builds a link from this key: the API must take only the keys the form offers,
    or the requirement's page fails for everyone (it used to answer 500)."""
    from leadership.models import InterestedParty, PartyKind, PartyRequirement
    from leadership.registers_support import PARTIES
    from leadership.services.parties import party_kinds_ensure_standard
    from qms.core.models import Membership
    from qms.core.registers.services import record_create

    party_kinds_ensure_standard(cast.org_a)
    party = record_create(
        register=PARTIES,
        membership=Membership.objects.get(user=cast.quinn, organization=cast.org_a),
        record=InterestedParty(
            title="Buyer", kind=PartyKind.objects.get(organization=cast.org_a, name="Customers")
        ),
    )
    api_client.force_authenticate(cast.quinn)
    response = api_client.post(
        "/api/v1/organizations/acme-test/party-requirements/",
        {"party": party.pk, "title": "On time", "monitoring_register": SCRIPT},
        format="json",
    )
    assert response.status_code == 400
    assert "monitoring_register" in response.json()
    assert not PartyRequirement.objects.filter(party=party).exists()
