"""Pulse surveys: rounds opened on an interval; answers sealed without the member while the round
is open; results counted once after the close and frozen, only for groups of six or more
(smaller units folded into their parent), never one by one, and no figure at all while open."""

import datetime
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from leadership.engagement import sealing
from leadership.engagement.models import (
    SealedAnswer,
    SurveyParticipation,
    SurveyRound,
    SurveyStatement,
)
from leadership.engagement.selectors import survey_results, survey_results_by_round
from leadership.engagement.services import surveys as services
from leadership.engagement.tasks import count_survey_rounds, open_survey_rounds
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
        membership=member,
        survey_round=survey_round,
        scores=scores,
        comment=comment,
        today=survey_round.opens_on,
    )


def close(survey_round):
    """The round, as it is the day after its close (dates moved back, nothing else)."""
    today = timezone.localdate()
    SurveyRound.objects.filter(pk=survey_round.pk).update(
        opens_on=today - datetime.timedelta(days=20), closes_on=today - datetime.timedelta(days=1)
    )
    survey_round.refresh_from_db()
    return survey_round


def closed_results(survey_round):
    return survey_results(survey_round=close(survey_round))


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


def test_an_answer_is_sealed_without_any_link_to_the_member(members, survey_round, placed):
    answer(placed["carl"], survey_round, score=2, comment="More training.")
    participation = SurveyParticipation.objects.get()
    sealed = SealedAnswer.objects.get()
    assert participation.membership == placed["carl"]
    field_names = {f.name for f in SealedAnswer._meta.get_fields()}
    assert field_names == {"id", "organization", "round", "sealed"}  # no member, no time
    assert isinstance(sealed.pk, type(participation.round.pk)) is False  # a UUID, not a sequence
    assert b"More training." not in bytes(sealed.sealed)
    assert not hasattr(SealedAnswer, "history") and not hasattr(SurveyParticipation, "history")
    opened = sealing.unseal(
        round_id=survey_round.pk, organization_id=survey_round.organization_id, sealed=sealed.sealed
    )
    assert opened["comment"] == "More training." and opened["unit"] == placed["carl"].org_unit_id


def test_a_sealed_answer_opens_only_in_its_own_round_and_with_this_installations_key(
    cast, statements, survey_round, settings
):
    one = {"unit": None, "scores": {"1": 3}, "comment": ""}
    sealed = sealing.seal(round_id=survey_round.pk, organization_id=cast.org_a.pk, answer=one)
    assert (
        sealing.unseal(round_id=survey_round.pk, organization_id=cast.org_a.pk, sealed=sealed)
        == one
    )
    with pytest.raises(sealing.UnsealError):
        sealing.unseal(round_id=survey_round.pk + 1, organization_id=cast.org_a.pk, sealed=sealed)
    settings.SURVEY_SEALING_KEY = "another key entirely"
    with pytest.raises(sealing.UnsealError):
        sealing.unseal(round_id=survey_round.pk, organization_id=cast.org_a.pk, sealed=sealed)


def test_a_member_answers_a_round_once(members, survey_round):
    answer(members["carl"], survey_round)
    with pytest.raises(TransitionError, match="already answered"):
        answer(members["carl"], survey_round)
    assert SealedAnswer.objects.count() == 1


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
    assert not SealedAnswer.objects.exists() and not SurveyParticipation.objects.exists()


def test_a_closed_round_or_an_auditor_cannot_answer(members, survey_round):
    with pytest.raises(NotAllowed):
        answer(members["audrey"], survey_round)
    close(survey_round)
    with pytest.raises(TransitionError):
        services.survey_answer(
            membership=members["carl"],
            survey_round=survey_round,
            scores={q["key"]: 3 for q in survey_round.questions},
        )
    assert not SealedAnswer.objects.exists()


def test_an_open_round_has_no_figures_so_one_answer_cannot_be_read_by_difference(
    client, api_client, cast, units, survey_round
):
    """Read the results, let one person answer, read again: nothing changes but, at most, the
    count of people in steps of five (it used to give that person's exact scores)."""
    for member in staff(cast.org_a, units["A"], 6, "h"):
        answer(member, survey_round, score=3)
    api_client.force_authenticate(cast.quinn)
    client.force_login(cast.quinn)
    endpoint = f"{API}/survey-rounds/{survey_round.pk}/results/"
    page = url("survey-results") + f"?round={survey_round.number}"

    def seen():
        body = api_client.get(endpoint).json()
        html = client.get(page).content.decode().split("<main")[-1]
        return body, html

    before, before_page = seen()
    (newcomer,) = staff(cast.org_a, units["A"], 1, "new")
    answer(newcomer, survey_round, score=1)
    after, after_page = seen()
    assert before == after
    assert before["status"] == "open" and before["answered_at_least"] == 5
    assert before["respondents"] is None and before["groups"] == [] and before["overall"] is None
    assert before_page == after_page and "At least 5 people have answered" in after_page
    # Nor does any other reader of the results carry an open round.
    assert survey_results_by_round(organization=cast.org_a) == []


def test_a_closed_round_is_counted_once_frozen_and_its_sealed_answers_deleted(
    cast, units, survey_round
):
    for member in staff(cast.org_a, units["A"], 6, "h"):
        answer(member, survey_round, score=4, comment="fine")
    close(survey_round)
    assert count_survey_rounds() == 1
    survey_round.refresh_from_db()
    frozen = survey_round.results
    assert frozen["respondents"] == 6 and frozen["overall"]["mean"] == 4.0
    assert survey_round.counted_on == timezone.localdate()
    assert not SealedAnswer.objects.exists()
    assert count_survey_rounds() == 0  # counted once: the nightly task finds nothing more
    services.survey_round_count(survey_round=survey_round)
    survey_round.refresh_from_db()
    assert survey_round.results == frozen


def test_a_round_is_not_counted_before_it_closes(cast, units, survey_round):
    with pytest.raises(TransitionError, match="still open"):
        services.survey_round_count(survey_round=survey_round)
    assert count_survey_rounds() == 0
    assert SurveyRound.objects.get().results is None


@pytest.mark.parametrize(("respondents", "shown"), [(4, False), (5, False), (6, True)])
def test_a_group_is_shown_only_from_six_respondents(cast, units, survey_round, respondents, shown):
    """Six, not five: a respondent who takes their own answer out of a group of five would be
    left with the answers of four people."""
    for member in staff(cast.org_a, units["A1"], respondents, "p"):
        answer(member, survey_round, score=1)
    results = closed_results(survey_round)
    assert results.respondents == respondents
    assert bool(results.groups) is shown and (results.overall is not None) is shown
    assert results.hidden_respondents == (0 if shown else respondents)


def test_a_small_unit_is_folded_into_its_parent_and_never_shown_alone(cast, units, survey_round):
    team = make_unit(cast.org_a, "Night shift", parent=units["A1"], code="A1N")
    for member in staff(cast.org_a, team, 3, "n"):
        answer(member, survey_round, score=1)
    for member in staff(cast.org_a, units["A1"], 3, "p"):
        answer(member, survey_round, score=5)
    for member in staff(cast.org_a, units["A"], 6, "h"):
        answer(member, survey_round, score=3)
    results = closed_results(survey_round)
    shown = {g.label: (g.respondents, g.mean, g.folded_units) for g in results.groups}
    assert shown == {
        "Plant One": (6, 3.0, ["Night shift"]),
        "Acme Test Ltd": (6, 3.0, []),
    }
    assert results.overall.respondents == 12 and results.hidden_respondents == 0


def test_the_organisation_figure_is_held_back_when_it_would_reveal_a_small_remainder(
    cast, units, survey_round
):
    for member in staff(cast.org_a, units["A1"], 6, "p"):
        answer(member, survey_round, score=4)
    for member in staff(cast.org_a, units["A"], 2, "h"):  # too few, even at the top
        answer(member, survey_round, score=1)
    results = closed_results(survey_round)
    assert [g.label for g in results.groups] == ["Plant One"]
    assert results.hidden_respondents == 2
    assert results.overall is None  # 8 in all minus Plant One's 6 would reveal the 2


def test_results_trend_per_group_over_closed_rounds_only(cast, units, statements):
    today = timezone.localdate()
    first = services.survey_round_open_if_due(
        organization=cast.org_a, today=today - datetime.timedelta(days=200)
    )
    people = staff(cast.org_a, units["A1"], 6, "p")
    for member in people:
        answer(member, first, score=3)
    second = services.survey_round_open_if_due(organization=cast.org_a, today=today)
    for member in people:
        answer(member, second, score=4)
    results = survey_results_by_round(organization=cast.org_a)
    assert [(r.round.number, r.overall.mean) for r in results] == [(1, 3.0)]  # 2 is open
    close(second)
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


@pytest.mark.parametrize("closed", [False, True])
def test_no_survey_page_or_endpoint_returns_individual_answers(
    client, api_client, cast, units, survey_round, closed
):
    """Five respondents with distinctive answers, the round open or closed: no page or
    endpoint, for any role, shows a figure or a comment of theirs."""
    people = staff(cast.org_a, units["A1"], 5, "p")
    for n, member in enumerate(people):
        answer(member, survey_round, score=1 + n % 5, comment=f"secret-comment-{n}")
    if closed:
        close(survey_round)
    pages, endpoints = _all_survey_pages_and_endpoints(survey_round)
    for user in (cast.alice, cast.quinn, cast.carl, cast.audrey, cast.adam):
        client.force_login(user)
        api_client.force_authenticate(user)
        for page in pages:
            content = client.get(page).content.decode()
            assert "secret-comment" not in content
            assert ">3.0<" not in content  # the five's mean
        for endpoint in endpoints:
            response = api_client.get(endpoint)
            text = response.content.decode()
            assert "secret-comment" not in text and "scores" not in text
            if response.status_code == 200 and endpoint.endswith("/results/"):
                body = response.json()
                assert body["groups"] == [] and body["overall"] is None
    assert api_client.get(f"{API}/survey-responses/").status_code == 404
    assert api_client.get(f"{API}/sealed-answers/").status_code == 404


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
    assert not SealedAnswer.objects.exists()
    response = client.post(url("survey"), {f"q_{k}": "4" for k in keys} | {"comment": "Ok"})
    assert response.status_code == 302
    page = client.get(url("survey")).content.decode()
    assert "You have answered" in page and "Ok" not in page.split("<main")[-1].split("Thank")[0]
    assert client.post(url("survey"), {f"q_{k}": "1" for k in keys}).status_code == 302
    assert SealedAnswer.objects.count() == 1


def test_the_form_says_exactly_what_happens_to_a_comment(client, cast, survey_round):
    client.force_login(cast.carl)
    page = " ".join(client.get(url("survey")).content.decode().split())
    assert "after the round closes" in page and "at least six people" in page
    # Where a comment is shown: with the group its answers are counted in, the unit above
    # when the member's own unit had fewer than six; deleted unread only if no group holds it.
    assert "the unit above it when fewer than six people answered in yours" in page
    assert "deleted unread only if no group of six or more contains it" in page
    assert "otherwise it is deleted unread" not in page
    assert "in a group of fewer than six it is deleted unread" not in page
    assert "Read by management as written" not in page


def test_a_folded_comment_is_shown_under_the_parent_group_as_the_pages_say(
    client, cast, survey_round, units
):
    for n, member in enumerate(staff(cast.org_a, units["A1"], 2, "small")):
        answer(member, survey_round, score=2, comment=f"from-plant-{n}")
    for n, member in enumerate(staff(cast.org_a, units["A"], 5, "big")):
        answer(member, survey_round, score=4, comment=f"from-company-{n}")
    client.force_login(cast.alice)
    close(survey_round)
    page = client.get(url("survey-results") + f"?round={survey_round.number}").content.decode()
    comments = page.split('<h3 class="h6 mt-3">Comments</h3>')[1]
    # Plant One had two answers: folded into the company (seven), its comments listed there.
    assert "Acme Test Ltd (7)" in comments and "Plant One (" not in comments
    listed = comments.split("Acme Test Ltd (7)")[1].split("</ul>")[0]
    assert listed.index("from-company-4") < listed.index("from-plant-0")
    assert "includes Plant One" in page
    text = " ".join(page.split())
    assert "or the unit above it when fewer than six answered in theirs" in text
    assert "Comments of respondents in no shown group were deleted unread" not in text


def test_the_survey_page_names_who_could_open_answers_instead_of_promising_nobody(
    client, cast, survey_round
):
    """Whoever runs the server holds the sealing key: with the database too, they could open
    an open round's answers. The page said "nobody, the database's administrators included"."""
    client.force_login(cast.carl)
    text = " ".join(client.get(url("survey")).content.decode().split())
    assert "database's administrators included" not in text
    assert "a copy of the database alone reveals none of them" in text
    assert "the people who run the server hold the key that seals the answers" in text


def test_a_comment_over_the_limit_says_how_long_it_is_not_that_a_statement_is_missing(
    client, cast, survey_round
):
    client.force_login(cast.carl)
    scores = {f"q_{q['key']}": "4" for q in survey_round.questions}
    response = client.post(url("survey"), scores | {"comment": "a" * 2001})
    page = response.content.decode()
    assert response.status_code == 400
    assert "Your comment is 2,001 characters; the limit is 2,000." in page
    assert "Please answer every statement." not in page
    assert not SealedAnswer.objects.exists() and not SurveyParticipation.objects.exists()
    # Both wrong: the banner asks for the statements, and the comment's own error is shown too.
    first = dict(list(scores.items())[:1])
    page = client.post(url("survey"), first | {"comment": "é" * 2500}).content.decode()
    assert "Please answer every statement." in page
    assert "Your comment is 2,500 characters; the limit is 2,000." in page
    # The limit counts the comment without the spaces around it.
    response = client.post(url("survey"), scores | {"comment": "  " + "a" * 2000 + "\n "})
    assert response.status_code == 302 and SealedAnswer.objects.count() == 1
    # A line break, which the browser sends as two characters, counts as the one it shows.
    client.force_login(cast.quinn)
    comment = "abc\r\n" * 499 + "abcd"  # 2,000 characters as typed, 2,499 as sent
    assert client.post(url("survey"), scores | {"comment": comment}).status_code == 302
    assert SealedAnswer.objects.count() == 2


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


def test_the_api_says_how_long_a_comment_is_and_counts_a_line_break_as_one(
    api_client, cast, survey_round
):
    scores = {q["key"]: 4 for q in survey_round.questions}
    endpoint = f"{API}/survey-rounds/{survey_round.pk}/answer/"
    api_client.force_authenticate(cast.carl)
    response = api_client.post(endpoint, {"scores": scores, "comment": "é" * 2500}, format="json")
    assert response.status_code == 400
    assert response.json()["comment"] == ["Your comment is 2,500 characters; the limit is 2,000."]
    assert not SealedAnswer.objects.exists() and not SurveyParticipation.objects.exists()
    comment = "abc\r\n" * 499 + "abcd"  # 2,000 characters as typed, 2,499 as sent
    response = api_client.post(endpoint, {"scores": scores, "comment": comment}, format="json")
    assert response.status_code == 201 and SealedAnswer.objects.count() == 1


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
    assert not SealedAnswer.objects.exists()


def test_after_the_close_a_shown_groups_comments_are_listed_and_a_hidden_groups_deleted(
    client, cast, survey_round, units
):
    shown = staff(cast.org_a, units["A"], 6, "c")
    for n, member in enumerate(shown):
        answer(member, survey_round, score=3, comment=f"words-{5 - n}")
    (alone,) = staff(cast.org_a, units["A1"], 1, "x")  # folds into A: shown with A's group
    answer(alone, survey_round, score=3, comment="words-folded")
    client.force_login(cast.alice)
    results_page = url("survey-results") + f"?round={survey_round.number}"
    assert "words-" not in client.get(results_page).content.decode()  # open: nothing
    close(survey_round)
    text = client.get(results_page).content.decode()
    listed = [f"words-{n}" for n in range(6)] + ["words-folded"]
    assert all(f"<li>{c}</li>" in text for c in listed)
    assert text.index("words-0") < text.index("words-5") < text.index("words-folded")


def test_comments_of_respondents_in_no_shown_group_are_deleted_unread(cast, survey_round, units):
    for member in staff(cast.org_a, units["A1"], 6, "p"):
        answer(member, survey_round, score=3)
    (lonely,) = staff(cast.org_a, None, 1, "z")  # no unit, and too few for the rest
    answer(lonely, survey_round, score=1, comment="only-me")
    results = closed_results(survey_round)
    assert results.hidden_respondents == 1 and results.overall is None
    assert "only-me" not in json.dumps(SurveyRound.objects.get().results)
    assert not SealedAnswer.objects.exists()
