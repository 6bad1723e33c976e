"""An executive opens the dashboard, sees the charts drawn, narrows it to one unit and sees the
address and the figures change."""

import re
from urllib.parse import parse_qs, urlparse

import pytest

from tests.e2e.conftest import ARTIFACTS, sign_in

pytestmark = pytest.mark.django_db(transaction=True)
RENDERED = "[data-plotly-figure][data-rendered=true] .main-svg"


def rag_total(page) -> str:
    return page.locator("#table-objectives tbody").inner_text()


def test_executive_filters_the_dashboard_by_unit(page, live_server, demo, screenshot):
    sign_in(page, live_server, "executive", "demo1234")
    page.wait_for_url(f"{live_server.url}/o/acme/dashboard/")
    page.goto(f"{live_server.url}/o/acme/dashboard/")
    page.wait_for_selector(RENDERED)
    assert page.locator(RENDERED).count() >= 4
    before_summary = page.locator("#panel-objectives-summary").inner_text()
    before_bars = page.evaluate(
        "() => document.getElementById('chart-objectives').data[0].y.length"
    )
    screenshot("dashboard")

    unit = page.get_by_label("Organisation unit (and below)")
    options = unit.locator("option").all_inner_texts()
    # A unit below the top one: a subtree with fewer objectives than the whole company.
    unit.select_option(label=options[2])
    page.get_by_role("button", name="Apply").click()
    page.wait_for_url("**/dashboard/?*")
    page.wait_for_selector(RENDERED)

    query = parse_qs(urlparse(page.url).query)
    assert query["unit"] and query["unit"][0]
    after_bars = page.evaluate("() => document.getElementById('chart-objectives').data[0].y.length")
    after_summary = page.locator("#panel-objectives-summary").inner_text()
    assert after_bars < before_bars
    assert after_summary != before_summary
    screenshot("dashboard-filtered-by-unit")

    page.set_viewport_size({"width": 768, "height": 1024})
    page.reload()
    page.wait_for_selector(RENDERED)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "dashboard-tablet.png"), full_page=True)


def test_dashboard_prints_as_a_board_report(page, live_server, demo):
    sign_in(page, live_server, "executive", "demo1234")
    page.wait_for_url(f"{live_server.url}/o/acme/dashboard/")
    page.goto(f"{live_server.url}/o/acme/dashboard/")
    page.wait_for_selector(RENDERED)
    page.emulate_media(media="print")
    page.set_viewport_size({"width": 733, "height": 1040})  # A4 portrait inside 8 mm margins
    # Filters, downloads and the navigation are for the screen, not the board.
    assert not page.locator(".dashboard-filters").is_visible()
    assert not page.locator(".qms-navbar").is_visible()
    assert page.locator("#panel-objectives-summary").is_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "dashboard-print.png"), full_page=True)
    page.pdf(path=str(ARTIFACTS / "dashboard-board-report.pdf"), format="A4")
    pdf = (ARTIFACTS / "dashboard-board-report.pdf").read_bytes()
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 1  # one page for the board
