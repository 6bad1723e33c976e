"""The Content Security Policy breaks nothing: the busiest pages (charts, forms, menus, the API
documentation) load in a real browser with no violation reported, and the charts are drawn."""

import pytest
from playwright.sync_api import expect

from reviews.models import ManagementReview
from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)
RENDERED = "[data-plotly-figure][data-rendered=true] .main-svg"

# Runs before any page script (Playwright injects it outside the page's CSP): every violation
# the browser reports is kept for the test to read.
COLLECT = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI || "inline"}`);
});
"""


def test_pages_load_under_the_policy_without_violations(page, live_server, demo):
    page.add_init_script(COLLECT)
    console = []
    page.on(
        "console",
        lambda message: (
            console.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    sign_in(page, live_server, "executive", "demo1234")
    page.wait_for_url(f"{live_server.url}/o/acme/dashboard/")
    review = ManagementReview.objects.filter(organization__slug="acme").order_by("number").first()
    pages = {
        "/o/acme/dashboard/": RENDERED,
        "/o/acme/objectives/OBJ-04/": RENDERED,
        "/o/acme/reviews/": "main",
        f"/o/acme/reviews/{review.number}/": "main",
        "/o/acme/evidence/": "main",
        "/api/docs/": ".swagger-ui .info",  # drawn by Swagger UI's script: it ran
    }
    seen = {}
    for path, ready in pages.items():
        response = page.goto(f"{live_server.url}{path}")
        assert response.status == 200, path
        assert "script-src 'self'" in response.headers["content-security-policy"]
        page.wait_for_selector(ready)
        seen[path] = page.evaluate("() => window.__cspViolations")
    # The user menu still opens (Bootstrap's script runs from our static files).
    page.goto(f"{live_server.url}/o/acme/dashboard/")
    page.locator("#user-menu").click()
    expect(page.get_by_role("link", name="Change password")).to_be_visible()

    assert all(not found for found in seen.values()), seen
    assert console == []

    # And the policy bites: an injected inline script is refused and reported.
    page.evaluate(
        """() => { const s = document.createElement("script");
                   s.textContent = "window.__injected = true"; document.body.append(s); }"""
    )
    page.wait_for_function("() => window.__cspViolations.length > 0")
    assert page.evaluate("() => window.__injected") is None
    assert "script-src" in page.evaluate("() => window.__cspViolations[0]")
