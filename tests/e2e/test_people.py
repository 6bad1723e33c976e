"""The administrator runs the organisation's people in the browser, on a phone and on a laptop:
moves a contributor to another unit, then deactivates a leaver, handing over what they still
own (issue 22)."""

import pytest
from playwright.sync_api import expect

from qms.core.actions.models import Action
from qms.core.models import Membership
from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("width", [390, 1366])
def test_admin_moves_a_contributor_and_hands_over_a_leavers_work(
    page, live_server, demo, screenshot, width
):
    page.set_viewport_size({"width": width, "height": 900})
    leaver = Membership.objects.get(organization__slug="acme", user__username="leeds.lead")
    open_actions = list(Action.objects.filter(owner=leaver).open().values_list("pk", flat=True))
    assert open_actions, "the demo's leaver should own open actions"
    sign_in(page, live_server, "admin", "demo1234")
    page.wait_for_url(f"{live_server.url}/o/acme/")

    # Carla moves from Sheffield to Leeds.
    page.goto(f"{live_server.url}/o/acme/people/")
    page.get_by_role("link", name="Carla Diaz").click()
    expect(page.locator("h1")).to_have_text("Carla Diaz")
    page.get_by_label("Unit").select_option(label="\u2003Leeds Assembly")
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator("body")).to_contain_text("Carla Diaz's membership was saved.")
    history = page.locator("section", has=page.locator("#history-heading"))
    expect(history).to_contain_text("Sheffield Machining")
    expect(history).to_contain_text("Leeds Assembly")
    screenshot(f"people-member-changed-{width}")

    # Tom Baker leaves: what he still owns goes to Quentin Marsh before he is deactivated.
    page.goto(f"{live_server.url}/o/acme/people/")
    page.get_by_role("link", name="Tom Baker").click()
    page.get_by_role("link", name="Deactivate (leaver)").click()
    expect(page.locator("h1")).to_have_text("Deactivate Tom Baker")
    expect(page.get_by_role("list", name="Open records to hand over")).to_contain_text(
        "Tom Baker: owner of action"
    )
    page.get_by_label("Give everything to").select_option(label="Quentin Marsh (quality manager)")
    screenshot(f"people-leaver-handover-{width}")
    page.get_by_role("button", name="Hand over and deactivate").click()
    expect(page.locator("body")).to_contain_text(
        "Tom Baker was deactivated and can no longer open Acme Precision Ltd."
    )
    expect(page.locator("body")).to_contain_text("Deactivated: can no longer open")

    quentin = Membership.objects.get(organization__slug="acme", user__username="quality")
    assert set(Action.objects.filter(pk__in=open_actions).values_list("owner", flat=True)) == {
        quentin.pk
    }
    page.goto(f"{live_server.url}/o/acme/people/")
    expect(page.locator("table").first).not_to_contain_text("Tom Baker")


def test_the_people_page_reads_on_a_phone_with_ended_access_apart(
    page, live_server, demo, screenshot
):
    """At 390 px every member is a block of labelled lines, nothing scrolls sideways, and an
    auditor whose last day has passed is under "Access ended", not among current members."""
    import datetime

    from django.utils import timezone

    auditor = Membership.objects.get(organization__slug="acme", user__username="auditor")
    auditor.access_expires_on = timezone.localdate() - datetime.timedelta(days=3)
    auditor.save()
    page.set_viewport_size({"width": 390, "height": 900})
    sign_in(page, live_server, "admin", "demo1234")
    page.wait_for_url(f"{live_server.url}/o/acme/")
    page.goto(f"{live_server.url}/o/acme/people/")
    current = page.get_by_role("table", name="Current members")
    ended = page.get_by_role("table", name="Access ended")
    expect(current).not_to_contain_text("Arthur Bell")
    expect(ended).to_contain_text("Arthur Bell")
    expect(ended).to_contain_text(f"{auditor.access_expires_on:%-d %b %Y}")
    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth,"
        " ...[...document.querySelectorAll('.table-wrap')].map(w => w.scrollWidth - w.clientWidth)]"
    )
    assert widths[0] <= 390 and max(widths[1:]) <= 0, widths
    # Each cell says what it is: the column's name leads it.
    role = current.locator("td[data-label='Role']").first
    label = role.evaluate("td => getComputedStyle(td, '::before').content")
    assert label == '"Role: "'
    screenshot("people-phone-access-ended")
