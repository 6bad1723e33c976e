"""An administrator invites people by e-mail; the invited person accepts with a new password,
an existing account or the company sign-in; links expire, are replaced by a new send and can
be withdrawn (issue 22, invitations)."""

import datetime
import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from qms.core import audit
from qms.core.invitations import services
from qms.core.invitations.models import Invitation
from qms.core.models import Membership, OrgUnit
from qms.core.roles import Role
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "a long enough pass 42"


def _browser(user=None) -> Client:
    browser = Client()
    if user is not None:
        browser.force_login(user)
    return browser


def _invite(browser, cast, capture, **fields):
    data = {
        "email": "nina@example.test",
        "first_name": "Nina",
        "last_name": "New",
        "role": "contributor",
    }
    data.update(fields)
    with capture(execute=True):
        return browser.post(reverse("core:invite", args=[cast.org_a.slug]), data)


def _link(message) -> str:
    found = re.search(r"https?://[^\s]*(/invitations/[^\s/]+/)", message.body) or re.search(
        r"(/invitations/[^\s/]+/)", message.body
    )
    assert found, message.body
    return found.group(1)


def test_an_invited_person_joins_with_their_own_password(cast, django_capture_on_commit_callbacks):
    unit = OrgUnit.objects.filter(organization=cast.org_a).first()
    admin = _browser(cast.adam)
    answer = _invite(
        admin,
        cast,
        django_capture_on_commit_callbacks,
        role="quality_manager",
        org_unit=unit.pk,
        job_title="Quality engineer",
    )
    assert answer.status_code == 302
    people = admin.get(reverse("core:members", args=[cast.org_a.slug])).content.decode()
    assert "Invitation sent to nina@example.test" in people
    assert "Nina New" in people and "Waiting" in people

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["nina@example.test"]
    assert "Adam Test invited you to join" in message.body
    assert "as quality manager" in message.body
    link = _link(message)

    guest = _browser()
    page = guest.get(link)
    assert page.status_code == 200
    text = page.content.decode()
    assert f"Join {cast.org_a.name}" in text
    assert "Adam Test invited nina@example.test as quality manager" in text

    answer = guest.post(
        link,
        {"first_name": "Nina", "last_name": "New", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert answer.status_code == 302
    assert answer["Location"] == reverse("core:org-home", args=[cast.org_a.slug])
    user = get_user_model().objects.get(email="nina@example.test")
    assert user.username == "nina@example.test" and user.check_password(PASSWORD)
    membership = Membership.objects.get(user=user, organization=cast.org_a)
    assert (membership.role, membership.org_unit, membership.job_title) == (
        Role.QUALITY_MANAGER,
        unit,
        "Quality engineer",
    )
    # Signed in: the organisation's home opens.
    assert guest.get(answer["Location"]).status_code == 200
    invitation = Invitation.objects.get(email="nina@example.test")
    assert invitation.accepted_at is not None and invitation.membership == membership
    # Accepted, the invitation leaves People's open list; the link now says so.
    assert (
        "Waiting" not in admin.get(reverse("core:members", args=[cast.org_a.slug])).content.decode()
    )
    assert _browser().get(link).status_code == 410
    # The trail says who invited and who joined.
    trail = [(e.model_label, e.action, e.who) for e in audit.organization_trail(cast.org_a.id)]
    assert ("invitation", "created", "Adam Test") in trail
    assert ("membership", "created", "Nina New") in trail


def test_the_password_rules_apply_and_a_refusal_creates_nothing(
    cast, django_capture_on_commit_callbacks
):
    _invite(_browser(cast.adam), cast, django_capture_on_commit_callbacks)
    link = _link(mail.outbox[0])
    guest = _browser()
    for first, second, said in [
        ("short", "short", "too short"),
        (PASSWORD, PASSWORD + "x", "The two passwords differ"),
    ]:
        answer = guest.post(
            link,
            {"first_name": "Nina", "last_name": "New", "password1": first, "password2": second},
        )
        assert answer.status_code == 400
        assert said in answer.content.decode()
        assert "Your account was not created" in answer.content.decode()
    assert not get_user_model().objects.filter(email="nina@example.test").exists()
    assert Invitation.objects.get().accepted_at is None


@pytest.mark.parametrize("username", ["alice", "quinn", "carl", "audrey"])
def test_only_administrators_invite(cast, username, django_capture_on_commit_callbacks):
    user = getattr(cast, username)
    answer = _invite(_browser(user), cast, django_capture_on_commit_callbacks)
    assert answer.status_code == 403
    assert not Invitation.objects.exists() and not mail.outbox
    people = _browser(user).get(reverse("core:members", args=[cast.org_a.slug])).content.decode()
    assert "Invite someone" not in people


def test_members_and_open_invitations_are_not_invited_twice(
    cast, django_capture_on_commit_callbacks
):
    admin = _browser(cast.adam)
    answer = _invite(admin, cast, django_capture_on_commit_callbacks, email="CARL@example.test")
    assert answer.status_code == 400
    assert (
        "Carl Test (carl@example.test) is already a member (contributor)" in answer.content.decode()
    )

    assert _invite(admin, cast, django_capture_on_commit_callbacks).status_code == 302
    again = _invite(admin, cast, django_capture_on_commit_callbacks, role="executive")
    assert again.status_code == 400
    assert "was already invited on" in again.content.decode()
    assert Invitation.objects.count() == 1 and len(mail.outbox) == 1


def test_an_auditor_is_invited_with_an_end_to_their_access(
    cast, django_capture_on_commit_callbacks
):
    admin = _browser(cast.adam)
    answer = _invite(admin, cast, django_capture_on_commit_callbacks, role="auditor")
    assert answer.status_code == 400
    assert "give the last day of their access" in answer.content.decode()
    assert not Invitation.objects.exists()

    last_day = timezone.localdate() + datetime.timedelta(days=20)
    _invite(
        admin, cast, django_capture_on_commit_callbacks, role="auditor", access_expires_on=last_day
    )
    assert "Your access is read-only and ends after" in mail.outbox[0].body
    guest = _browser()
    link = _link(mail.outbox[0])
    guest.post(
        link,
        {"first_name": "Nina", "last_name": "New", "password1": PASSWORD, "password2": PASSWORD},
    )
    membership = Membership.objects.get(user__email="nina@example.test")
    assert (membership.role, membership.access_expires_on) == (Role.AUDITOR, last_day)


def test_a_new_send_replaces_the_link_and_withdrawing_closes_it(
    cast, django_capture_on_commit_callbacks
):
    admin = _browser(cast.adam)
    _invite(admin, cast, django_capture_on_commit_callbacks)
    invitation = Invitation.objects.get()
    first_link = _link(mail.outbox[0])
    with django_capture_on_commit_callbacks(execute=True):
        admin.post(reverse("core:invitation-resend", args=[cast.org_a.slug, invitation.pk]))
    assert len(mail.outbox) == 2
    second_link = _link(mail.outbox[1])
    assert second_link != first_link
    replaced = _browser().get(first_link)
    assert replaced.status_code == 404
    assert "replaced by a newer invitation e-mail" in replaced.content.decode()
    assert _browser().get(second_link).status_code == 200

    admin.post(reverse("core:invitation-revoke", args=[cast.org_a.slug, invitation.pk]))
    guest = _browser()
    closed = guest.get(second_link)
    assert closed.status_code == 410
    assert "was withdrawn on" in closed.content.decode()
    refused = guest.post(
        second_link,
        {"first_name": "N", "last_name": "N", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert refused.status_code == 410
    assert not get_user_model().objects.filter(email="nina@example.test").exists()


def test_an_expired_link_is_refused_and_sending_again_renews_it(
    cast, django_capture_on_commit_callbacks
):
    admin = _browser(cast.adam)
    _invite(admin, cast, django_capture_on_commit_callbacks)
    invitation = Invitation.objects.get()
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    link = _link(mail.outbox[0])
    guest = _browser()
    expired = guest.post(
        link, {"first_name": "N", "last_name": "N", "password1": PASSWORD, "password2": PASSWORD}
    )
    assert expired.status_code == 410
    assert "expired on" in expired.content.decode() and "Ask Adam Test" in expired.content.decode()
    assert not get_user_model().objects.filter(email="nina@example.test").exists()
    people = admin.get(reverse("core:members", args=[cast.org_a.slug])).content.decode()
    assert "Expired" in people
    # A new invitation to the same address replaces the expired one.
    assert _invite(admin, cast, django_capture_on_commit_callbacks).status_code == 302
    assert Invitation.objects.open().count() == 1
    assert _browser().get(_link(mail.outbox[-1])).status_code == 200


@pytest.mark.parametrize(
    "token",
    ["nonsense", "eyJpIjoxLCJuIjoieCJ9:forged:signature", "a" * 300],
)
def test_a_made_up_link_opens_nothing(cast, token):
    answer = _browser().get(reverse("invitation", args=[token]))
    assert answer.status_code == 404
    assert "This invitation link is not valid" in answer.content.decode()


def test_another_organisations_administrator_cannot_touch_the_invitation(
    cast, django_capture_on_commit_callbacks
):
    _invite(_browser(cast.adam), cast, django_capture_on_commit_callbacks)
    invitation = Invitation.objects.get()
    other_admin = MembershipFactory(organization=cast.org_b, role=Role.ADMIN).user
    browser = _browser(other_admin)
    for name in ("core:invitation-resend", "core:invitation-revoke"):
        assert browser.post(reverse(name, args=[cast.org_b.slug, invitation.pk])).status_code == 404
        assert browser.post(reverse(name, args=[cast.org_a.slug, invitation.pk])).status_code == 404
    invitation.refresh_from_db()
    assert invitation.revoked_at is None and len(mail.outbox) == 1
    assert (
        "nina@example.test"
        not in browser.get(reverse("core:members", args=[cast.org_b.slug])).content.decode()
    )


def test_someone_with_an_account_signs_in_and_accepts(cast, django_capture_on_commit_callbacks):
    user = UserFactory(username="nina", email="Nina@Example.test", first_name="Nina")
    _invite(_browser(cast.adam), cast, django_capture_on_commit_callbacks, role="executive")
    link = _link(mail.outbox[0])
    page = _browser().get(link).content.decode()
    assert "already has an account here" in page and "Sign in to accept" in page

    stranger = _browser(cast.bob)
    wrong = stranger.post(link)
    assert wrong.status_code == 400
    assert "This invitation was sent to nina@example.test" in wrong.content.decode()
    assert not Membership.objects.filter(user=cast.bob, organization=cast.org_a).exists()

    answer = _browser(user).post(link)
    assert answer.status_code == 302
    assert Membership.objects.get(user=user, organization=cast.org_a).role == Role.EXECUTIVE
    # A second click on the same link goes to the organisation.
    again = _browser(user).get(link)
    assert again.status_code == 302 and again["Location"].endswith(f"/o/{cast.org_a.slug}/")


def test_a_company_sign_in_waiting_for_a_role_gets_the_invited_one(
    cast, django_capture_on_commit_callbacks
):
    _invite(_browser(cast.adam), cast, django_capture_on_commit_callbacks, role="executive")
    # The first company sign-in, after the invitation, made a membership waiting for a role.
    user = UserFactory(username="nina@example.test", email="nina@example.test")
    Membership.objects.create(
        user=user, organization=cast.org_a, role=Role.CONTRIBUTOR, is_active=False
    )
    assert _browser(user).post(_link(mail.outbox[0])).status_code == 302
    membership = Membership.objects.get(user=user, organization=cast.org_a)
    assert membership.is_active and membership.role == Role.EXECUTIVE


def test_accepting_twice_at_once_makes_one_membership(cast, django_capture_on_commit_callbacks):
    _invite(_browser(cast.adam), cast, django_capture_on_commit_callbacks)
    invitation = Invitation.objects.get()
    user = UserFactory(username="nina", email="nina@example.test")
    services.invitation_accept(invitation=invitation, user=user)
    with pytest.raises(services.TransitionError, match="was accepted on"):
        services.invitation_accept(invitation=invitation, user=user)
    assert Membership.objects.filter(user=user).count() == 1


def test_people_costs_the_same_with_many_open_invitations(cast):
    adam = Membership.objects.get(user=cast.adam, organization=cast.org_a)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            page = _browser(cast.adam).get(reverse("core:members", args=[cast.org_a.slug]))
        assert page.status_code == 200
        return len(queries)

    def add(n):
        for i in range(n):
            Invitation.objects.create(
                organization=cast.org_a,
                email=f"p{Invitation.objects.count()}-{i}@example.test",
                role=Role.CONTRIBUTOR,
                invited_by=adam,
                org_unit=OrgUnit.objects.filter(organization=cast.org_a).first(),
                expires_at=timezone.now() + datetime.timedelta(days=3),
            )

    add(2)
    few = count()
    add(60)
    assert count() == few
    page = _browser(cast.adam).get(reverse("core:members", args=[cast.org_a.slug])).content.decode()
    assert "Invitations (50+ open)" in page


# --- the API: the same rules as People --------------------------------------------------------


def _api(user):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(user)
    return client


def _api_url(cast, suffix=""):
    return f"/api/v1/organizations/{cast.org_a.slug}/invitations/{suffix}"


def test_an_administrator_invites_resends_and_withdraws_through_the_api(
    cast, django_capture_on_commit_callbacks
):
    api = _api(cast.adam)
    unit = OrgUnit.objects.filter(organization=cast.org_a).first()
    with django_capture_on_commit_callbacks(execute=True):
        made = api.post(
            _api_url(cast),
            {"email": "Nina@Example.test", "role": "auditor", "org_unit": unit.pk,
             "access_expires_on": str(timezone.localdate() + datetime.timedelta(days=5))},
            format="json",
        )  # fmt: skip
    assert made.status_code == 201, made.json()
    body = made.json()
    assert (body["email"], body["role"], body["state"], body["org_unit"]) == (
        "nina@example.test",
        "auditor",
        "pending",
        unit.pk,
    )
    assert len(mail.outbox) == 1
    assert [i["id"] for i in api.get(_api_url(cast)).json()["results"]] == [body["id"]]

    with django_capture_on_commit_callbacks(execute=True):
        again = api.post(_api_url(cast, f"{body['id']}/resend/"))
    assert again.status_code == 200 and len(mail.outbox) == 2
    gone = api.post(_api_url(cast, f"{body['id']}/revoke/"))
    assert gone.status_code == 200 and gone.json()["state"] == "revoked"
    assert api.post(_api_url(cast, f"{body['id']}/revoke/")).status_code == 409
    assert api.get(_api_url(cast)).json()["results"] == []
    assert len(api.get(_api_url(cast) + "?all=1").json()["results"]) == 1


@pytest.mark.parametrize(
    "data, field, said",
    [
        ({"email": "carl@example.test", "role": "contributor"}, "email", "already a member"),
        ({"email": "x@example.test", "role": "auditor"}, "access_expires_on", "time-boxed"),
        ({"email": "x@example.test", "role": "owner"}, "role", "not a valid choice"),
        ({"email": "not an address", "role": "contributor"}, "email", "valid email"),
        ({"email": "x@example.test", "role": "contributor", "org_unit": 999999}, "org_unit",
         "no unit 999999 in this organisation"),
        ({"email": "x" * 250 + "@example.test", "role": "contributor"}, "email", "254"),
    ],
)  # fmt: skip
def test_the_api_refuses_a_bad_invitation_and_sends_nothing(
    cast, data, field, said, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        answer = _api(cast.adam).post(_api_url(cast), data, format="json")
    assert answer.status_code == 400
    assert said.lower() in " ".join(answer.json()[field]).lower()
    assert not Invitation.objects.exists() and not mail.outbox


@pytest.mark.parametrize("username", ["alice", "quinn", "carl", "audrey", "bob"])
def test_only_the_organisations_administrators_use_the_invitations_api(cast, username):
    api = _api(getattr(cast, username))
    assert api.get(_api_url(cast)).status_code in (403, 404)
    answer = api.post(_api_url(cast), {"email": "x@example.test", "role": "admin"}, format="json")
    assert answer.status_code in (403, 404)
    assert not Invitation.objects.exists()


def test_a_leaver_cannot_come_back_through_an_invitation_still_open(
    cast, django_capture_on_commit_callbacks
):
    """Invited, then joined through the company sign-in, then deactivated: the invitation still
    open let them back in with its role (sixth issue-20 try-out). Deactivating withdraws it,
    and accepting refuses a membership an administrator ended."""
    from qms.core import services as core_services

    _invite(_browser(cast.adam), cast, django_capture_on_commit_callbacks, role="quality_manager")
    invitation = Invitation.objects.get()
    user = UserFactory(username="nina@example.test", email="nina@example.test")
    joined = Membership.objects.create(user=user, organization=cast.org_a, role=Role.CONTRIBUTOR)
    adam = Membership.objects.get(user=cast.adam, organization=cast.org_a)
    core_services.membership_deactivate(membership=joined, actor=adam, give_all_to=None, give_to={})
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    answer = _browser(user).post(_link(mail.outbox[0]))
    assert answer.status_code == 410 and "was withdrawn on" in answer.content.decode()
    joined.refresh_from_db()
    assert joined.has_left and joined.role == Role.CONTRIBUTOR
    # Even an invitation that escaped the withdrawal (made by hand) is refused.
    Invitation.objects.filter(pk=invitation.pk).update(revoked_at=None, revoked_by=None)
    with pytest.raises(services.TransitionError, match="was ended by an administrator on"):
        services.invitation_accept(invitation=invitation, user=user)
    joined.refresh_from_db()
    assert joined.has_left
