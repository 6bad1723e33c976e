"""An owner logs last period's value in the browser and sees the chart change."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from objectives.models import Measurement
from objectives.periods import describe, period_end, previous_period_end
from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def point_count(page) -> int:
    # Plotly draws one marker path per data point of the "Actual" trace.
    return page.evaluate("() => document.getElementById('objective-chart').data[0].x.length")


def test_owner_logs_a_value_and_the_chart_updates(page, live_server, demo, screenshot):
    # Last month, which has ended: the demo has its value once it fell due, so take it out
    # again (as if not yet logged); the form offers that month first.
    today = timezone.localdate()
    new_end = previous_period_end("monthly", period_end("monthly", today))
    Measurement.objects.filter(objective__code="OBJ-04", period_end=new_end).delete()
    sign_in(page, live_server, "contributor", "demo1234")
    page.wait_for_url(f"{live_server.url}/o/acme/")
    page.get_by_role("link", name="Objectives", exact=True).click()
    page.get_by_role("link", name="OBJ-04").click()
    page.wait_for_selector("#objective-chart[data-rendered=true] .main-svg")
    before = point_count(page)

    assert page.get_by_label("Period").input_value() == new_end.isoformat()
    page.get_by_label("Value (%)").fill("97.4")
    page.get_by_label("Note").fill("In-process gauging live on line 2")
    page.get_by_role("button", name="Save value").click()

    page.wait_for_selector("#objective-chart[data-rendered=true] .main-svg")
    assert f"Value for {describe('monthly', new_end)} recorded." in page.content()
    assert point_count(page) == before + 1
    assert (
        page.locator("#values-table tbody tr")
        .first.inner_text()
        .startswith(new_end.strftime("%-d %b %Y"))
    )
    screenshot("objective-detail-after-logging")


def test_bad_value_shows_an_error_next_to_the_field(page, live_server, demo):
    sign_in(page, live_server, "contributor", "demo1234")
    page.goto(f"{live_server.url}/o/acme/objectives/OBJ-04/")
    page.get_by_label("Value (%)").fill("140")
    page.get_by_role("button", name="Save value").click()
    error = page.locator("#id_value_errors")
    assert "above 100" in error.inner_text()
    assert page.get_by_label("Value (%)").get_attribute("aria-invalid") == "true"


def test_a_refused_value_is_said_at_the_top_of_the_page_on_a_phone(
    page, live_server, demo, screenshot
):
    """At 390 px the log form is far below the chart: the refusal is said where the page
    starts, in view without scrolling, and its link takes the owner to the field."""
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, live_server, "contributor", "demo1234")
    page.goto(f"{live_server.url}/o/acme/objectives/OBJ-04/")
    page.get_by_label("Value (%)").fill("140")
    page.get_by_role("button", name="Save value").click()
    summary = page.get_by_role("alert").filter(has_text="Your value was not saved")
    assert summary.count() == 1
    box = summary.bounding_box()
    assert box is not None and box["y"] + box["height"] <= 844  # seen without scrolling
    assert page.evaluate("() => window.scrollY") == 0
    assert "above 100" in summary.inner_text()
    screenshot("objective-refused-value-phone")
    summary.get_by_role("link", name="Value (%)").click()
    field = page.get_by_label("Value (%)")
    assert page.evaluate("() => location.hash") == "#id_value"
    expect(field).to_be_in_viewport()  # scrolled to the field


def test_objective_list_reads_status_in_words(page, live_server, demo, screenshot):
    sign_in(page, live_server, "executive", "demo1234")
    page.goto(f"{live_server.url}/o/acme/objectives/")
    rows = page.locator("table tbody tr")
    assert rows.count() == 15
    text = page.locator("table").inner_text()
    assert any(label in text for label in ("On track", "At risk", "Off track", "No data"))
    screenshot("objective-list")


@pytest.mark.parametrize("code", ["OBJ-01", "OBJ-03"])
def test_an_objectives_page_fits_a_phone_without_scrolling_sideways(
    page, live_server, demo, screenshot, code
):
    """At 390 px, OBJ-03's "6 complaints" in a half-width tile made the page 412 px wide, and
    OBJ-01's table of the objectives cascaded to units 395 px."""
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, live_server, "quality", "demo1234")
    page.wait_for_url(f"{live_server.url}/o/acme/**")
    page.goto(f"{live_server.url}/o/acme/objectives/{code}/")
    page.wait_for_selector("#objective-chart[data-rendered=true]")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    screenshot(f"objective-{code}-phone")
