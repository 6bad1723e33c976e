"""An auditor limited to one site, on a phone: the home page says what they can open, the menu
offers only that, and a page of the whole organisation says why it is closed."""

import pytest
from playwright.sync_api import expect

from qms.core.models import Membership, OrgUnit
from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_unit_auditor_finds_their_part_and_is_told_what_is_closed(
    page, live_server, demo, screenshot
):
    sheffield = OrgUnit.objects.get(organization__slug="acme", code="SHF")
    Membership.objects.filter(user__username="auditor").update(org_unit=sheffield)
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, live_server, "auditor", "demo1234")
    page.goto(f"{live_server.url}/o/acme/")
    assert page.get_by_text("Your access is limited to Sheffield Machining").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    screenshot("unit-auditor-home-phone")
    page.get_by_role("button", name="Show navigation").click()
    menu = page.locator("#main-nav").inner_text()
    assert "Audit trail" not in menu and "People" not in menu
    page.goto(f"{live_server.url}/o/acme/audit-trail/")
    assert page.get_by_role("heading", name="Outside your audit scope").is_visible()
    screenshot("unit-auditor-refused-phone")
    page.get_by_role("link", name="What you can open").click()
    page.wait_for_url(f"{live_server.url}/o/acme/")
    page.locator("main").get_by_role("link", name="Quality objectives").click()
    page.wait_for_url(f"{live_server.url}/o/acme/objectives/*")
    expect(page.locator("main")).to_contain_text("OBJ-04")
