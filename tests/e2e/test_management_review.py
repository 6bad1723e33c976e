"""A quality manager prepares the demo's next management review, holds it, records a decision
with its action; an executive signs it off, after which it is locked (ISO 9001 9.3)."""

import datetime

import pytest
from django.utils import timezone

from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_prepare_hold_decide_and_sign_off(page, live_server, demo, screenshot):
    today = timezone.localdate()
    sign_in(page, live_server, "quality", "demo1234")
    page.wait_for_url(f"{live_server.url}/o/acme/")
    page.get_by_role("link", name="Reviews", exact=True).click()
    page.get_by_role("link", name="MR-007").click()

    page.get_by_role("button", name="Recompile the agenda").click()
    page.wait_for_selector("text=Agenda compiled from the data")
    assert page.get_by_role("heading", name="Extent to which quality objectives have been met")
    page.wait_for_selector("[data-plotly-figure][data-rendered=true]")

    page.get_by_label("Held on").fill(today.isoformat())
    page.get_by_role("button", name="Record as held").click()
    page.wait_for_selector("text=the inputs are frozen")

    page.get_by_label("Member").select_option(label="Eleanor Hart (executive)")
    page.get_by_label("Attendance").select_option("attended")
    page.get_by_role("button", name="Record attendance").click()
    page.wait_for_selector("text=Attendance recorded.")
    page.get_by_role("textbox", name="Minutes").fill(
        "Inputs reviewed; gauging pilot extended to line 3."
    )
    page.get_by_role("button", name="Save the meeting record").click()
    page.wait_for_selector("text=Meeting record saved.")

    page.get_by_text("Record a decision").click()
    page.get_by_label("Output (9.3.3)").select_option("improvement")
    page.get_by_role("textbox", name="Decision", exact=True).fill(
        "Extend in-process gauging to line 3."
    )
    page.get_by_role("textbox", name="Action", exact=True).fill("Install gauges on line 3")
    page.get_by_label("Owner").select_option(label="Carla Diaz (contributor)")
    page.get_by_label("Accountable executive").select_option(label="Oliver Grant (executive)")
    page.get_by_label("Due date").fill((today + datetime.timedelta(days=45)).isoformat())
    page.get_by_role("button", name="Record the decision and raise its action").click()
    page.wait_for_selector("text=Decision recorded and its action raised.")
    assert "Install gauges on line 3" in page.content()
    review_url = page.url

    page.context.clear_cookies()
    sign_in(page, live_server, "executive", "demo1234")
    page.wait_for_url(f"{live_server.url}/o/acme/dashboard/")
    page.goto(review_url)
    page.get_by_role("button", name="Sign off this review").click()
    page.wait_for_selector("text=This record can no longer change")
    assert page.get_by_role("button", name="Sign off this review").count() == 0
    screenshot("management-review-signed-off")
