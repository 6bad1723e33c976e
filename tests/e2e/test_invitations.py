"""An administrator invites a colleague on a laptop; the colleague accepts on a phone with a
password of their own and lands in the organisation (issue 22, invitations)."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from qms.core.models import Membership
from qms.core.roles import Role
from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_invited_colleague_joins_from_the_e_mail(browser, live_server, demo):
    laptop = browser.new_context(viewport={"width": 1366, "height": 900})
    page = laptop.new_page()
    sign_in(page, live_server, "admin", "demo1234")
    page.wait_for_url(f"{live_server.url}/o/acme/")
    page.goto(f"{live_server.url}/o/acme/people/")
    page.get_by_role("link", name="Invite someone").click()
    expect(page.locator("h1")).to_have_text("Invite someone")
    page.get_by_label("E-mail address").fill("sam.patel@acme.example")
    page.get_by_label("First name").fill("Sam")
    page.get_by_label("Last name").fill("Patel")
    page.get_by_label("Role").select_option(label="Quality manager")
    page.get_by_label("Unit").select_option(label="\u2003Leeds Assembly")
    page.screenshot(path="test-artifacts/people-invite-1366.png", full_page=True)
    page.get_by_role("button", name="Send invitation").click()
    expect(page.locator("body")).to_contain_text("Invitation sent to sam.patel@acme.example")
    expect(page.locator("#invitations-heading")).to_contain_text("1 open")
    page.screenshot(path="test-artifacts/people-invitations-1366.png", full_page=True)
    laptop.close()

    message = mail.outbox[-1]
    link = re.search(r"(/invitations/[^\s/]+/)", message.body).group(1)
    phone = browser.new_context(viewport={"width": 390, "height": 844})
    guest = phone.new_page()
    guest.goto(f"{live_server.url}{link}")
    expect(guest.locator("h1")).to_have_text("Join Acme Precision Ltd")
    assert guest.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    guest.locator("#id_password1").fill("short")
    guest.locator("#id_password2").fill("short")
    guest.get_by_role("button", name="Create my account and join").click()
    expect(guest.get_by_role("alert")).to_contain_text("Your account was not created")
    guest.locator("#id_password1").fill("sam's own long password")
    guest.locator("#id_password2").fill("sam's own long password")
    guest.screenshot(path="test-artifacts/invitation-answer-390.png", full_page=True)
    guest.get_by_role("button", name="Create my account and join").click()
    expect(guest.locator("body")).to_contain_text("Welcome to Acme Precision Ltd")
    assert guest.url == f"{live_server.url}/o/acme/"
    membership = Membership.objects.get(user__email="sam.patel@acme.example")
    assert membership.role == Role.QUALITY_MANAGER and membership.org_unit.name == "Leeds Assembly"
    phone.close()
