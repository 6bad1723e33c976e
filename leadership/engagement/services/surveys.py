"""Pulse surveys: the organisation's statements, rounds opened at an interval, answering, and
counting a round once it has closed.

An answer is saved in one transaction: the participation (who answered, for reminders and
"already answered") and the sealed answer (what, encrypted, with no link to who), written by
rewriting all of the round's sealed answers, shuffled and sealed again, so that neither their
order, their size nor a comparison of two copies of the database ties one to a participation
(`leadership.engagement.sealing`).
After the close, `survey_round_count` opens the sealed answers, freezes the folded results in
the round and deletes them. See `leadership.engagement.models.surveys`.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from leadership.engagement import permissions, sealing
from leadership.engagement.models import (
    SealedAnswer,
    SurveyParticipation,
    SurveyRound,
    SurveyStatement,
)
from leadership.engagement.models.surveys import (
    COMMENT_MAX_CHARS,
    MAX_STATEMENTS,
    comment_as_typed,
    comment_too_long,
    valid_score,
)
from leadership.engagement.selectors.surveys import frozen_results
from qms.core.immutable import NotAllowed, TransitionError
from qms.core.models import Membership, Organization, OrgUnit


def interval_days() -> int:
    """Days between the openings of two rounds."""
    return getattr(settings, "PULSE_SURVEY_INTERVAL_DAYS", 91)


def open_days() -> int:
    """Days a round stays open."""
    return getattr(settings, "PULSE_SURVEY_OPEN_DAYS", 14)


def _check_editor(actor: Membership, organization: Organization) -> None:
    if not permissions.can_edit_survey(actor) or actor.organization_id != organization.id:
        raise NotAllowed("Only quality managers and administrators edit the survey's statements.")


@transaction.atomic
def survey_statement_create(
    *, organization: Organization, actor: Membership, text: str, order: int | None = None
) -> SurveyStatement:
    _check_editor(actor, organization)
    statements = SurveyStatement.objects.for_organization(organization)
    if statements.active().count() >= MAX_STATEMENTS:
        raise ValidationError(
            {"text": f"A pulse survey asks at most {MAX_STATEMENTS} statements; retire one first."}
        )
    if order is None:
        order = (statements.aggregate(n=Max("order"))["n"] or 0) + 1
    statement = SurveyStatement(organization=organization, text=(text or "").strip(), order=order)
    statement._history_user = actor.user
    statement.full_clean()
    statement.save()
    return statement


@transaction.atomic
def survey_statement_update(
    *, statement: SurveyStatement, actor: Membership, **changes
) -> SurveyStatement:
    """Change a statement's text, order or whether it is asked. Rounds already opened keep the
    text they asked."""
    _check_editor(actor, statement.organization)
    unknown = set(changes) - {"text", "order", "is_active"}
    if unknown:
        raise ValueError(f"Cannot change {', '.join(sorted(unknown))} on a statement.")
    locked = SurveyStatement.objects.select_for_update().get(pk=statement.pk)
    for name, value in changes.items():
        setattr(locked, name, value.strip() if name == "text" else value)
    if changes.get("is_active") and not statement.is_active:
        active = SurveyStatement.objects.for_organization(statement.organization).active()
        if active.count() >= MAX_STATEMENTS:
            raise ValidationError(
                {"is_active": f"A pulse survey asks at most {MAX_STATEMENTS} statements."}
            )
    locked._history_user = actor.user
    locked.full_clean()
    locked.save()
    return locked


def current_round(organization: Organization, today: datetime.date) -> SurveyRound | None:
    return SurveyRound.objects.for_organization(organization).open_on(today).first()


@transaction.atomic
def survey_round_open_if_due(
    *, organization: Organization, today: datetime.date | None = None
) -> SurveyRound | None:
    """Open the next round when none is open and the last opened `interval_days()` or more ago,
    asking the active statements. Returns the new round, or None (not due, or nothing to ask).
    Safe to run any number of times a day."""
    today = today or timezone.localdate()
    Organization.objects.select_for_update().filter(pk=organization.pk).first()
    rounds = SurveyRound.objects.for_organization(organization)
    last = rounds.order_by("-opens_on", "-number").first()
    if last is not None and (
        last.closes_on >= today or (today - last.opens_on).days < interval_days()
    ):
        return None
    statements = list(SurveyStatement.objects.for_organization(organization).active())
    if not statements:
        return None
    survey_round = SurveyRound(
        organization=organization,
        number=(rounds.aggregate(n=Max("number"))["n"] or 0) + 1,
        opens_on=today,
        closes_on=today + datetime.timedelta(days=open_days() - 1),
        questions=[{"key": str(s.pk), "text": s.text} for s in statements],
    )
    survey_round.full_clean()
    survey_round.save()
    return survey_round


def survey_rounds_open_due(*, today: datetime.date | None = None) -> int:
    """Open the due round of every active organisation; returns how many opened."""
    opened = 0
    for organization in Organization.objects.active():
        if survey_round_open_if_due(organization=organization, today=today) is not None:
            opened += 1
    return opened


def _clean_scores(survey_round: SurveyRound, scores) -> dict[str, int]:
    keys = [q["key"] for q in survey_round.questions]
    if not isinstance(scores, dict):
        raise ValidationError({"scores": "Give a score from 1 to 5 for each statement."})
    scores = {str(k): v for k, v in scores.items()}
    unknown = sorted(set(scores) - set(keys))
    if unknown:
        raise ValidationError({"scores": "Answer only the statements this round asks."})
    missing = [k for k in keys if k not in scores]
    if missing:
        raise ValidationError({"scores": "Give a score from 1 to 5 for every statement."})
    if not all(valid_score(v) for v in scores.values()):
        raise ValidationError({"scores": "Each score is a whole number from 1 to 5."})
    return {k: scores[k] for k in keys}


@transaction.atomic
def survey_answer(
    *,
    membership: Membership,
    survey_round: SurveyRound,
    scores: dict,
    comment: str = "",
    today: datetime.date | None = None,
) -> None:
    """Record a member's answers to an open round, once. Returns nothing: the response is not
    the member's to look up afterwards either."""
    today = today or timezone.localdate()
    if not permissions.can_answer_survey(membership):
        raise NotAllowed("Auditors are not asked the pulse survey.")
    if survey_round.organization_id != membership.organization_id:
        raise ValidationError({"round": "There is no such survey round in this organisation."})
    if not survey_round.is_open(today):
        raise TransitionError(f"{survey_round} is not open.")
    clean = _clean_scores(survey_round, scores)
    comment = comment_as_typed(comment)
    if len(comment) > COMMENT_MAX_CHARS:
        raise ValidationError({"comment": comment_too_long(len(comment))})
    answer = {"unit": membership.org_unit_id, "scores": clean, "comment": comment}
    # The round's row is the lock that makes concurrent answers take turns: each rewrites all
    # of the round's sealed answers, and two doing it at once would drop one.
    locked = SurveyRound.objects.select_for_update().get(pk=survey_round.pk)
    try:
        with transaction.atomic():
            SurveyParticipation.objects.create(
                organization_id=membership.organization_id,
                round=locked,
                membership=membership,
            )
    except IntegrityError as error:
        raise TransitionError("You have already answered this round.") from error
    sealed_rows = SealedAnswer.objects.filter(round=locked)
    try:
        resealed = sealing.reseal_round(
            round_id=locked.pk,
            organization_id=locked.organization_id,
            sealed=list(sealed_rows.values_list("sealed", flat=True)),
            answer=answer,
        )
    except sealing.TooLarge as error:
        raise ValidationError({"comment": str(error)}) from error
    # Every row of the round is replaced, in a shuffled order, with fresh ciphertexts and new
    # random ids, in this one transaction: a copy of the database shows the answers all written
    # together in no particular order, none of them as it was in an earlier copy, so neither
    # the order nor a comparison of copies links an answer to the participation written now.
    sealed_rows.delete()
    SealedAnswer.objects.bulk_create(
        SealedAnswer(organization_id=locked.organization_id, round=locked, sealed=row)
        for row in resealed
    )


@transaction.atomic
def survey_round_count(
    *, survey_round: SurveyRound, today: datetime.date | None = None
) -> SurveyRound:
    """Count a closed round once: open its sealed answers, freeze the folded results in the
    round, delete the sealed answers. Counting a counted round changes nothing."""
    today = today or timezone.localdate()
    locked = SurveyRound.objects.select_for_update().get(pk=survey_round.pk)
    if locked.is_counted:
        return locked
    if not locked.has_closed(today):
        raise TransitionError(f"{locked} is still open: it is counted after it closes.")
    sealed = SealedAnswer.objects.filter(round=locked)
    answers = []
    for row in sealed.values_list("sealed", flat=True):
        answer = sealing.unseal(
            round_id=locked.pk, organization_id=locked.organization_id, sealed=row
        )
        answers.append((answer["unit"], answer["scores"], answer["comment"]))
    units = list(OrgUnit.objects.for_organization(locked.organization_id))
    locked.results = frozen_results(locked.questions, units, answers)
    locked.counted_on = today
    locked.save(update_fields=["results", "counted_on"])
    sealed.delete()
    return locked


def survey_rounds_count_closed(
    *, organization_id: int | None = None, today: datetime.date | None = None
) -> int:
    """Count every closed round not counted yet (of one organisation, or all); returns how many.
    The nightly task runs it, and so does the first reading of results after a close."""
    today = today or timezone.localdate()
    due = SurveyRound.objects.filter(results__isnull=True, closes_on__lt=today)
    if organization_id is not None:
        due = due.filter(organization_id=organization_id)
    counted = 0
    for survey_round in due:
        survey_round_count(survey_round=survey_round, today=today)
        counted += 1
    return counted
