"""An executive opens a held review on a phone: the attainment chart draws its bars, not only
the objectives' labels (fixed margins once took the whole width). Every chart of the dashboard,
the objectives' pages and the review agendas keeps its texts apart and whole, on a laptop and
on a phone, and no table is cut at a phone's edge."""

import pytest

from tests.e2e.conftest import ARTIFACTS, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

BAR_WIDTHS = """() => Array.from(
  document.querySelectorAll('.review-chart .trace.bars .point path')
).map((bar) => bar.getBoundingClientRect().width)"""


def test_the_review_attainment_chart_draws_its_bars_at_390_px(browser, live_server, demo):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        sign_in(page, live_server, "executive", "demo1234")
        page.wait_for_url(f"{live_server.url}/o/acme/**")
        # The latest held review (MR-006; the demo's reviews run quarterly from mid-2025).
        page.goto(f"{live_server.url}/o/acme/reviews/6/")
        chart = page.locator(".review-chart[data-rendered=true]")
        chart.wait_for()
        widths = page.evaluate(BAR_WIDTHS)
        assert len(widths) >= 10
        # Nearly every objective is near or above its target: a bar of 100 % is a third or
        # more of the chart's width (the one at 0 % has, rightly, no width).
        chart_width = chart.bounding_box()["width"]
        assert sum(1 for w in widths if w > chart_width / 4) >= len(widths) - 2
        assert chart.get_attribute("data-layout") == "narrow"  # drawn with the phone's labels
        ARTIFACTS.mkdir(exist_ok=True)
        chart.screenshot(path=str(ARTIFACTS / "review-attainment-390.png"))
    finally:
        context.close()


# Pairs of texts in a chart (labels, ticks, legend) closer than 2 px to each other, both ways.
TEXT_COLLISIONS = """(selector) => {
  const boxes = [...document.querySelectorAll(selector + ' svg text')]
    .filter((t) => t.textContent.trim() && t.getBoundingClientRect().width > 0)
    .map((t) => [t.textContent.trim(), t.getBoundingClientRect()]);
  const hits = [];
  boxes.forEach(([a, p], i) => boxes.slice(i + 1).forEach(([b, q]) => {
    const apart = Math.max(q.left - p.right, p.left - q.right, q.top - p.bottom, p.top - q.bottom);
    if (apart < 2) { hits.push(a + ' / ' + b); }
  }));
  return hits;
}"""


def test_the_dashboards_review_chart_keeps_its_labels_apart_at_390_px(browser, live_server, demo):
    """A bar's label ("■ 14 days late") was wider than its bar on a phone and ran into the
    axis' numbers: it goes on two lines over its own bar."""
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        sign_in(page, live_server, "executive", "demo1234")
        page.wait_for_url(f"{live_server.url}/o/acme/**")
        page.goto(f"{live_server.url}/o/acme/dashboard/")
        chart = page.locator("#chart-reviews[data-rendered=true]")
        chart.wait_for()
        assert "14 days" in chart.inner_text()  # the demo's late review is drawn
        assert page.evaluate(TEXT_COLLISIONS, "#chart-reviews") == []
        ARTIFACTS.mkdir(exist_ok=True)
        chart.screenshot(path=str(ARTIFACTS / "dashboard-reviews-390.png"))
    finally:
        context.close()


# Every chart's texts that run out of the chart's box (cut at its edge), by chart.
TEXTS_CUT = """() => Object.fromEntries([...document.querySelectorAll('[data-plotly-figure]')].map(
  (chart) => {
    const box = chart.getBoundingClientRect();
    return [chart.id || chart.dataset.plotlyFigure, [...chart.querySelectorAll('svg text')]
      .filter((t) => t.textContent.trim() && t.getBoundingClientRect().width > 0)
      .filter((t) => {
        const r = t.getBoundingClientRect();
        return r.left < box.left - 1 || r.right > box.right + 1;
      })
      .map((t) => t.textContent.trim())];
  }))"""

# The attainment charts' objective names that were cut short ("OBJ-14 Audit findings…").
NAMES_CUT_SHORT = """() => [...document.querySelectorAll(
  '#chart-objectives .ytick text, .review-chart .ytick text')]
  .map((t) => t.textContent.trim()).filter((name) => name.includes('…'))"""

OPEN_DETAILS = "() => document.querySelectorAll('details').forEach((d) => { d.open = true; })"

# Tables wider than their box (a phone's reader would not see their last columns).
TABLES_CUT = """() => [...document.querySelectorAll('main table')]
  .filter((t) => t.getClientRects().length && t.scrollWidth > t.parentElement.clientWidth + 1)
  .map((t) => t.id || t.className)"""


def _pages_with_charts():
    from objectives.models import QualityObjective
    from reviews.models import ManagementReview

    codes = QualityObjective.objects.filter(organization__slug="acme").values_list(
        "code", flat=True
    )
    numbers = ManagementReview.objects.filter(organization__slug="acme").values_list(
        "number", flat=True
    )
    return (
        ["/o/acme/dashboard/"]
        + [f"/o/acme/objectives/{code}/" for code in sorted(codes)]
        + [f"/o/acme/reviews/{number}/" for number in sorted(numbers)]
    )


@pytest.mark.parametrize("width", [1366, 390])
def test_every_chart_keeps_its_texts_apart_and_whole(browser, live_server, demo, width):
    """Issue 21: OBJ-13's axis title ran into a tick label, attainment names were cut on a
    phone, the action charts' "0" touched "Jan 2026"; checked on some charts only."""
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    problems = {}
    charts_seen = 0
    try:
        sign_in(page, live_server, "executive", "demo1234")
        page.wait_for_url(f"{live_server.url}/o/acme/**")
        for path in _pages_with_charts():
            page.goto(live_server.url + path)
            figures = page.locator("[data-plotly-figure]")
            for i in range(figures.count()):
                figures.nth(i).and_(page.locator("[data-rendered=true]")).wait_for()
            charts_seen += figures.count()
            for i in range(figures.count()):
                chart = figures.nth(i)
                selector = "#" + chart.get_attribute("id") if chart.get_attribute("id") else None
                if selector is None:
                    name = chart.get_attribute("data-plotly-figure")
                    selector = f'[data-plotly-figure="{name}"]'
                hits = page.evaluate(TEXT_COLLISIONS, selector)
                if hits:
                    problems[f"{path} {selector} overlapping"] = hits
            cut = {chart: texts for chart, texts in page.evaluate(TEXTS_CUT).items() if texts}
            if cut:
                problems[f"{path} cut"] = cut
            short = page.evaluate(NAMES_CUT_SHORT)
            if short:
                problems[f"{path} names cut short"] = short
            if width < 576:
                # Open every "Show the numbers" so its table is laid out too.
                page.evaluate(OPEN_DETAILS)
                page.wait_for_timeout(250)
                tables = page.evaluate(TABLES_CUT)
                if tables:
                    problems[f"{path} tables cut"] = tables
        assert charts_seen >= 15
        assert problems == {}
    finally:
        context.close()
