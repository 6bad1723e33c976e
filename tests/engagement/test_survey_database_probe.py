"""A probe that reads the database directly, as someone with the database, a backup or a copy of
its files would: while a round is open, no table holds an answer's scores or comment in the
clear; after the close, no table holds an individual answer at all, only the round's frozen
group results (issue 20)."""

import datetime
import itertools
import json
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from leadership.engagement import sealing
from leadership.engagement.models import SealedAnswer, SurveyParticipation, SurveyRound
from leadership.engagement.models.surveys import COMMENT_MAX_CHARS
from leadership.engagement.services import surveys as services
from tests.factories import MembershipFactory, UserFactory, make_unit

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


# --- what a copy of the database tells without the key: size, order, transactions -------------
# The outside tester's finding: sealed answers were written one per answer, in the order the
# participations (who answered) were, and each one's size gave away its comment's length, and
# comments are published verbatim after the close. Read with plain SQL, as from a copy.


def sealed_rows_in_storage_order(survey_round) -> list[tuple[str, bytes]]:
    """(id, ciphertext) of the round's sealed answers in the order the database stores them:
    SQLite's rowid, PostgreSQL's physical place (ctid)."""
    order = "ctid" if connection.vendor == "postgresql" else "rowid"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, sealed FROM engagement_sealedanswer WHERE round_id = %s ORDER BY {order}",  # noqa: S608
            [survey_round.pk],
        )
        return [(str(row_id), bytes(sealed)) for row_id, sealed in cursor.fetchall()]


def comment_of(survey_round, sealed: bytes) -> str:
    return sealing.unseal(
        round_id=survey_round.pk, organization_id=survey_round.organization_id, sealed=sealed
    )["comment"]


@pytest.fixture
def open_round(cast):
    quinn = cast.org_a.memberships.get(user=cast.quinn)
    for text in ("I know our objectives.", "Problems I report are followed up."):
        services.survey_statement_create(organization=cast.org_a, actor=quinn, text=text)
    return services.survey_round_open_if_due(organization=cast.org_a)


def answer_as(cast, unit, name, survey_round, comment, score=3):
    member = MembershipFactory(
        user=UserFactory(username=name), organization=cast.org_a, role="contributor", org_unit=unit
    )
    services.survey_answer(
        membership=member,
        survey_round=survey_round,
        scores={q["key"]: score for q in survey_round.questions},
        comment=comment,
    )


def test_every_sealed_answer_has_one_size_whatever_its_comment_scores_or_unit(
    cast, units, open_round
):
    team = make_unit(cast.org_a, "Night shift", parent=units["A1"], code="A1N")
    answers = [
        (units["A"], "", 1),
        (units["A1"], "x", 5),
        (team, "A longer comment about the night shift.", 2),
        (None, "é" * 17, 4),  # two bytes a character
        (units["A"], "😀" * COMMENT_MAX_CHARS, 3),  # the longest allowed: four bytes each
        (units["A1"], "a" * COMMENT_MAX_CHARS, 1),
        (team, 'line one\nline "two" \\ \x01', 5),  # characters JSON would escape
    ]
    for n, (unit, comment, score) in enumerate(answers):
        answer_as(cast, unit, f"size{n}", open_round, comment, score)
    rows = sealed_rows_in_storage_order(open_round)
    assert len(rows) == len(answers)
    assert {len(sealed) for _, sealed in rows} == {sealing.SEALED_BYTES}
    assert sorted(comment_of(open_round, s) for _, s in rows) == sorted(c for _, c, _ in answers)


def test_a_comment_over_the_limit_is_refused_and_nothing_is_sealed(cast, units, open_round):
    with pytest.raises(ValidationError) as refused:
        answer_as(cast, units["A"], "long", open_round, "a" * (COMMENT_MAX_CHARS + 1))
    assert refused.value.message_dict["comment"] == [
        "Your comment is 2,001 characters; the limit is 2,000."
    ]
    assert not SealedAnswer.objects.exists() and not SurveyParticipation.objects.exists()


def test_each_answer_reshuffles_and_reseals_every_sealed_answer_of_the_round(
    cast, units, open_round
):
    written = []  # comments in the order they were answered (the participations' order)
    snapshots = []  # the sealed rows after each answer, in storage order
    for n, name in enumerate("ABCDEFGH"):
        comment = f"comment by {name}" + "!" * n
        answer_as(cast, units["A"], f"member{name}", open_round, comment)
        written.append(comment)
        snapshots.append(sealed_rows_in_storage_order(open_round))
    participations = list(
        SurveyParticipation.objects.filter(round=open_round)
        .order_by("pk")
        .values_list("membership__user__username", flat=True)
    )
    assert participations == [f"member{name}" for name in "ABCDEFGH"]
    orders = [[comment_of(open_round, s) for _, s in rows] for rows in snapshots]
    for before, after in itertools.pairwise(snapshots):
        # Not one ciphertext, nor one row id, of the copy before the last answer survives it:
        # comparing two copies does not single out the new answer.
        assert {s for _, s in before}.isdisjoint(s for _, s in after)
        assert {i for i, _ in before}.isdisjoint(i for i, _ in after)
    # The storage order is not the answering order (which the participations keep): the k-th
    # participation is not the k-th sealed answer. A random order equal to the answering order
    # in every copy of four rows or more would happen once in 4!·5!·6!·7!·8! tries.
    assert any(order != written[: len(order)] for order in orders[3:])
    # ...and it is drawn again on every answer: the earlier answers' relative order changes.
    relative = [[c for c in order if c in written[:3]] for order in orders[2:]]
    assert len({tuple(r) for r in relative}) > 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_on_postgresql_all_sealed_answers_share_the_last_answers_transaction(cast, units):
    quinn = cast.org_a.memberships.get(user=cast.quinn)
    services.survey_statement_create(organization=cast.org_a, actor=quinn, text="Q1")
    survey_round = services.survey_round_open_if_due(organization=cast.org_a)
    seen = []
    for n in range(5):
        answer_as(cast, units["A"], f"xmin{n}", survey_round, f"comment {n}" * (n + 1))
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT DISTINCT xmin::text FROM engagement_sealedanswer WHERE round_id = %s",
                [survey_round.pk],
            )
            sealed_xmins = {row[0] for row in cursor.fetchall()}
            # The answer locked the round's row (select_for_update): its xmax is the id of
            # the answer's transaction.
            cursor.execute(
                "SELECT xmax::text FROM engagement_surveyround WHERE id = %s", [survey_round.pk]
            )
            (locker,) = cursor.fetchone()
        assert sealed_xmins == {locker}, "every sealed row is rewritten by the latest answer"
        seen.append(locker)
    assert len(set(seen)) == 5


def test_answers_sealed_before_padding_are_resealed_padded_and_still_counted(
    cast, units, open_round
):
    """Rounds open when this ships hold unpadded answers: the next answer re-seals them."""
    key = sealing._round_key(open_round.pk, open_round.organization_id)
    nonce = b"\x01" * sealing.NONCE_BYTES
    old = {"unit": units["A"].pk, "scores": {q["key"]: 1 for q in open_round.questions}}
    plain = json.dumps(old | {"comment": "sealed-before"}, separators=(",", ":")).encode()
    associated = sealing._associated(open_round.pk, open_round.organization_id)
    SealedAnswer.objects.create(
        organization_id=open_round.organization_id,
        round=open_round,
        sealed=nonce + sealing.AESGCM(key).encrypt(nonce, plain, associated),
    )
    for n in range(6):
        answer_as(cast, units["A"], f"after{n}", open_round, f"after-{n}")
    rows = sealed_rows_in_storage_order(open_round)
    assert {len(sealed) for _, sealed in rows} == {sealing.SEALED_BYTES}
    today = timezone.localdate()
    SurveyRound.objects.filter(pk=open_round.pk).update(
        opens_on=today - datetime.timedelta(days=20), closes_on=today - datetime.timedelta(days=1)
    )
    services.survey_rounds_count_closed(today=today)
    (group,) = SurveyRound.objects.get(pk=open_round.pk).results["groups"]
    assert group["respondents"] == 7 and "sealed-before" in group["comments"]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_on_postgresql_concurrent_answers_take_turns_and_none_is_lost_or_doubled(cast, units):
    """Each answer rewrites all of the round's sealed rows; two at once without the round's
    lock would each write the earlier answers again (doubled) or drop one another's."""
    quinn = cast.org_a.memberships.get(user=cast.quinn)
    services.survey_statement_create(organization=cast.org_a, actor=quinn, text="Q1")
    survey_round = services.survey_round_open_if_due(organization=cast.org_a)
    for n in range(30):
        answer_as(cast, units["A"], f"early{n}", survey_round, f"early-{n}")
    members = [
        MembershipFactory(
            user=UserFactory(username=f"race{n}"),
            organization=cast.org_a,
            role="contributor",
            org_unit=units["A"],
        )
        for n in range(4)
    ]
    start = threading.Barrier(len(members))
    errors = []

    def answer(member):
        try:
            start.wait()
            services.survey_answer(
                membership=member,
                survey_round=survey_round,
                scores={q["key"]: 3 for q in survey_round.questions},
                comment=f"raced-{member.user.username}",
            )
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=answer, args=(m,)) for m in members]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    comments = sorted(
        comment_of(survey_round, s) for _, s in sealed_rows_in_storage_order(survey_round)
    )
    assert comments == sorted(
        [f"early-{n}" for n in range(30)] + [f"raced-race{n}" for n in range(4)]
    )
