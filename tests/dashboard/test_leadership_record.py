"""An executive's leadership record: quarter by quarter figures from hand-made data, what to do
next, who may read it."""

import datetime

import pytest
from django.urls import reverse

from leadership.communication.models import LeadershipActivity
from qms.core.models import Membership
from qms.dashboard.leadership_record import last_quarters, leadership_record

pytestmark = pytest.mark.django_db


def test_quarters_run_oldest_first_up_to_the_current_one():
    quarters = last_quarters(datetime.date(2026, 11, 23))
    assert [(q.start, q.end, q.label) for q in quarters] == [
        (datetime.date(2026, 1, 1), datetime.date(2026, 3, 31), "Q1 2026"),
        (datetime.date(2026, 4, 1), datetime.date(2026, 6, 30), "Q2 2026"),
        (datetime.date(2026, 7, 1), datetime.date(2026, 9, 30), "Q3 2026"),
        (datetime.date(2026, 10, 1), datetime.date(2026, 12, 31), "Q4 2026"),
    ]


def test_activities_count_in_their_quarter_and_an_empty_quarter_is_a_next_step(cast):
    alice = Membership.objects.get(user=cast.alice)
    for day in (datetime.date(2026, 2, 3), datetime.date(2026, 2, 20), datetime.date(2026, 8, 1)):
        LeadershipActivity.objects.create(
            organization=cast.org_a, executive=alice, kind="other", title="Walk", occurred_on=day
        )
    record = leadership_record(
        organization=cast.org_a, executive=alice, today=datetime.date(2026, 11, 23)
    )
    assert record.figures["activities_logged"] == [2, 0, 1, 0]
    assert record.figures["reviews_attended"] == ["0 of 0"] * 4
    assert "No leadership activity logged this quarter: a quality walk counts." in (
        record.next_steps
    )


def test_the_record_page_is_read_by_members_and_not_by_strangers(
    client, cast, django_assert_max_num_queries
):
    alice = Membership.objects.get(user=cast.alice)
    url = reverse("dashboard:leadership-record", args=["acme-test", alice.pk])
    client.force_login(cast.alice)
    with django_assert_max_num_queries(60):
        page = client.get(url)
    text = page.content.decode()
    assert page.status_code == 200
    assert "Management reviews attended" in text and "What to do next" in text
    client.force_login(cast.carl)
    page = client.get(url).content.decode()
    assert "Leadership figures per quarter" in page and "What to do next" not in page
    client.force_login(cast.bob)
    assert client.get(url).status_code == 404
    quinn = Membership.objects.get(user=cast.quinn)
    client.force_login(cast.alice)
    url = reverse("dashboard:leadership-record", args=["acme-test", quinn.pk])
    assert client.get(url).status_code == 404  # not an executive
