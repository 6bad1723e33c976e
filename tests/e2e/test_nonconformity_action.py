"""A nonconformity is raised, a corrective action attached, closed by its owner and verified
effective by the quality manager, all in the browser (ISO 9001 10.2)."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def sign_out(page) -> None:
    page.context.clear_cookies()


def test_nonconformity_gets_a_corrective_action_closed_and_verified(
    page, live_server, demo, screenshot
):
    today = timezone.localdate()
    sign_in(page, live_server, "quality", "demo1234")
    page.wait_for_url(f"{live_server.url}/o/acme/")

    # Raise the nonconformity from the register.
    page.goto(f"{live_server.url}/o/acme/registers/nonconformities/")
    page.get_by_role("link", name="Add nonconformity").click()
    page.get_by_label("Title").fill("Burr on bracket edge found at goods-out")
    page.get_by_label("Source").select_option("internal")
    page.get_by_label("Severity").select_option("major")
    page.get_by_label("Detected on").fill(today.isoformat())
    page.get_by_role("button", name="Record").click()
    page.wait_for_selector("text=recorded.")
    assert "Burr on bracket edge" in page.locator("h1").inner_text()
    nc_url = page.url

    # Attach a corrective action from its page: the source is filled in.
    page.get_by_role("link", name="Raise an action").click()
    expect(page.locator("body")).to_contain_text("Burr on bracket edge")
    page.get_by_label("Title").fill("Add a deburring step to the bracket routing")
    page.get_by_label("Owner").select_option(label="Carla Diaz, Production Supervisor")
    page.get_by_label("Accountable executive").select_option(
        label="Oliver Grant, Operations Director"
    )
    page.get_by_label("Due date").fill((today + datetime.timedelta(days=14)).isoformat())
    page.get_by_role("button", name="Raise the action").click()
    page.wait_for_selector("text=Raised from")
    action_url = page.url
    page.goto(nc_url)
    assert (
        "Add a deburring step"
        in page.locator("section", has=page.locator("#source-actions-heading")).inner_text()
    )

    # The owner closes it with a note of what was done.
    sign_out(page)
    sign_in(page, live_server, "contributor", "demo1234")
    page.wait_for_url(f"{live_server.url}/o/acme/")
    page.goto(action_url)
    page.get_by_text("Close as done").click()
    page.get_by_label("What was done").fill("Deburring added at op 40; first 200 parts checked.")
    page.get_by_role("button", name="Close the action").click()
    page.wait_for_selector("text=Done, awaiting check")
    # The owner cannot verify their own action.
    assert page.get_by_role("button", name="Record the effectiveness check").count() == 0

    # The quality manager verifies that it worked.
    sign_out(page)
    sign_in(page, live_server, "quality", "demo1234")
    page.wait_for_url(f"{live_server.url}/o/acme/")
    page.goto(action_url)
    page.get_by_label("Effective", exact=True).check()
    page.get_by_label("Evidence").fill("No burrs in 3 weeks of goods-out inspection.")
    page.get_by_role("button", name="Record the effectiveness check").click()
    page.wait_for_selector("text=Verified effective")
    screenshot("action-verified")
