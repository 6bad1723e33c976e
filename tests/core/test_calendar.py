"""A member's private calendar feed: what is in it, who can read it, resetting it; reviews sent
as e-mail invitations with a stable UID."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from qms.core.calendar.models import CalendarFeed
from qms.core.calendar.services import feed_for
from qms.core.models import Membership
from reviews.services.management_reviews import review_plan, review_reschedule, review_skip
from tests.objectives.factories import make_objective

pytestmark = pytest.mark.django_db


def _member(cast, user):
    return Membership.objects.get(user=user, organization=cast.org_a)


def _events(client, membership):
    response = client.get(reverse("calendar-feed", args=[feed_for(membership).token]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)  # a standard parser reads it
    return {str(e["UID"]): e for e in calendar.walk("VEVENT")}


def test_the_feed_lists_reviews_actions_and_kpi_values_due(client, cast, members, raise_action):
    today = timezone.localdate()
    quinn = _member(cast, cast.quinn)
    review = review_plan(membership=quinn, planned_on=today + datetime.timedelta(days=20))
    action = raise_action(due_date=today + datetime.timedelta(days=5))  # owned by carl
    make_objective(cast, code="OBJ-09", owner=_member(cast, cast.carl),
                   start_date=today - datetime.timedelta(days=40))  # fmt: skip

    carl = _events(client, _member(cast, cast.carl))
    assert f"action-acme-test-{action.number}@qms" in carl
    assert carl[f"action-acme-test-{action.number}@qms"].decoded("dtstart") == action.due_date
    assert any(uid.startswith("kpi-acme-test-") for uid in carl)
    assert f"review-acme-test-{review.number}@qms" not in carl  # not expected there

    alice = _events(client, _member(cast, cast.alice))  # top management: every review
    event = alice[f"review-acme-test-{review.number}@qms"]
    assert event.decoded("dtstart") == review.planned_on
    assert not any(uid.startswith("action-") for uid in alice)


def test_a_reset_token_and_a_stranger_token_answer_404(client, cast):
    alice = _member(cast, cast.alice)
    old = feed_for(alice).token
    client.force_login(cast.alice)
    client.post(reverse("core:calendar-reset", args=["acme-test"]))
    assert CalendarFeed.objects.get(membership=alice).token != old
    client.logout()
    assert client.get(reverse("calendar-feed", args=[old])).status_code == 404
    assert client.get(reverse("calendar-feed", args=["not-a-token"])).status_code == 404
    new = CalendarFeed.objects.get(membership=alice).token
    assert client.get(reverse("calendar-feed", args=[new])).status_code == 200


def test_an_expired_auditor_feed_answers_404(client, cast):
    eddie = Membership.objects.get(user=cast.eddie)
    assert client.get(reverse("calendar-feed", args=[feed_for(eddie).token])).status_code == 404


def test_the_page_shows_only_my_own_address(client, cast):
    alice, carl = _member(cast, cast.alice), _member(cast, cast.carl)
    client.force_login(cast.carl)
    page = client.get(reverse("core:calendar", args=["acme-test"])).content.decode()
    assert feed_for(carl).token in page
    assert feed_for(alice).token not in page
    client.force_login(cast.bob)
    assert client.get(reverse("core:calendar", args=["acme-test"])).status_code == 404


def test_a_moved_review_sends_an_update_with_the_same_uid_and_a_higher_sequence(
    cast, django_capture_on_commit_callbacks
):
    quinn = _member(cast, cast.quinn)
    today = timezone.localdate()
    with django_capture_on_commit_callbacks(execute=True):
        review = review_plan(membership=quinn, planned_on=today + datetime.timedelta(days=30))
    first = next(m for m in mail.outbox if m.to == [cast.alice.email])
    with django_capture_on_commit_callbacks(execute=True):
        review_reschedule(review=review, membership=quinn,
                          planned_on=today + datetime.timedelta(days=45))  # fmt: skip
    second = [m for m in mail.outbox if m.to == [cast.alice.email]][-1]

    def event(message):
        ((_name, content, mimetype),) = message.attachments
        assert mimetype.startswith("text/calendar; method=REQUEST")
        return Calendar.from_ical(content).walk("VEVENT")[0]

    a, b = event(first), event(second)
    assert str(a["UID"]) == str(b["UID"]) == f"review-acme-test-{review.number}@qms"
    assert b.decoded("dtstart") == today + datetime.timedelta(days=45)
    assert int(b["SEQUENCE"]) >= int(a["SEQUENCE"])
    recipients = {m.to[0] for m in mail.outbox}
    assert cast.alice.email in recipients and cast.quinn.email in recipients
    assert cast.carl.email not in recipients

    with django_capture_on_commit_callbacks(execute=True):
        review_skip(review=review, membership=quinn, reason="Merged with the next one")
    ((_, content, mimetype),) = mail.outbox[-1].attachments
    assert "method=CANCEL" in mimetype
    assert Calendar.from_ical(content).walk("VEVENT")[0]["STATUS"] == "CANCELLED"


def test_moving_a_review_into_the_past_is_refused(cast):
    from django.core.exceptions import ValidationError

    quinn = _member(cast, cast.quinn)
    today = timezone.localdate()
    review = review_plan(membership=quinn, planned_on=today + datetime.timedelta(days=3))
    with pytest.raises(ValidationError):
        review_reschedule(review=review, membership=quinn,
                          planned_on=today - datetime.timedelta(days=1))  # fmt: skip
