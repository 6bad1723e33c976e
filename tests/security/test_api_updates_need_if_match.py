"""Every API update names the version it changes (issue 20, lost updates).

The walk: every viewset the organisation router offers with an update (PUT or PATCH) is asked,
on a real record of the demo, to change it without If-Match. Each must answer 428 and change
nothing, so a script that read a record, waited and wrote it back cannot silently replace a
colleague's change. A new endpoint with an update is walked without anyone listing it; one
whose demo has no record, or that does not stand on the organisation mixin, fails here.
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient, APIRequestFactory

import qms.api_urls  # noqa: F401  (registers every app's viewsets on the router)
from qms.core.api.routers import organization_router
from qms.core.api.scoping import OrganizationScopedViewSetMixin
from qms.core.concurrency import version_of
from tests.seeded import demo_for_module

pytestmark = pytest.mark.django_db

# Who tries: the quality manager, who may write almost everything; where only someone else may
# change the record (the executive who logged a leadership activity), the demo's other members
# in turn until one is let through.
FIRST = "quality"

UPDATABLE = sorted(
    (prefix, viewset, basename)
    for prefix, viewset, basename in organization_router.registry
    if hasattr(viewset, "update") or hasattr(viewset, "partial_update")
)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with demo_for_module(django_db_blocker) as context:
        yield context


def _a_record(viewset, context):
    view = viewset()
    membership = context.members["quality"]
    view.request = APIRequestFactory().get("/")
    view.request.user = membership.user
    view.kwargs, view.action, view.format_kwarg = {}, "retrieve", None
    view.organization, view.membership = membership.organization, membership
    return view.get_queryset().order_by("pk").first(), view.lookup_field


def test_the_walk_finds_the_updates():
    assert {prefix for prefix, _, _ in UPDATABLE} >= {"risks", "objectives", "actions"}


@pytest.mark.parametrize(
    ("prefix", "viewset", "basename"), UPDATABLE, ids=[u[0] for u in UPDATABLE]
)
def test_an_update_without_if_match_is_refused_with_428_and_changes_nothing(
    demo, prefix, viewset, basename
):
    assert issubclass(viewset, OrganizationScopedViewSetMixin), (
        f"{prefix}: an organisation's records are changed through OrganizationScopedViewSetMixin"
    )
    record, lookup_field = _a_record(viewset, demo)
    assert record is not None, f"{prefix}: the demo has no record to change; seed one"
    url = reverse(
        f"{basename}-detail",
        kwargs={"org_slug": demo.organization.slug, lookup_field: getattr(record, lookup_field)},
    )
    version = version_of(record)
    answers = {}
    for username in sorted(demo.members, key=lambda name: name != FIRST):
        client = APIClient()
        client.force_authenticate(demo.members[username].user)
        read = client.get(url)
        if read.status_code == 403:  # not among the readers of such records
            continue
        assert read.status_code == 200
        for method, handler in (("patch", "partial_update"), ("put", "update")):
            if method not in viewset.http_method_names or not hasattr(viewset, handler):
                continue
            response = getattr(client, method)(url, read.json(), format="json")
            answers[username, method] = response.status_code
            if response.status_code != 403:
                assert response.status_code == 428, (prefix, username, method, response.json())
                assert response.json()["detail"].startswith("Send If-Match with the ETag of the")
                assert f"GET {url} answers it in its ETag header" in response.json()["detail"]
        if any(code == 428 for (who, _), code in answers.items() if who == username):
            break
    assert 428 in answers.values(), f"{prefix}: no one allowed to change it ({answers})"
    assert version_of(type(record)._base_manager.get(pk=record.pk)) == version
