"""An anonymous suggestion's author keeps the private receipt link and, later, opens it to read
the outcome: the code after "#" is never sent in an address, only in the form the page posts.
On a phone, in a real browser."""

import pytest

from leadership.engagement.models import Suggestion
from leadership.engagement.services import suggestions as services
from qms.core.models import Membership
from tests.e2e.conftest import sign_in
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_author_opens_the_private_receipt_link_and_reads_the_outcome(
    page, live_server, cast, screenshot
):
    page.set_viewport_size({"width": 390, "height": 844})
    sent = []
    page.on("request", lambda request: sent.append(request.url))
    sign_in(page, live_server, "carl", PASSWORD)
    page.wait_for_load_state()
    page.goto(f"{live_server.url}/o/acme-test/engagement/suggestions/new/")
    page.get_by_label("What could be better?").fill("Fewer meetings on Mondays")
    page.get_by_label("Make it anonymous").check()
    page.get_by_role("button", name="Send the suggestion").click()
    page.wait_for_selector("text=Thank you: keep your receipt")
    link = page.get_by_label("Private link").input_value()
    code = page.get_by_label("Receipt code").input_value()
    assert link.endswith(f"/engagement/suggestions/receipt/#{code}")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    screenshot("suggestion-receipt-phone")

    suggestion = Suggestion.objects.get()
    quinn = Membership.objects.get(user=cast.quinn)
    services.suggestion_decline(
        suggestion=suggestion, actor=quinn, reason="We keep Monday's stand-up short instead."
    )

    page.goto(link)
    page.wait_for_selector("text=Your anonymous suggestion")
    body = page.locator("main").inner_text()
    assert "Fewer meetings on Mondays" in body
    assert "We keep Monday's stand-up short instead." in body
    assert "#" not in page.url  # the code left the address bar
    assert not any(code in url for url in sent)  # and was never in an address sent
    screenshot("suggestion-receipt-followed-phone")
