"""Every edit page of an existing record carries the version it was opened on, so a new edit
form cannot forget the stale-edit check (`qms.core.forms.StaleEditMixin`).

The edit pages are found from the URL configuration (every page route named "...edit",
the registers' "<key>-edit" included) and their real paths by walking the seeded demo, as the
permission matrix does."""

import pytest
from django.test import Client
from django.urls import resolve

from tests.page_forms import edit_form
from tests.security.routes import all_routes, discover, is_api, sample_url
from tests.seeded import demo_for_module

pytestmark = pytest.mark.django_db

EDITORS = ("quality", "admin", "executive")  # between them, every edit page is theirs


def _edit_routes() -> list[str]:
    routes, _ = all_routes()
    return [
        route
        for route in routes
        if not is_api(route)
        and route.count("<") > 1  # an existing record's page, not the "new" one
        and (resolve(sample_url(route)).url_name or "").endswith("edit")
    ]


def _draft_a_policy_version(context) -> None:
    """The demo's policy is published; its edit page exists only for a draft."""
    from leadership.services.policy import policy_get_or_create, policy_version_create_draft

    quality = context.members["quality"]
    policy = policy_get_or_create(organization=context.organization, actor=quality.user)
    policy_version_create_draft(policy=policy, membership=quality, change_summary="Review")


@pytest.fixture(scope="module")
def walked(django_db_setup, django_db_blocker):
    with demo_for_module(django_db_blocker) as context:
        slug = context.organization.slug
        _draft_a_policy_version(context)
        routes = [r for r in all_routes()[0] if not is_api(r)]
        clients, found, read = {}, {}, set()
        for who in EDITORS:
            clients[who] = Client()
            clients[who].force_login(context.members[who].user)
            discover(clients[who], slug, routes, found=found, read=read)
        yield clients, found


def test_the_walk_finds_the_edit_pages_of_the_registers_objectives_and_actions():
    names = {resolve(sample_url(route)).url_name for route in _edit_routes()}
    assert {"risks-edit", "context-issues-edit", "edit", "action-edit", "policy-edit"} <= names


@pytest.mark.parametrize("route", _edit_routes())
def test_every_edit_page_of_an_existing_record_carries_its_version(walked, route):
    clients, found = walked
    assert route in found, f"the demo walk found no record for {route}: seed one"
    pages = [clients[who].get(found[route]) for who in EDITORS]
    opened = [page for page in pages if page.status_code == 200]
    assert opened, f"no editor could open {found[route]}"
    for page in opened:
        form = edit_form(page.content)  # fails if no POST form has the version field
        assert len(form["loaded_version"]) == 1 and len(form["loaded_version"][0]) == 20
