"""An owner logs this period's value in the browser and sees the chart change."""

import pytest
from django.utils import timezone

from objectives.periods import describe, latest_due_period_end, next_period_end
from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def point_count(page) -> int:
    # Plotly draws one marker path per data point of the "Actual" trace.
    return page.evaluate("() => document.getElementById('objective-chart').data[0].x.length")


def test_owner_logs_a_value_and_the_chart_updates(page, live_server, demo, screenshot):
    sign_in(page, live_server, "contributor", "demo1234")
    page.wait_for_url(f"{live_server.url}/o/acme/")
    page.get_by_role("link", name="Objectives", exact=True).click()
    page.get_by_role("link", name="OBJ-04").click()
    page.wait_for_selector("#objective-chart[data-rendered=true] .main-svg")
    before = point_count(page)

    # The month after the last demo value (the demo leaves the current month open).
    new_end = next_period_end("monthly", latest_due_period_end("monthly", 10, timezone.localdate()))
    page.get_by_label("Period").select_option(new_end.isoformat())
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


def test_objective_list_reads_status_in_words(page, live_server, demo, screenshot):
    sign_in(page, live_server, "executive", "demo1234")
    page.goto(f"{live_server.url}/o/acme/objectives/")
    rows = page.locator("table tbody tr")
    assert rows.count() == 15
    text = page.locator("table").inner_text()
    assert any(label in text for label in ("On track", "At risk", "Off track", "No data"))
    screenshot("objective-list")
