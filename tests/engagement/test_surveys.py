"""Pulse surveys: rounds opened on an interval, answers stored without the member, results only
for groups of five or more (smaller units folded into their parent), never one by one."""

import datetime
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from leadership.engagement.models import (
    SurveyParticipation,
    SurveyResponse,
    SurveyRound,
    SurveyStatement,
)
from leadership.engagement.selectors import survey_results, survey_results_by_round
from leadership.engagement.services import surveys as services
from leadership.engagement.tasks import open_survey_rounds
from qms.core.immutable import NotAllowed, TransitionError
from qms.core.models import Membership
from tests.factories import MembershipFactory, UserFactory, make_unit

pytestmark = pytest.mark.django_db
API = "/api/v1/organizations/acme-test"


def url(name, *args):
    return reverse(f"engagement:{name}", args=["acme-test", *args])


@pytest.fixture
def statements(cast, members):
    return [
        services.survey_statement_create(organization=cast.org_a, actor=members["quinn"], text=text)
        for text in ("I know our objectives.", "Problems I report are followed up.")
    ]


@pytest.fixture
def survey_round(cast, statements):
    return services.survey_round_open_if_due(organization=cast.org_a)


def staff(org, unit, count, prefix):
    """`count` contributors in `unit`."""
    return [
        MembershipFactory(
            user=UserFactory(username=f"{prefix}{n}"),
            organization=org,
            role="contributor",
            org_unit=unit,
        )
        for n in range(count)
    ]


def answer(member, survey_round, score=4, comment=""):
    scores = {q["key"]: score for q in survey_round.questions}
    services.survey_answer(
        membership=member, survey_round=survey_round, scores=scores, comment=comment
    )


def test_a_round_opens_when_due_and_not_again_within_the_interval(cast, statements, settings):
    settings.PULSE_SURVEY_INTERVAL_DAYS = 90
    settings.PULSE_SURVEY_OPEN_DAYS = 14
    today = timezone.localdate()
    first = services.survey_round_open_if_due(organization=cast.org_a, today=today)
    assert (first.number, first.opens_on, first.closes_on) == (
        1,
        today,
        today + datetime.timedelta(days=13),
    )
    assert [q["text"] for q in first.questions] == [s.text for s in statements]
    assert open_survey_rounds() == 0  # the task run twice (or daily) opens nothing new
    later = today + datetime.timedelta(days=89)
    assert services.survey_round_open_if_due(organization=cast.org_a, today=later) is None
    second = services.survey_round_open_if_due(
        organization=cast.org_a, today=today + datetime.timedelta(days=90)
    )
    assert second.number == 2
    assert SurveyRound.objects.count() == 2


def test_no_round_opens_without_statements(cast):
    assert services.survey_round_open_if_due(organization=cast.org_a) is None


def test_editing_a_statement_does_not_change_what_an_opened_round_asked(
    members, statements, survey_round
):
    services.survey_statement_update(
        statement=statements[0], actor=members["quinn"], text="Changed."
    )
    survey_round.refresh_from_db()
    assert survey_round.questions[0]["text"] == "I know our objectives."


def test_only_quality_managers_and_administrators_edit_statements(cast, members):
    for who in ("carl", "alice", "audrey"):
        with pytest.raises(NotAllowed):
            services.survey_statement_create(organization=cast.org_a, actor=members[who], text="X")
    assert not SurveyStatement.objects.exists()


def test_an_answer_is_stored_without_any_link_to_the_member(members, survey_round, placed):
    answer(placed["carl"], survey_round, score=2, comment="More training.")
    participation = SurveyParticipation.objects.get()
    response = SurveyResponse.objects.get()
    assert participation.membership == placed["carl"]
    field_names = {f.name for f in SurveyResponse._meta.get_fields()}
    assert field_names == {"id", "organization", "round", "org_unit", "scores", "comment"}
    assert isinstance(response.pk, type(participation.round.pk)) is False  # a UUID, not a sequence
    assert not hasattr(SurveyResponse, "history") and not hasattr(SurveyParticipation, "history")


def test_a_member_answers_a_round_once(members, survey_round):
    answer(members["carl"], survey_round)
    with pytest.raises(TransitionError, match="already answered"):
        answer(members["carl"], survey_round)
    assert SurveyResponse.objects.count() == 1


@pytest.mark.parametrize(
    "scores, message",
    [
        ("not a dict", "Give a score"),
        ({}, "every statement"),
        ({"999": 3}, "only the statements"),
        ("bad-score", "whole number from 1 to 5"),
    ],
)
def test_bad_scores_are_refused_and_nothing_saved(members, survey_round, scores, message):
    if scores == "bad-score":
        scores = {q["key"]: 6 for q in survey_round.questions}
    with pytest.raises(Exception, match=message):
        services.survey_answer(membership=members["carl"], survey_round=survey_round, scores=scores)
    assert not SurveyResponse.objects.exists() and not SurveyParticipation.objects.exists()


def test_a_closed_round_or_an_auditor_cannot_answer(members, survey_round):
    with pytest.raises(NotAllowed):
        answer(members["audrey"], survey_round)
    SurveyRound.objects.filter(pk=survey_round.pk).update(
        opens_on=timezone.localdate() - datetime.timedelta(days=20),
        closes_on=timezone.localdate() - datetime.timedelta(days=1),
    )
    survey_round.refresh_from_db()
    with pytest.raises(TransitionError):
        answer(members["carl"], survey_round)
    assert not SurveyResponse.objects.exists()


def test_a_unit_with_four_respondents_shows_no_figures(cast, units, survey_round):
    for member in staff(cast.org_a, units["A1"], 4, "p"):
        answer(member, survey_round, score=1)
    results = survey_results(survey_round=survey_round)
    assert results.respondents == 4
    assert results.groups == [] and results.overall is None
    assert results.hidden_respondents == 4


def test_a_small_unit_is_folded_into_its_parent_and_never_shown_alone(cast, units, survey_round):
    team = make_unit(cast.org_a, "Night shift", parent=units["A1"], code="A1N")
    for member in staff(cast.org_a, team, 3, "n"):
        answer(member, survey_round, score=1)
    for member in staff(cast.org_a, units["A1"], 2, "p"):
        answer(member, survey_round, score=5)
    for member in staff(cast.org_a, units["A"], 6, "h"):
        answer(member, survey_round, score=3)
    results = survey_results(survey_round=survey_round)
    shown = {g.label: (g.respondents, g.mean, g.folded_units) for g in results.groups}
    assert shown == {
        "Plant One": (5, round((3 * 1 + 2 * 5) / 5, 2), ["Night shift"]),
        "Acme Test Ltd": (6, 3.0, []),
    }
    assert "Night shift" not in [g.label for g in results.groups]
    assert results.overall.respondents == 11 and results.hidden_respondents == 0


def test_the_organisation_figure_is_held_back_when_it_would_reveal_a_small_remainder(
    cast, units, survey_round
):
    for member in staff(cast.org_a, units["A1"], 6, "p"):
        answer(member, survey_round, score=4)
    for member in staff(cast.org_a, units["A"], 2, "h"):  # too few, even at the top
        answer(member, survey_round, score=1)
    results = survey_results(survey_round=survey_round)
    assert [g.label for g in results.groups] == ["Plant One"]
    assert results.hidden_respondents == 2
    assert results.overall is None  # 8 in all minus Plant One's 6 would reveal the 2


def test_results_trend_per_group_over_rounds(cast, units, statements):
    today = timezone.localdate()
    first = services.survey_round_open_if_due(
        organization=cast.org_a, today=today - datetime.timedelta(days=200)
    )
    people = staff(cast.org_a, units["A1"], 5, "p")
    for member in people:
        services.survey_answer(
            membership=member,
            survey_round=first,
            scores={q["key"]: 3 for q in first.questions},
            today=first.opens_on,
        )
    second = services.survey_round_open_if_due(organization=cast.org_a, today=today)
    for member in people:
        answer(member, second, score=4)
    results = survey_results_by_round(organization=cast.org_a)
    assert [(r.round.number, r.overall.mean) for r in results] == [(1, 3.0), (2, 4.0)]


def _all_survey_pages_and_endpoints(survey_round):
    pages = [url("survey"), url("survey-results"), url("survey-statements")]
    pages.append(url("survey-results") + f"?round={survey_round.number}")
    endpoints = [
        f"{API}/survey-rounds/",
        f"{API}/survey-rounds/{survey_round.pk}/",
        f"{API}/survey-rounds/{survey_round.pk}/results/",
        f"{API}/survey-statements/",
    ]
    return pages, endpoints


def test_no_survey_page_or_endpoint_returns_individual_answers(
    client, api_client, cast, units, survey_round
):
    """Four respondents with distinctive answers: no page or endpoint, for any role, shows a
    figure or a comment of theirs."""
    people = staff(cast.org_a, units["A1"], 4, "p")
    for n, member in enumerate(people):
        answer(member, survey_round, score=1 + n, comment=f"secret-comment-{n}")
    pages, endpoints = _all_survey_pages_and_endpoints(survey_round)
    for user in (cast.alice, cast.quinn, cast.carl, cast.audrey, cast.adam):
        client.force_login(user)
        api_client.force_authenticate(user)
        for page in pages:
            content = client.get(page).content.decode()
            assert "secret-comment" not in content
            assert ">2.5<" not in content  # the four's mean
        for endpoint in endpoints:
            response = api_client.get(endpoint)
            text = response.content.decode()
            assert "secret-comment" not in text and "scores" not in text
            if response.status_code == 200 and endpoint.endswith("/results/"):
                body = response.json()
                assert body["groups"] == [] and body["overall"] is None
    for response_id in SurveyResponse.objects.values_list("pk", flat=True):
        api_client.force_authenticate(cast.quinn)
        assert api_client.get(f"{API}/survey-responses/{response_id}/").status_code == 404


def test_survey_results_show_figures_only_to_management_and_auditors(
    client, api_client, cast, survey_round
):
    for user, allowed in (
        (cast.alice, True),
        (cast.quinn, True),
        (cast.audrey, True),
        (cast.carl, False),
    ):
        client.force_login(user)
        api_client.force_authenticate(user)
        assert (client.get(url("survey-results")).status_code == 200) is allowed
        response = api_client.get(f"{API}/survey-rounds/{survey_round.pk}/results/")
        assert (response.status_code == 200) is allowed


def test_a_member_answers_on_the_page_and_then_sees_only_that_they_answered(
    client, cast, survey_round
):
    client.force_login(cast.carl)
    keys = [q["key"] for q in survey_round.questions]
    response = client.post(url("survey"), {f"q_{keys[0]}": "4"})
    assert response.status_code == 400  # the second statement is unanswered
    assert not SurveyResponse.objects.exists()
    response = client.post(url("survey"), {f"q_{k}": "4" for k in keys} | {"comment": "Ok"})
    assert response.status_code == 302
    page = client.get(url("survey")).content.decode()
    assert "You have answered" in page and "Ok" not in page.split("<main")[-1].split("Thank")[0]
    assert client.post(url("survey"), {f"q_{k}": "1" for k in keys}).status_code == 302
    assert SurveyResponse.objects.count() == 1


def test_answering_through_the_api_returns_only_a_receipt(api_client, cast, survey_round):
    api_client.force_authenticate(cast.carl)
    scores = {q["key"]: 5 for q in survey_round.questions}
    endpoint = f"{API}/survey-rounds/{survey_round.pk}/answer/"
    response = api_client.post(endpoint, {"scores": scores}, format="json")
    assert response.status_code == 201 and response.json() == {"answered": True}
    again = api_client.post(endpoint, {"scores": scores}, format="json")
    assert again.status_code == 409
    bad = api_client.post(endpoint, {"scores": {"x": 9}}, format="json")
    assert bad.status_code in (400, 409)
    detail = api_client.get(f"{API}/survey-rounds/{survey_round.pk}/").json()
    assert detail["answered"] is True and "scores" not in json.dumps(detail)


def test_another_organisations_round_answers_404(api_client, cast, statements):
    bob = Membership.objects.get(user=cast.bob)
    services.survey_statement_create(organization=cast.org_b, actor=bob, text="B?")
    foreign = services.survey_round_open_if_due(organization=cast.org_b)
    api_client.force_authenticate(cast.carl)
    endpoint = f"{API}/survey-rounds/{foreign.pk}/answer/"
    response = api_client.post(
        endpoint, {"scores": {q["key"]: 3 for q in foreign.questions}}, format="json"
    )
    assert response.status_code == 404
    api_client.force_authenticate(cast.quinn)
    assert api_client.get(f"{API}/survey-rounds/{foreign.pk}/results/").status_code == 404
    assert not SurveyResponse.objects.exists()


def test_comments_are_counted_but_never_listed(client, cast, survey_round, units):
    """Even in a group large enough to show figures, no one reads a comment one by one."""
    from django.urls import reverse

    for n, member in enumerate(staff(cast.org_a, units["A"], 6, "c")):
        answer(member, survey_round, score=3, comment=f"my-own-words-{n}")
    client.force_login(cast.alice)
    page = client.get(reverse("engagement:survey-results", args=["acme-test"]))
    text = page.content.decode()
    assert page.status_code == 200
    assert "my-own-words" not in text
    assert "never shown one by one" in text
