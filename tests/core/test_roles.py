"""What each role may do on the core pages."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def url(name):
    return reverse(name, kwargs={"org_slug": "acme-test"})


@pytest.mark.parametrize(
    ("username", "status"),
    [("adam", 200), ("quinn", 200), ("alice", 403), ("carl", 403), ("audrey", 403)],
)
def test_system_page_is_for_admins_and_quality_managers(client, cast, username, status):
    client.force_login(getattr(cast, username))
    assert client.get(url("core:system")).status_code == status


@pytest.mark.parametrize(
    ("username", "status"),
    [("adam", 200), ("quinn", 200), ("alice", 200), ("audrey", 200), ("carl", 403)],
)
def test_audit_trail_is_not_for_contributors(client, cast, username, status):
    client.force_login(getattr(cast, username))
    assert client.get(url("core:audit-trail")).status_code == status


@pytest.mark.parametrize("username", ["quinn", "alice", "carl", "audrey"])
def test_only_admins_may_queue_a_test_task(client, cast, username):
    from qms.core.models import WorkerHeartbeat

    client.force_login(getattr(cast, username))
    assert client.post(url("core:system-test-task")).status_code == 403
    assert not WorkerHeartbeat.objects.exists()


def test_navigation_shows_each_role_only_its_pages(client, cast):
    client.force_login(cast.carl)
    html = client.get(url("core:org-home")).content.decode()
    assert "Audit trail" not in html
    assert ">System<" not in html
    client.force_login(cast.adam)
    html = client.get(url("core:org-home")).content.decode()
    assert "Audit trail" in html and ">System<" in html


def test_auditor_cannot_write_through_the_api(api_client, cast):
    api_client.force_authenticate(cast.audrey)
    response = api_client.post(
        reverse("membership-list", kwargs={"org_slug": "acme-test"}), {"role": "admin"}
    )
    assert response.status_code == 403


def test_the_leadership_menu_is_in_sections_with_headings(client, cast):
    from django.urls import reverse

    client.force_login(cast.quinn)
    page = client.get(reverse("core:org-home", args=["acme-test"])).content.decode()
    headings = [h for h in ("Direction", "Engagement", "Communication", "People", "Processes")
                if f'<h2 class="dropdown-header">{h}</h2>' in page]  # fmt: skip
    assert headings == ["Direction", "Engagement", "Communication", "People", "Processes"]
    assert page.index(">Policy<") < page.index(">Quality board<") < page.index(">Certificate<")
