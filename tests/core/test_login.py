"""Signing in and out through the real pages."""

import pytest
from django.urls import reverse

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_member_signs_in_and_lands_on_their_organisation(client, cast):
    response = client.post(reverse("login"), {"username": "carl", "password": PASSWORD})
    assert response.status_code == 302
    landing = client.get(response["Location"])
    assert landing.status_code == 302
    assert landing["Location"] == "/o/acme-test/"
    home = client.get(landing["Location"])
    assert "Welcome, Carl" in home.content.decode()


def test_an_executive_lands_on_the_dashboard(client, cast):
    response = client.post(reverse("login"), {"username": "alice", "password": PASSWORD})
    landing = client.get(response["Location"])
    assert landing["Location"] == "/o/acme-test/dashboard/"
    assert "Executive dashboard" in client.get(landing["Location"]).content.decode()


def test_wrong_password_says_so_and_signs_nobody_in(client, cast):
    response = client.post(reverse("login"), {"username": "alice", "password": "wrong-password"})
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert client.get("/o/acme-test/").status_code == 302  # still sent to the login page


def test_repeated_failures_lock_the_account_for_a_while(client, cast, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "carl", "password": "guess"})
    locked = client.post(reverse("login"), {"username": "carl", "password": PASSWORD})
    assert locked.status_code == 429
    assert "Too many failed sign-in attempts" in locked.content.decode()
    assert "_auth_user_id" not in client.session


def test_sign_out_needs_a_post_and_ends_the_session(client, cast):
    client.force_login(cast.alice)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get("/o/acme-test/").status_code == 302


def test_user_without_membership_is_told_so(client, db):
    from tests.factories import UserFactory

    client.force_login(UserFactory(username="loner"))
    response = client.get("/")
    assert response.status_code == 200
    assert "not a member of any organisation" in response.content.decode()


def test_landing_returns_to_the_organisation_used_last(client, cast):
    from qms.core.roles import Role
    from tests.factories import MembershipFactory

    MembershipFactory(user=cast.quinn, organization=cast.org_b, role=Role.CONTRIBUTOR)
    client.force_login(cast.quinn)
    client.get("/o/beta-rival/")
    assert client.get("/")["Location"] == "/o/beta-rival/"


def test_password_change_rejects_a_weak_password(client, cast):
    client.force_login(cast.alice)
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "12345", "new_password2": "12345"},
    )
    assert response.status_code == 200
    assert "too short" in response.content.decode()
    cast.alice.refresh_from_db()
    assert cast.alice.check_password(PASSWORD)
