"""A contributor makes a suggestion, a quality manager accepts it into an action, and the
contributor sees the outcome on the staff quality board (on a phone). In a real browser."""

import datetime

import pytest
from django.utils import timezone

from leadership.engagement.models import Suggestion
from qms.core.actions.models import Action
from tests.e2e.conftest import sign_in
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def sign_out(page):
    page.context.clear_cookies()


def test_a_suggestion_accepted_into_an_action_shows_its_outcome_on_the_board(
    page, live_server, cast, screenshot
):
    base = f"{live_server.url}/o/acme-test/engagement"

    sign_in(page, live_server, "carl", PASSWORD)
    page.wait_for_load_state()
    page.goto(f"{base}/board/")
    page.get_by_role("link", name="Make a suggestion").first.click()
    page.get_by_label("What could be better?").fill("Shadow board for gauges at each lathe")
    small = "\u2003Plant One (too small to name when anonymous)"
    page.get_by_label("Where").select_option(label=small)
    page.get_by_label("Expected benefit").fill("No more hunting for the bore gauge.")
    page.get_by_role("button", name="Send the suggestion").click()
    page.wait_for_selector("text=Thank you: your suggestion is with the quality manager.")
    page.get_by_role("link", name="See S-").first.click()
    page.wait_for_selector("text=Shadow board for gauges at each lathe")
    suggestion_url = page.url
    screenshot("suggestion-submitted")
    sign_out(page)

    sign_in(page, live_server, "quinn", PASSWORD)
    page.wait_for_load_state()
    page.goto(suggestion_url)
    page.get_by_label("Accept: raise an action").check()
    page.get_by_label("Note to the submitter").fill("Good idea: we start with lathes 1-6.")
    page.get_by_label("Action title").fill("Install gauge shadow boards at lathes 1-6")
    page.get_by_label("Owner").select_option(label="Carl Test (contributor)")
    page.get_by_label("Accountable executive").select_option(label="Alice Test")
    due = timezone.localdate() + datetime.timedelta(days=30)
    page.get_by_label("Due date").fill(due.isoformat())
    page.get_by_role("button", name="Record the decision").click()
    page.wait_for_selector("#outcome")
    action = Action.objects.get()
    assert action.reference in page.locator("#outcome").inner_text()
    screenshot("suggestion-accepted")
    sign_out(page)

    # The contributor, on a phone, sees the outcome on the quality board.
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, live_server, "carl", PASSWORD)
    page.wait_for_load_state()
    page.goto(f"{base}/board/")
    mine = page.locator("#my-suggestions").inner_text()
    assert "Shadow board for gauges at each lathe" in mine
    assert "Accepted: an action" in mine and action.reference in mine
    # Nothing on the board is wider than the phone's screen.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    screenshot("quality-board-phone")
    assert Suggestion.objects.get().action == action
