"""A member sees only their own organisation; strangers get 404, expired auditors a clear 403."""

import pytest
from django.urls import reverse
from django.utils import timezone

pytestmark = pytest.mark.django_db

ORG_PAGES = ["core:org-home", "core:members", "core:org-units", "core:audit-trail"]
ORG_API = ["organization-detail", "membership-list", "org-unit-list"]


@pytest.mark.parametrize("name", ORG_PAGES)
def test_member_of_another_organisation_gets_404_on_pages(client, cast, name):
    client.force_login(cast.bob)
    response = client.get(reverse(name, kwargs={"org_slug": "acme-test"}))
    assert response.status_code == 404


@pytest.mark.parametrize("name", ORG_PAGES)
def test_unknown_organisation_is_404_like_a_foreign_one(client, cast, name):
    client.force_login(cast.alice)
    assert client.get(reverse(name, kwargs={"org_slug": "no-such-org"})).status_code == 404


@pytest.mark.parametrize("name", ORG_PAGES)
def test_anonymous_visitor_is_sent_to_login(client, cast, name):
    url = reverse(name, kwargs={"org_slug": "acme-test"})
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("name", ORG_API)
def test_member_of_another_organisation_gets_404_from_the_api(api_client, cast, name):
    api_client.force_authenticate(cast.bob)
    response = api_client.get(reverse(name, kwargs={"org_slug": "acme-test"}))
    assert response.status_code == 404


@pytest.mark.parametrize("name", ORG_API)
def test_anonymous_api_call_is_401(api_client, cast, name):
    response = api_client.get(reverse(name, kwargs={"org_slug": "acme-test"}))
    assert response.status_code == 401


def test_api_lists_only_the_callers_organisations(api_client, cast):
    api_client.force_authenticate(cast.bob)
    slugs = [o["slug"] for o in api_client.get(reverse("organization-list")).json()["results"]]
    assert slugs == ["beta-rival"]


def test_api_members_are_only_this_organisations(api_client, cast):
    api_client.force_authenticate(cast.quinn)
    results = api_client.get(reverse("membership-list", kwargs={"org_slug": "acme-test"})).json()
    usernames = {m["user"]["username"] for m in results["results"]}
    assert "bob" not in usernames
    assert {"alice", "quinn", "carl", "audrey", "adam"} <= usernames


def test_api_membership_of_another_organisation_by_id_is_404(api_client, cast):
    from qms.core.models import Membership

    bobs = Membership.objects.get(user=cast.bob)
    api_client.force_authenticate(cast.quinn)
    url = reverse("membership-detail", kwargs={"org_slug": "acme-test", "pk": bobs.pk})
    assert api_client.get(url).status_code == 404


def _attempts(user):
    from qms.evidence.models import AuditorAccess

    return list(
        AuditorAccess.objects.filter(membership__user=user).values_list(
            "kind", "path", "status_code"
        )
    )


def test_expired_auditor_is_told_access_expired_on_pages_and_the_attempt_is_logged(client, cast):
    client.force_login(cast.eddie)
    url = reverse("core:org-home", kwargs={"org_slug": "acme-test"})
    response = client.get(url)
    assert response.status_code == 403
    assert "expired" in response.content.decode()
    assert "Access expired" in response.content.decode()
    assert _attempts(cast.eddie) == [("page", url, 403)]


def test_expired_auditor_is_told_access_expired_by_the_api_and_the_attempt_is_logged(
    api_client, cast
):
    api_client.force_authenticate(cast.eddie)
    url = reverse("membership-list", kwargs={"org_slug": "acme-test"})
    response = api_client.get(url)
    assert response.status_code == 403
    assert "expired on" in response.json()["detail"]
    assert _attempts(cast.eddie) == [("api", url, 403)]


def test_expired_auditor_signing_in_is_told_when_their_access_ended(client, cast):
    from django.utils import formats

    from qms.core.models import Membership

    ended = Membership.objects.get(user=cast.eddie).access_expires_on
    client.force_login(cast.eddie)
    response = client.get("/")
    page = response.content.decode()
    assert "not a member of any organisation" not in page
    day = formats.date_format(ended, "j F Y")
    assert f"Your access to Acme Test Ltd ended on {day}" in page
    assert _attempts(cast.eddie) == [("page", "/", 403)]


def test_a_member_of_no_organisation_is_told_so_and_nothing_is_logged(client, cast):
    from qms.core.models import Membership

    Membership.objects.filter(user=cast.carl).delete()
    client.force_login(cast.carl)
    assert "not a member of any organisation" in client.get("/").content.decode()
    assert _attempts(cast.carl) == []


def test_auditor_with_current_access_reads_the_organisation(client, cast):
    client.force_login(cast.audrey)
    assert client.get(reverse("core:org-home", kwargs={"org_slug": "acme-test"})).status_code == 200


def test_deactivated_membership_is_refused_with_a_sentence(client, cast):
    """The member knew the organisation: they are told their membership ended (issue 22),
    where a stranger still gets 404."""
    from qms.core.models import Membership

    Membership.objects.filter(user=cast.carl).update(is_active=False, deactivated_at=timezone.now())
    client.force_login(cast.carl)
    page = client.get(reverse("core:org-home", kwargs={"org_slug": "acme-test"}))
    assert page.status_code == 403
    assert "Your membership of Acme Test Ltd has been ended by its administrator" in (
        page.content.decode()
    )


def test_membership_waiting_for_a_role_is_treated_as_no_membership(client, cast):
    from qms.core.models import Membership

    Membership.objects.filter(user=cast.carl).update(is_active=False)
    client.force_login(cast.carl)
    assert client.get(reverse("core:org-home", kwargs={"org_slug": "acme-test"})).status_code == 404


def test_org_switcher_lists_only_the_users_organisations(client, cast):
    client.force_login(cast.alice)
    html = client.get(reverse("core:org-home", kwargs={"org_slug": "acme-test"})).content.decode()
    assert "Acme Test Ltd" in html
    assert "Beta Rival" not in html


def test_an_expired_auditor_asking_the_api_for_the_organisation_is_refused_and_logged(
    api_client, cast
):
    api_client.force_authenticate(cast.eddie)
    url = reverse("organization-detail", kwargs={"org_slug": "acme-test"})
    response = api_client.get(url)
    assert response.status_code == 403
    assert "expired on" in response.json()["detail"]
    assert _attempts(cast.eddie) == [("api", url, 403)]


def test_the_api_lists_an_ended_membership_with_its_end_and_no_role(api_client, cast):
    """As the page after sign-in does: the organisation, the day access ended, and no role to
    act in (its pages and endpoints refuse)."""
    from qms.core.models import Membership

    ended = Membership.objects.get(user=cast.eddie).access_expires_on
    api_client.force_authenticate(cast.eddie)
    listed = api_client.get(reverse("organization-list")).json()["results"]
    assert listed == [
        {
            "slug": "acme-test",
            "name": "Acme Test Ltd",
            "currency": listed[0]["currency"],
            "my_role": None,
            "access_ended_on": ended.isoformat(),
        }
    ]
    api_client.force_authenticate(cast.audrey)
    current = api_client.get(reverse("organization-list")).json()["results"]
    assert [(o["my_role"], o["access_ended_on"]) for o in current] == [("auditor", None)]


def test_the_access_expired_page_offers_other_organisations_only_to_who_has_some(client, cast):
    from qms.core.models import Membership
    from tests.factories import MembershipFactory

    url = reverse("core:org-home", kwargs={"org_slug": "acme-test"})
    client.force_login(cast.eddie)
    page = client.get(url).content.decode()
    assert "Access expired" in page and "other organisations" not in page
    MembershipFactory(user=cast.eddie, organization=cast.org_b, role="contributor")
    assert "Go to your other organisations" in client.get(url).content.decode()
    # One whose access there ended too has still none to go to.
    Membership.objects.filter(user=cast.eddie, organization=cast.org_b).update(is_active=False)
    assert "other organisations" not in client.get(url).content.decode()


@pytest.mark.parametrize("who", ["expired auditor", "leaver"])
def test_an_ended_membership_reads_the_same_in_the_api_whoever_ended_it(api_client, cast, who):
    """An auditor past their last day and a member an administrator deactivated: both see the
    organisation listed with the day their membership ended and no role, and every endpoint of
    it refuses with a sentence saying why (a leaver's list was empty: fifth try-out)."""
    import datetime

    from qms.core.models import Membership

    if who == "leaver":
        user, ended = cast.carl, datetime.date(2026, 11, 20)
        Membership.objects.filter(user=user).update(
            is_active=False,
            deactivated_at=datetime.datetime(2026, 11, 20, 15, 0, tzinfo=datetime.UTC),
        )
        says = "Your membership of Acme Test Ltd has been ended by its administrator (on 20"
    else:
        user = cast.eddie
        ended = Membership.objects.get(user=user).access_expires_on
        says = "Your access to Acme Test Ltd expired on"
    api_client.force_authenticate(user)
    listed = api_client.get(reverse("organization-list")).json()["results"]
    assert [(o["slug"], o["my_role"], o["access_ended_on"]) for o in listed] == [
        ("acme-test", None, ended.isoformat())
    ]
    for url in (
        reverse("organization-detail", kwargs={"org_slug": "acme-test"}),
        "/api/v1/organizations/acme-test/objectives/",
        "/api/v1/organizations/acme-test/memberships/",
    ):
        response = api_client.get(url)
        assert response.status_code == 403, url
        assert response.json()["detail"].startswith(says), url


def test_a_membership_waiting_for_its_first_role_is_not_listed_in_the_api(api_client, cast):
    from qms.core.models import Membership

    Membership.objects.filter(user=cast.carl).update(is_active=False, deactivated_at=None)
    api_client.force_authenticate(cast.carl)
    assert api_client.get(reverse("organization-list")).json()["results"] == []
