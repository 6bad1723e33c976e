"""Training sessions, invitations, attendance and effectiveness evaluation (ISO 9001 7.2 c).

An evaluation updates the attendee's competence records: "effective" records each competence
the session addresses at its target level, "partly effective" one level below; "not effective"
records nothing, so the gap stays on the matrix and the next training is planned from it."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from leadership.models import (
    CompetenceRecord,
    ResourceAllocation,
    TrainingAttendance,
    TrainingSession,
)
from leadership.services.competence import check_editor, competence_record_create
from qms.core.immutable import TransitionError
from qms.core.models import Membership
from qms.core.roles import Role

SESSION_FIELDS = {
    "topic",
    "kind",
    "target_level",
    "trainer",
    "held_on",
    "duration_hours",
    "org_unit",
    "resource_allocation",
    "materials",
    "evaluation_due_on",
}


def evaluation_delay_days() -> int:
    return getattr(settings, "TRAINING_EVALUATION_DAYS", 90)


def _check_session(session: TrainingSession, competences: Iterable) -> None:
    errors = {}
    organization_id = session.organization_id
    if session.org_unit_id and session.org_unit.organization_id != organization_id:
        errors["org_unit"] = "Choose a unit of this organisation."
    allocation = session.resource_allocation
    if allocation is not None:
        if allocation.organization_id != organization_id:
            errors["resource_allocation"] = "Choose an allocation of this organisation."
        elif allocation.kind != ResourceAllocation.Kind.KNOWLEDGE:
            errors["resource_allocation"] = "Choose a knowledge-and-training allocation."
    if any(c.organization_id != organization_id for c in competences):
        errors["competences"] = "Choose competences of this organisation."
    if not list(competences):
        errors["competences"] = "Say which competences the training builds."
    if errors:
        raise ValidationError(errors)


def _check_invitees(session: TrainingSession, invitees: Iterable[Membership]) -> None:
    if any(
        m.organization_id != session.organization_id or m.role == Role.AUDITOR for m in invitees
    ):
        raise ValidationError({"invitees": "Invite current members of this organisation."})


@transaction.atomic
def training_session_create(
    *,
    membership: Membership,
    competences: Iterable,
    invitees: Iterable[Membership] = (),
    **fields,
) -> TrainingSession:
    check_editor(membership, "training records")
    unknown = set(fields) - SESSION_FIELDS
    if unknown:
        raise ValueError(f"Unknown fields: {', '.join(sorted(unknown))}")
    competences, invitees = list(competences), list(invitees)
    session = TrainingSession(organization_id=membership.organization_id, **fields)
    if not session.evaluation_due_on and session.held_on:
        session.evaluation_due_on = session.held_on + datetime.timedelta(
            days=evaluation_delay_days()
        )
    _check_session(session, competences)
    _check_invitees(session, invitees)
    session._history_user = membership.user
    session.full_clean(exclude=["competences"])
    session.save()
    session.competences.set(competences)
    _invite(session, invitees, membership)
    return session


def _invite(session, invitees, membership) -> None:
    already = set(session.attendances.values_list("membership_id", flat=True))
    for invitee in invitees:
        if invitee.pk in already:
            continue
        attendance = TrainingAttendance(
            organization_id=session.organization_id, session=session, membership=invitee
        )
        attendance._history_user = membership.user
        attendance.save()


@transaction.atomic
def training_invite(
    *, session: TrainingSession, membership: Membership, invitees: Iterable[Membership]
) -> None:
    check_editor(membership, "training records")
    invitees = list(invitees)
    _check_invitees(session, invitees)
    _invite(session, invitees, membership)


@transaction.atomic
def training_attendance_mark(
    *, session: TrainingSession, membership: Membership, attended: Iterable[Membership]
) -> int:
    """Take the register: the members in `attended` were there, the other invitees were not.
    Returns how many attended."""
    check_editor(membership, "training records")
    if session.held_on > timezone.localdate():
        raise TransitionError("Take the register on or after the day of the session.")
    present = {m.pk for m in attended}
    invited = {a.membership_id: a for a in session.attendances.all()}
    if present - set(invited):
        raise ValidationError({"attended": "Mark only members who were invited."})
    for member_id, attendance in invited.items():
        was_there = member_id in present
        if attendance.result and not was_there:
            raise TransitionError(
                f"{attendance.membership.display_name}'s training was already evaluated."
            )
        if attendance.attended != was_there:
            attendance.attended = was_there
            attendance._history_user = membership.user
            attendance.save(update_fields=["attended", "updated_at"])
    return len(present)


@transaction.atomic
def training_evaluate(
    *,
    attendance: TrainingAttendance,
    evaluator: Membership,
    result: str,
    method: str,
    note: str = "",
    evaluated_on: datetime.date | None = None,
) -> list[CompetenceRecord]:
    """Record whether the training worked for one attendee, and update their competence
    records accordingly. Returns the records created."""
    check_editor(evaluator, "training evaluations")
    locked = TrainingAttendance.objects.select_for_update().get(pk=attendance.pk)
    if locked.organization_id != evaluator.organization_id:
        raise ValidationError("This attendance is not your organisation's.")
    if not locked.attended:
        raise TransitionError("Evaluate attendees only: take the register first.")
    if locked.result:
        raise TransitionError("This attendee's training was already evaluated.")
    if result not in TrainingAttendance.Result.values:
        raise ValidationError({"result": "Choose effective, partly effective or not effective."})
    if method not in TrainingAttendance.Method.values:
        raise ValidationError({"method": "Say how effectiveness was evaluated."})
    evaluated_on = evaluated_on or timezone.localdate()
    session = locked.session
    if evaluated_on < session.held_on or evaluated_on > timezone.localdate():
        raise ValidationError(
            {"evaluated_on": "The evaluation date falls between the session and today."}
        )
    locked.result, locked.method, locked.evaluation_note = result, method, note
    locked.evaluated_by, locked.evaluated_on = evaluator, evaluated_on
    locked._history_user = evaluator.user
    locked.full_clean()
    locked.save()

    level = {
        TrainingAttendance.Result.EFFECTIVE: session.target_level,
        TrainingAttendance.Result.PARTLY: session.target_level - 1,
    }.get(result, 0)
    if level < 1:
        return []
    return [
        competence_record_create(
            actor=evaluator,
            membership_id=locked.membership_id,
            competence=competence,
            level=level,
            evidence_kind=CompetenceRecord.Evidence.TRAINING,
            evidence=f"{session.topic}, {session.held_on:%d %b %Y}; evaluated by "
            f"{locked.get_method_display().lower()}: {locked.get_result_display().lower()}"[:500],
            attained_on=evaluated_on,
            training_attendance=locked,
            reason="Training evaluated",
        )
        for competence in session.competences.all()
    ]
