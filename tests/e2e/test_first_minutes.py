"""The first minutes with the product: the sign-in card sits in the middle of a laptop's and a
phone's screen, and the browser finds our icon (no 404 for /favicon.ico in the log)."""

import pytest

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("width,height", [(1366, 900), (390, 844)])
def test_the_sign_in_card_is_centred(page, live_server, screenshot, width, height):
    page.set_viewport_size({"width": width, "height": height})
    page.goto(f"{live_server.url}/accounts/login/")
    card = page.locator(".auth-card").bounding_box()
    left, right = card["x"], width - (card["x"] + card["width"])
    assert abs(left - right) <= 2, (left, right)
    assert left >= 8  # not against the edge of a phone
    screenshot(f"login-{width}")


def test_the_browser_finds_our_icon(page, live_server):
    missing = []
    page.on("response", lambda r: missing.append(r.url) if r.status == 404 else None)
    page.goto(f"{live_server.url}/accounts/login/")
    icon = page.locator("link[rel=icon]").get_attribute("href")
    assert page.request.get(f"{live_server.url}{icon}").ok
    assert page.request.get(f"{live_server.url}/favicon.ico").ok  # follows to the same icon
    assert missing == []
