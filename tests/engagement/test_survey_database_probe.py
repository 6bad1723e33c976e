"""A probe that reads the database directly, as someone with the database, a backup or a copy of
its files would: while a round is open, no table holds an answer's scores or comment in the
clear; after the close, no table holds an individual answer at all, only the round's frozen
group results (issue 20)."""

import datetime
import json

import pytest
from django.db import connection
from django.utils import timezone

from leadership.engagement.models import SealedAnswer, SurveyRound
from leadership.engagement.services import surveys as services
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def tables_containing(needle: str) -> set[str]:
    """Every table with a row in which `needle` appears in any column, read with plain SQL."""
    found = set()
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            for row in cursor.fetchall():
                for value in row:
                    raw = bytes(value) if isinstance(value, bytes | memoryview) else None
                    text = raw if raw is not None else str(value).encode()
                    if needle.encode() in text:
                        found.add(table)
    return found


@pytest.fixture
def answered_round(cast, units):
    quinn = cast.org_a.memberships.get(user=cast.quinn)
    services.survey_statement_create(organization=cast.org_a, actor=quinn, text="Q1 zq-statement")
    survey_round = services.survey_round_open_if_due(organization=cast.org_a)
    key = survey_round.questions[0]["key"]
    for n in range(7):
        member = MembershipFactory(
            user=UserFactory(username=f"probe{n}"),
            organization=cast.org_a,
            role="contributor",
            org_unit=units["A"],
        )
        services.survey_answer(
            membership=member,
            survey_round=survey_round,
            scores={key: 1 + n % 5},
            comment=f"zq-comment-{n}",
        )
    return survey_round


def test_while_open_no_table_holds_a_score_or_a_comment_in_the_clear(answered_round):
    assert SealedAnswer.objects.count() == 7
    assert tables_containing("zq-comment") == set()
    assert tables_containing('"scores"') == set()
    # Only the statement text (which everyone reads) is stored in the clear.
    assert "engagement_surveystatement" in tables_containing("zq-statement")


def test_after_the_close_only_the_frozen_group_results_remain(answered_round):
    today = timezone.localdate()
    SurveyRound.objects.filter(pk=answered_round.pk).update(
        opens_on=today - datetime.timedelta(days=20), closes_on=today - datetime.timedelta(days=1)
    )
    assert services.survey_rounds_count_closed(today=today) == 1
    assert SealedAnswer.objects.count() == 0
    # The comments are shown with their group (seven people, alphabetical), in the round's
    # results and its audit-trail copy, and nowhere else.
    assert tables_containing("zq-comment-3") == {
        "engagement_surveyround",
        "engagement_historicalsurveyround",
    }
    results = SurveyRound.objects.get().results
    assert results["respondents"] == 7
    assert set(json.dumps(results).split('"')) & {"scores", "membership", "user"} == set()
