"""Draft → approve → publish → acknowledge, by three people in a real browser."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def sign_out(page):
    page.locator("#user-menu").click()
    page.get_by_role("button", name="Sign out").click()


def test_policy_is_drafted_approved_published_and_acknowledged(
    browser, live_server, demo, screenshot
):
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    policy_url = f"{live_server.url}/o/acme/leadership/policy/"

    sign_in(page, live_server, "quality", "demo1234")
    page.goto(policy_url)
    page.get_by_role("button", name="Start a new version").click()
    page.get_by_label("Text").fill(
        "## Our promise\n\nWe deliver right first time, on time, every time."
    )
    page.get_by_label("What changed").fill("Shorter, clearer promise")
    page.get_by_role("button", name="Save and submit for approval").click()
    expect(page.locator("body")).to_contain_text("Submitted for approval by an executive.")
    sign_out(page)

    sign_in(page, live_server, "executive", "demo1234")
    page.goto(f"{live_server.url}/o/acme/leadership/policy/v3/")
    page.get_by_label("Comment").fill("Approved for publication")
    page.get_by_role("button", name="Approve version 3").click()
    expect(page.locator("body")).to_contain_text("Approved. Publish it to put it in force.")
    page.get_by_role("button", name="Publish: put in force").click()
    expect(page.locator("body")).to_contain_text("this version is now in force")
    sign_out(page)

    sign_in(page, live_server, "contributor", "demo1234")
    page.goto(policy_url)
    assert page.get_by_role("heading", name="Version 3, in force since").is_visible()
    page.get_by_role("button", name="I have read and understood the quality policy").click()
    expect(page.locator("body")).to_contain_text("you acknowledged version 3")
    screenshot("policy-acknowledged")

    public = browser.new_context().new_page()  # no login
    public.goto(f"{live_server.url}/p/acme/policy/")
    assert "We deliver right first time" in public.content()
    assert "Version 3" in public.content()
