"""Improvement suggestions: anyone who writes submits one (optionally anonymous), a quality
manager triages it once, and the submitter is told the outcome."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from leadership.engagement.models import Suggestion, SuggestionStatus
from leadership.engagement.selectors import accepted_suggestions, suggestion_figures
from leadership.engagement.services import suggestions as services
from qms.core import audit
from qms.core.actions.models import Action
from qms.core.immutable import NotAllowed, TransitionError
from qms.core.notifications.models import Notification

pytestmark = pytest.mark.django_db


def url(name, *args):
    return reverse(f"engagement:{name}", args=["acme-test", *args])


def submit(member, **kwargs):
    kwargs.setdefault("title", "Shadow board for gauges")
    return services.suggestion_submit(membership=member, **kwargs)


def test_a_contributor_makes_a_suggestion_from_the_form(client, cast, units):
    client.force_login(cast.carl)
    response = client.post(
        url("suggestion-new"),
        {
            "title": "Shadow board for gauges",
            "org_unit": units["A1"].pk,
            "description": "At each lathe.",
            "expected_benefit": "No hunting for gauges.",
        },
    )
    suggestion = Suggestion.objects.get()
    assert response.status_code == 302
    assert (suggestion.title, suggestion.org_unit, suggestion.status) == (
        "Shadow board for gauges",
        units["A1"],
        SuggestionStatus.NEW,
    )
    assert suggestion.submitted_by.user == cast.carl


def test_a_suggestion_with_a_foreign_unit_or_no_title_is_refused_and_nothing_saved(client, cast):
    foreign_unit = cast.org_b.org_units.first()
    client.force_login(cast.carl)
    response = client.post(url("suggestion-new"), {"title": "X", "org_unit": foreign_unit.pk})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    response = client.post(url("suggestion-new"), {"title": "", "description": "x" * 6000})
    assert response.status_code == 400
    assert not Suggestion.objects.exists()


def test_auditors_cannot_make_suggestions(client, cast, members):
    client.force_login(cast.audrey)
    assert client.post(url("suggestion-new"), {"title": "X"}).status_code == 403
    with pytest.raises(NotAllowed):
        submit(members["audrey"])
    assert not Suggestion.objects.exists()


def test_an_anonymous_suggestion_never_shows_its_submitter_to_anyone_else(
    client, api_client, cast, members
):
    suggestion = submit(members["carl"], title="Fewer meetings", is_anonymous=True)
    for user in (cast.quinn, cast.alice, cast.audrey):
        client.force_login(user)
        for page in (url("suggestions"), url("suggestion", suggestion.pk)):
            content = client.get(page).content.decode()
            assert "Fewer meetings" in content
            # (Carl may appear in the triage form's owner choices, as every member does.)
            assert "by Carl" not in content and "by Anonymous" in content
            assert "selected>Carl" not in content
        api_client.force_authenticate(user)
        body = api_client.get(f"/api/v1/organizations/acme-test/suggestions/{suggestion.pk}/")
        assert body.json()["submitted_by"] == "Anonymous"
        assert "Carl" not in body.content.decode()
        assert body.json()["is_mine"] is False
    # The audit trail names nobody for its creation and does not hold the submitter at all.
    history = audit.record_history(suggestion)
    assert [entry.who for entry in history] == ["system"]
    assert not hasattr(suggestion.history.model, "submitted_by_id")
    trail = audit.organization_trail(cast.org_a.pk)
    assert all(e.who != "Carl Test" for e in trail if e.model_label == "suggestion")


def test_the_submitter_of_an_anonymous_suggestion_still_sees_it_as_theirs(client, cast, members):
    suggestion = submit(members["carl"], title="Fewer meetings", is_anonymous=True)
    client.force_login(cast.carl)
    content = client.get(url("suggestion", suggestion.pk)).content.decode()
    assert "you; nobody else sees that" in content
    assert "Fewer meetings" in client.get(url("board")).content.decode()


def test_quality_manager_accepts_a_suggestion_into_an_action_and_the_submitter_is_told(
    client, cast, members
):
    suggestion = submit(members["carl"])
    client.force_login(cast.quinn)
    due = timezone.localdate() + datetime.timedelta(days=30)
    response = client.post(
        url("suggestion-triage", suggestion.pk),
        {
            "decision": "action",
            "action_title": "Install shadow boards",
            "owner": members["carl"].pk,
            "accountable_executive": members["alice"].pk,
            "due_date": due.isoformat(),
            "note": "Start with the lathes.",
        },
    )
    assert response.status_code == 302
    suggestion.refresh_from_db()
    action = Action.objects.get()
    assert suggestion.status == SuggestionStatus.ACTION and suggestion.action == action
    assert (action.title, action.source, action.due_date) == (
        "Install shadow boards",
        suggestion,
        due,
    )
    notification = Notification.objects.get(recipient=members["carl"])
    assert "accepted: an action" in notification.title
    assert action.reference in notification.body


def test_declining_needs_a_reason_that_the_submitter_reads(client, cast, members):
    suggestion = submit(members["carl"])
    client.force_login(cast.quinn)
    response = client.post(url("suggestion-triage", suggestion.pk), {"decision": "decline"})
    assert response.status_code == 400
    assert "Say why the suggestion is declined" in response.content.decode()
    suggestion.refresh_from_db()
    assert suggestion.status == SuggestionStatus.NEW
    client.post(
        url("suggestion-triage", suggestion.pk),
        {"decision": "decline", "note": "Not this year: no budget."},
    )
    suggestion.refresh_from_db()
    assert suggestion.status == SuggestionStatus.DECLINED
    assert Notification.objects.get(recipient=members["carl"]).body == "Not this year: no budget."


def test_a_suggestion_merged_as_a_duplicate_names_the_original(members):
    original = submit(members["carl"], title="Gauge boards")
    later = submit(members["alice"], title="Boards for gauges")
    services.suggestion_merge(suggestion=later, actor=members["quinn"], duplicate_of=original)
    later.refresh_from_db()
    assert (later.status, later.duplicate_of) == (SuggestionStatus.DUPLICATE, original)
    notification = Notification.objects.get(recipient=members["alice"])
    assert original.reference in notification.body


def test_a_suggestion_cannot_be_merged_into_another_organisations_or_itself(cast, members):
    from qms.core.models import Membership

    bob = Membership.objects.get(user=cast.bob)
    foreign = submit(bob)
    suggestion = submit(members["carl"])
    with pytest.raises(Exception, match="this organisation"):
        services.suggestion_merge(
            suggestion=suggestion, actor=members["quinn"], duplicate_of=foreign
        )
    with pytest.raises(Exception, match="cannot duplicate itself"):
        services.suggestion_merge(
            suggestion=suggestion, actor=members["quinn"], duplicate_of=suggestion
        )
    suggestion.refresh_from_db()
    assert suggestion.status == SuggestionStatus.NEW


@pytest.mark.parametrize("who", ["alice", "carl", "adam", "audrey"])
def test_only_quality_managers_triage(client, cast, members, who):
    suggestion = submit(members["carl"])
    client.force_login(getattr(cast, who))
    response = client.post(
        url("suggestion-triage", suggestion.pk), {"decision": "decline", "note": "No."}
    )
    assert response.status_code == 403
    with pytest.raises(NotAllowed):
        services.suggestion_decline(suggestion=suggestion, actor=members[who], reason="No.")
    suggestion.refresh_from_db()
    assert suggestion.status == SuggestionStatus.NEW


def test_a_suggestion_is_decided_once(members):
    suggestion = submit(members["carl"])
    services.suggestion_accept_as_opportunity(suggestion=suggestion, actor=members["quinn"])
    with pytest.raises(TransitionError):
        services.suggestion_decline(suggestion=suggestion, actor=members["quinn"], reason="No.")
    assert Notification.objects.filter(recipient=members["carl"]).count() == 1


def test_another_organisations_suggestion_answers_404(client, cast):
    from qms.core.models import Membership

    foreign = submit(Membership.objects.get(user=cast.bob))
    client.force_login(cast.quinn)
    assert client.get(url("suggestion", foreign.pk)).status_code == 404
    response = client.post(url("suggestion-triage", foreign.pk), {"decision": "opportunity"})
    assert response.status_code == 404
    foreign.refresh_from_db()
    assert foreign.status == SuggestionStatus.NEW


def test_accepted_suggestions_in_a_period_are_the_review_input_f(members):
    kept = submit(members["carl"], title="Kept")
    services.suggestion_accept_as_opportunity(suggestion=kept, actor=members["quinn"])
    declined = submit(members["carl"], title="Declined")
    services.suggestion_decline(suggestion=declined, actor=members["quinn"], reason="No.")
    submit(members["carl"], title="Waiting")
    today = timezone.localdate()
    rows = accepted_suggestions(organization=kept.organization, start=today, end=today)
    assert [s.title for s in rows] == ["Kept"]


def test_figures_count_per_month_and_unit_with_the_mean_time_to_decision(members, units):
    today = timezone.localdate()
    now = timezone.now()
    first = submit(members["carl"], org_unit=units["A1"], now=now - datetime.timedelta(days=4))
    services.suggestion_accept_as_opportunity(suggestion=first, actor=members["quinn"])
    Suggestion.objects.filter(pk=first.pk).update(decided_at=now)
    submit(members["carl"], now=now)
    months, per_unit = suggestion_figures(
        organization=first.organization, start=today.replace(day=1), end=today
    )
    this_month = months[-1]
    submitted_this_month = 1 + (first.submitted_at.date() >= today.replace(day=1))
    assert this_month.submitted == submitted_this_month
    assert (this_month.decided, this_month.accepted, this_month.days_to_decision) == (1, 1, 4.0)
    assert {u.unit_name: (u.submitted, u.awaiting) for u in per_unit}.get("Whole organisation") == (
        1,
        1,
    )


def test_every_member_sees_the_suggestion_pages(client, cast, members):
    suggestion = submit(members["carl"])
    for user in (cast.alice, cast.quinn, cast.carl, cast.audrey, cast.adam):
        client.force_login(user)
        for page in (
            url("suggestions"),
            url("suggestion", suggestion.pk),
            url("suggestion-figures"),
        ):
            assert client.get(page).status_code == 200
    client.force_login(cast.bob)
    assert client.get(url("suggestions")).status_code == 404


def test_the_suggestion_list_costs_the_same_for_3_and_30_suggestions(
    client, cast, members, django_assert_max_num_queries
):
    for n in range(3):
        submit(members["carl"], title=f"Idea {n}")
    client.force_login(cast.quinn)
    with django_assert_max_num_queries(12) as few:
        client.get(url("suggestions"))
    for n in range(27):
        submit(members["alice"], title=f"More {n}", is_anonymous=n % 2 == 0)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url("suggestions"))


def test_the_evidence_and_review_rows_name_no_anonymous_submitter_in_a_stable_order(cast, members):
    from leadership.engagement.selectors import improvements_for_review, suggestions_for_evidence

    now = timezone.now()
    first = submit(
        members["carl"], title="First", is_anonymous=True, now=now - datetime.timedelta(seconds=2)
    )
    second = submit(members["alice"], title="Second", now=now - datetime.timedelta(seconds=1))
    services.suggestion_accept_as_opportunity(suggestion=first, actor=members["quinn"])
    today = timezone.localdate()
    rows = suggestions_for_evidence(organization=cast.org_a, start=today, end=today)
    assert [(r["reference"], r["submitted_by"]) for r in rows] == [
        (first.reference, "Anonymous"),
        (second.reference, "Alice Test"),
    ]
    assert rows == suggestions_for_evidence(organization=cast.org_a, start=today, end=today)
    review = improvements_for_review(organization=cast.org_a, start=today, end=today)
    assert [s["title"] for s in review["suggestions"]] == ["First"]
    assert "Carl" not in str(review) and "Carl" not in str(rows)
