"""The administrator runs the organisation's units in the browser, on a phone and on a laptop:
adds a team under Leeds, renames it, moves it under Sheffield and closes it; the units page
says "Closed on" in words (issue 22, units)."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from qms.core.models import OrgUnit
from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def _no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("width", [390, 1366])
def test_admin_adds_renames_moves_and_closes_a_unit(page, live_server, demo, screenshot, width):
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, live_server, "admin", "demo1234")
    page.wait_for_url(f"{live_server.url}/o/acme/")

    page.goto(f"{live_server.url}/o/acme/units/")
    page.get_by_role("link", name="Add a unit").click()
    expect(page.locator("h1")).to_have_text("Add a unit")
    page.get_by_label("Name").fill("Goods Inwards")
    page.get_by_label("Belongs under").select_option(label="\u2003Leeds Assembly")
    page.get_by_label("Kind").select_option(label="Team")
    page.get_by_label("Code").fill("GIN")
    page.get_by_role("button", name="Add the unit").click()
    expect(page.locator("body")).to_contain_text("Goods Inwards was added under Leeds Assembly.")
    assert _no_sideways_scroll(page)

    page.get_by_role("link", name="Goods Inwards").click()
    expect(page.locator("h1")).to_have_text("Goods Inwards")
    page.get_by_label("Name").fill("Goods In")
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator("body")).to_contain_text("Goods In was saved.")
    expect(page.locator("h1")).to_have_text("Goods In")

    page.get_by_label("Move under").select_option(label="\u2003Sheffield Machining")
    page.get_by_role("button", name="Move", exact=True).click()
    expect(page.locator("body")).to_contain_text("now belongs under Sheffield Machining")
    expect(page.locator("body")).to_contain_text("being recomputed")
    history = page.locator("section", has=page.locator("#history-heading"))
    expect(history).to_contain_text("Moved from under Acme Precision Ltd \u203a Leeds Assembly")
    assert _no_sideways_scroll(page)
    screenshot(f"units-moved-{width}")

    page.get_by_role("button", name="Close Goods In").click()
    expect(page.locator("body")).to_contain_text("Goods In is closed from")
    # The closed unit's own page fits a phone too (try-out: its badge was wider than 390 px).
    expect(page.locator("body")).to_contain_text("it keeps its records and takes no new ones")
    assert _no_sideways_scroll(page)
    screenshot(f"units-closed-{width}")
    unit = OrgUnit.objects.get(organization__slug="acme", code="GIN")
    assert unit.closed_on == timezone.localdate()

    page.goto(f"{live_server.url}/o/acme/units/")
    row = page.get_by_role("row", name="Goods In")
    expect(row).to_contain_text(f"Closed on {timezone.localdate():%-d %b %Y}")
    assert _no_sideways_scroll(page)
    screenshot(f"units-list-{width}")


def test_a_unit_with_members_is_not_closed_and_says_who(page, live_server, demo, screenshot):
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, live_server, "admin", "demo1234")
    page.wait_for_url(f"{live_server.url}/o/acme/")
    page.goto(f"{live_server.url}/o/acme/units/")
    page.get_by_role("link", name="Customer Service").click()
    expect(page.locator("body")).to_contain_text("Give its active members another unit")
    page.get_by_role("button", name="Close Customer Service").click()
    summary = page.locator(".form-errors").first  # under the title, where a phone looks
    expect(summary).to_contain_text("Customer Service was not closed.")
    expect(summary).to_contain_text("Active members belong to it: ")
    expect(summary).to_contain_text("Mina Kowalski")
    assert OrgUnit.objects.get(organization__slug="acme", code="CUS").closed_on is None
    screenshot("units-close-refused-390")


def test_a_unit_named_without_spaces_fits_a_phone(page, live_server, demo):
    """Found by the try-out: a pasted formula as a name widened the unit's page past 390 px."""
    from qms.core import services
    from qms.core.models import Membership

    acme = OrgUnit.objects.get(organization__slug="acme", code="ACME")
    admin = Membership.objects.get(organization__slug="acme", user__username="admin")
    long = services.org_unit_create(
        organization=acme.organization, name='=HYPERLINK("http://evil.example/very/long/path","click")',
        parent=acme, code="HL", actor=admin.user,
    )  # fmt: skip
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, live_server, "admin", "demo1234")
    page.wait_for_url(f"{live_server.url}/o/acme/")
    page.goto(f"{live_server.url}/o/acme/units/{long.pk}/")
    expect(page.locator("h1")).to_contain_text("HYPERLINK")
    assert _no_sideways_scroll(page)
