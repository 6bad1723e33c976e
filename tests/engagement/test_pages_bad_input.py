"""Bad input on every engagement form (malformed, oversized, another organisation's ids) is
refused with a clear error and changes nothing; another organisation's records answer 404."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from leadership.engagement.models import (
    Milestone,
    Recognition,
    SealedAnswer,
    Suggestion,
    SuggestionStatus,
    SurveyStatement,
)
from leadership.engagement.services import surveys as survey_services
from leadership.engagement.services.suggestions import suggestion_submit
from qms.core.actions.models import Action
from qms.core.models import Membership

pytestmark = pytest.mark.django_db


def url(name, *args, query=""):
    return reverse(f"engagement:{name}", args=["acme-test", *args]) + query


def test_triage_with_a_foreign_owner_or_a_past_due_date_is_refused(client, cast, members):
    suggestion = suggestion_submit(membership=members["carl"], title="Boards")
    bob = Membership.objects.get(user=cast.bob)
    client.force_login(cast.quinn)
    base = {
        "decision": "action",
        "owner": members["carl"].pk,
        "accountable_executive": members["alice"].pk,
        "due_date": (timezone.localdate() + datetime.timedelta(days=10)).isoformat(),
    }
    for bad in (
        {"owner": bob.pk},
        {"due_date": (timezone.localdate() - datetime.timedelta(days=1)).isoformat()},
        {"due_date": "not a date"},
        {"decision": "approve"},
        {"action_title": "x" * 201},
    ):
        response = client.post(url("suggestion-triage", suggestion.pk), {**base, **bad})
        assert response.status_code == 400
    suggestion.refresh_from_db()
    assert suggestion.status == SuggestionStatus.NEW and not Action.objects.exists()


def test_a_statement_that_is_empty_or_too_long_is_refused(client, cast):
    client.force_login(cast.quinn)
    assert client.post(url("survey-statements"), {"text": ""}).status_code == 400
    assert client.post(url("survey-statements"), {"text": "x" * 301}).status_code == 400
    assert not SurveyStatement.objects.exists()
    assert client.post(url("survey-statements"), {"text": "I know our goals."}).status_code == 302
    assert SurveyStatement.objects.count() == 1


def test_another_organisations_statement_cannot_be_toggled(client, cast):
    bob = Membership.objects.get(user=cast.bob)
    foreign = survey_services.survey_statement_create(
        organization=cast.org_b, actor=bob, text="Theirs"
    )
    client.force_login(cast.quinn)
    assert client.post(url("survey-statements"), {"toggle": foreign.pk}).status_code == 404
    foreign.refresh_from_db()
    assert foreign.is_active


def test_an_oversized_survey_comment_is_refused_and_nothing_saved(client, cast, members):
    survey_services.survey_statement_create(
        organization=cast.org_a, actor=members["quinn"], text="I know our goals."
    )
    survey_round = survey_services.survey_round_open_if_due(organization=cast.org_a)
    client.force_login(cast.carl)
    key = survey_round.questions[0]["key"]
    response = client.post(url("survey"), {f"q_{key}": "4", "comment": "x" * 2001})
    assert response.status_code == 400
    assert client.post(url("survey"), {f"q_{key}": "9"}).status_code == 400
    assert not SealedAnswer.objects.exists()


def test_recognition_of_a_foreign_team_or_without_anyone_is_refused(client, cast):
    client.force_login(cast.alice)
    foreign_team = cast.org_b.org_units.first()
    for data in ({"team": foreign_team.pk, "note": "Hi"}, {"note": "Hi"}, {"note": ""}):
        assert client.post(url("recognition-new"), data).status_code == 400
    assert not Recognition.objects.exists()


def test_another_organisations_milestone_answers_404(client, cast):
    bob = Membership.objects.get(user=cast.bob)
    bob.role = "executive"
    bob.save()
    foreign = Milestone.objects.create(
        organization=cast.org_b,
        kind="target_reached",
        key="target:1",
        title="Theirs",
        period_end=datetime.date(2026, 4, 30),
        executive=bob,
    )
    client.force_login(cast.alice)
    assert client.get(url("recognition-new", query=f"?milestone={foreign.pk}")).status_code == 404
    response = client.post(url("recognition-new"), {"milestone": foreign.pk, "dismiss": "1"})
    assert response.status_code == 404
    foreign.refresh_from_db()
    assert foreign.dismissed_at is None


def test_every_engagement_page_answers_404_to_a_stranger(client, cast, members):
    suggestion = suggestion_submit(membership=members["carl"], title="Boards")
    client.force_login(cast.bob)
    for name, args in (
        ("board", ()),
        ("suggestions", ()),
        ("suggestion-new", ()),
        ("suggestion-figures", ()),
        ("suggestion", (suggestion.pk,)),
        ("survey", ()),
        ("survey-results", ()),
        ("survey-statements", ()),
        ("recognition", ()),
        ("recognition-new", ()),
        ("lessons", ()),
    ):
        assert client.get(url(name, *args)).status_code == 404
    assert Suggestion.objects.count() == 1
