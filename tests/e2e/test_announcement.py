"""A quality manager publishes an announcement to a unit; a contributor of that unit sees it
and opens it; the quality manager sees the reach rate change. In a real browser."""

import pytest
from playwright.sync_api import expect

from qms.core.models import Membership, OrgUnit
from tests.e2e.conftest import sign_in
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def plant_one(cast):
    """quinn and carl work at Plant One; the others at the company level."""
    plant = OrgUnit.objects.get(organization=cast.org_a, code="A1")
    company = OrgUnit.objects.get(organization=cast.org_a, code="A")
    Membership.objects.filter(organization=cast.org_a).update(org_unit=company)
    Membership.objects.filter(user__in=[cast.quinn, cast.carl]).update(org_unit=plant)
    return plant


def sign_out(page):
    page.locator("#user-menu").click()
    page.get_by_role("button", name="Sign out").click()


def test_an_announcement_reaches_a_unit_and_its_reach_rate_rises_as_members_read_it(
    page, live_server, plant_one, screenshot
):
    base = f"{live_server.url}/o/acme-test/communication"

    sign_in(page, live_server, "quinn", PASSWORD)
    page.goto(f"{base}/")
    page.get_by_role("link", name="Publish an announcement").first.click()
    page.get_by_label("Title").fill("New first-off inspection checklist")
    page.get_by_label("Body").fill("From Monday, use checklist **QF-112**.")
    page.get_by_label("Units").select_option(label="Plant One")
    page.get_by_role("button", name="Publish").click()
    expect(page.locator("body")).to_contain_text("Published to 2 members")
    # quinn works at Plant One too; opening the page read it: 1 of 2.
    assert "read: 1 of the 2 members" in page.locator("#reach-total").inner_text()
    sign_out(page)

    sign_in(page, live_server, "carl", PASSWORD)
    page.goto(f"{base}/")
    row = page.get_by_role("row", name="New first-off inspection checklist")
    assert "Unread" in row.inner_text()
    row.get_by_role("link").click()
    expect(page.get_by_role("heading", name="New first-off inspection checklist")).to_be_visible()
    assert "You read this on" in page.content()
    assert "Reach" not in page.content()
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot("announcement-contributor-phone")
    page.set_viewport_size({"width": 1280, "height": 800})
    sign_out(page)

    sign_in(page, live_server, "quinn", PASSWORD)
    page.goto(f"{base}/")
    page.get_by_role("link", name="New first-off inspection checklist").click()
    expect(page.locator("#reach-total")).to_contain_text("100%")
    assert "read: 2 of the 2 members" in page.locator("#reach-total").inner_text()
    plant = page.locator("#reach-table").get_by_role("row", name="Plant One")
    assert "100%" in plant.inner_text()
    screenshot("announcement-reach")
