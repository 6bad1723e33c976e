"""Management review pages: who may do what, and what a locked review answers."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from reviews.models import ManagementReview
from reviews.services import management_reviews as s
from tests.page_forms import versioned

pytestmark = pytest.mark.django_db


def url(name, *args):
    return reverse(f"reviews:{name}", args=["acme-test", *args])


@pytest.fixture
def review(members):
    review = s.review_plan(
        membership=members["quinn"], planned_on=timezone.localdate(), title="Q4 review"
    )
    s.review_prepare(review=review, membership=members["quinn"])
    return review


def _hold_and_record(client, review, members):
    today = timezone.localdate().isoformat()
    client.post(url("hold", review.number), {"held_on": today})
    client.post(
        url("attendance", review.number),
        {"membership": members["alice"].pk, "attendance": "attended"},
    )
    client.post(
        url("record", review.number), versioned(review, {"minutes": "All inputs discussed."})
    )


def test_every_member_reads_reviews_and_other_organisations_get_404(client, cast, review):
    for user in (cast.alice, cast.quinn, cast.carl, cast.audrey):
        client.force_login(user)
        assert client.get(url("list")).status_code == 200
        page = client.get(url("detail", review.number))
        assert page.status_code == 200
        assert "Status of actions from previous management reviews" in page.content.decode()
        assert client.get(url("print", review.number)).status_code == 200
    client.force_login(cast.bob)
    assert client.get(url("detail", review.number)).status_code == 404
    assert (
        client.get(reverse("reviews:detail", args=["beta-rival", review.number])).status_code == 404
    )


def test_quality_manager_plans_a_review_and_a_contributor_cannot(client, cast):
    client.force_login(cast.carl)
    assert client.post(url("plan"), {"title": "X", "planned_on": "2026-12-31"}).status_code == 403
    client.force_login(cast.quinn)
    response = client.post(url("plan"), {"title": "Year-end review", "planned_on": "2026-12-31"})
    review = ManagementReview.objects.get()
    assert response["Location"] == url("detail", review.number)
    assert review.title == "Year-end review"


def test_a_contributor_commenting_an_input_is_refused_for_their_role_with_or_without_a_version(
    client, cast, review
):
    """Their form without its version was told "this page is out of date" (409), as if they
    could comment with the right one."""
    client.force_login(cast.carl)
    review_input = review.inputs.get(key="b_context")
    target = url("input-comment", review.number, "b_context")
    assert client.post(target, {"commentary": "Mine"}).status_code == 403
    assert client.post(target, versioned(review_input, {"commentary": "Mine"})).status_code == 403
    assert review.inputs.get(key="b_context").commentary == ""


def test_held_review_records_a_decision_with_its_action_and_is_signed_off(
    client, cast, members, review
):
    client.force_login(cast.quinn)
    _hold_and_record(client, review, members)
    due = (timezone.localdate() + datetime.timedelta(days=30)).isoformat()
    client.post(
        url("decision", review.number),
        {
            "kind": "resource", "text": "Fund a second CMM", "action_title": "Buy a CMM",
            "owner": members["carl"].pk, "accountable_executive": members["alice"].pk,
            "due_date": due,
        },
    )  # fmt: skip
    page = client.get(url("detail", review.number)).content.decode()
    assert "Fund a second CMM" in page and "Buy a CMM" in page
    assert client.post(url("sign-off", review.number), {}).status_code == 403  # not an executive
    client.force_login(cast.alice)
    client.post(url("sign-off", review.number), {"comment": "Agreed by the board"})
    review.refresh_from_db()
    assert review.status == "signed_off"
    page = client.get(url("detail", review.number)).content.decode()
    assert "This record can no longer change" in page


def test_a_signed_off_review_refuses_changes_with_a_clear_message(client, cast, members, review):
    client.force_login(cast.quinn)
    _hold_and_record(client, review, members)
    client.force_login(cast.alice)
    client.post(url("sign-off", review.number), {})
    client.force_login(cast.quinn)
    response = client.post(
        url("record", review.number), versioned(review, {"minutes": "Rewritten"}), follow=True
    )
    assert "is signed off and can no longer change" in response.content.decode()
    review.refresh_from_db()
    assert review.minutes == "All inputs discussed."
    client.post(url("addendum", review.number), {"text": "Action owner corrected."})
    assert review.addenda.get().text == "Action owner corrected."


def test_bad_input_is_refused_and_changes_nothing(client, cast, review):
    client.force_login(cast.quinn)
    client.post(url("hold", review.number), {"held_on": "not a date"})
    client.post(url("skip", review.number), {"reason": ""})
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    response = client.post(url("hold", review.number), {"held_on": tomorrow}, follow=True)
    assert "a day that has come" in response.content.decode()
    review.refresh_from_db()
    assert review.status == "prepared"
    client.post(url("input-comment", review.number, "b_context"), {"commentary": "x" * 20_000})
    assert review.inputs.get(key="b_context").commentary == ""


def test_review_page_costs_a_fixed_number_of_queries(
    client, cast, review, django_assert_max_num_queries
):
    client.force_login(cast.quinn)
    with django_assert_max_num_queries(40):
        client.get(url("detail", review.number))


def test_home_shows_the_next_review_and_asks_executives_to_sign(client, cast, members, review):
    client.force_login(cast.carl)
    home = client.get("/o/acme-test/").content.decode()
    assert "Q4 review" in home and "Agenda ready" in home
    client.force_login(cast.quinn)
    _hold_and_record(client, review, members)
    client.force_login(cast.alice)
    assert "Awaiting your sign-off" in client.get("/o/acme-test/").content.decode()


def test_top_management_page_shows_review_attendance(client, cast, members, review):
    client.force_login(cast.quinn)
    _hold_and_record(client, review, members)
    page = client.get(reverse("leadership:executives", args=["acme-test"])).content.decode()
    assert "Reviews attended" in page
    assert "1 of 1" in page


@pytest.mark.parametrize(
    ("comment", "sentence"),
    [
        ("Agreed by the board.", "“Agreed by the board.” This record"),
        ("Agreed by the board", "“Agreed by the board”. This record"),
    ],
)
def test_a_sign_off_comment_ends_its_sentence_with_one_stop(
    client, cast, members, review, comment, sentence
):
    """It read "“Agreed by the board.”." on the review page and in the minutes."""
    client.force_login(cast.quinn)
    _hold_and_record(client, review, members)
    client.force_login(cast.alice)
    client.post(url("sign-off", review.number), {"comment": comment})
    for page in (url("detail", review.number), url("print", review.number)):
        text = client.get(page).content.decode()
        assert ".”." not in text
    assert sentence in client.get(url("detail", review.number)).content.decode()
