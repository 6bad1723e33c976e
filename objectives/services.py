"""Writes to objectives, measurements and plans: validated, in a transaction, attributed in
the audit trail, and followed by an incremental rollup once committed."""

from __future__ import annotations

import datetime
from collections.abc import Collection
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from objectives.models import ActionStep, Measurement, QualityObjective
from objectives.periods import describe
from objectives.red_follow_ups import check_value_allowed, correction_record
from objectives.rollups import mark_queued
from objectives.validation import period_problem, value_problem
from qms.core.concurrency import ever_a_version_of, last_change, version_of
from qms.core.immutable import TransitionError
from qms.core.outbox import enqueue

OBJECTIVE_FIELDS = {
    "code",
    "lesson_learned",
    "title",
    "statement",
    "org_unit",
    "owner",
    "accountable_executive",
    "status",
    "start_date",
    "due_date",
    "parent",
    "weight",
    "unit",
    "direction",
    "baseline",
    "target",
    "amber_threshold",
    "red_threshold",
    "frequency",
    "aggregation",
    "decimal_places",
    "valid_min",
    "valid_max",
    "data_due_days",
}


def queue_rollup(objective_id: int, period_ends: list[datetime.date] | None) -> None:
    """After the transaction commits, recompute the objective's affected rollups."""
    from objectives.tasks import rollup_objective

    ends = sorted({end.isoformat() for end in period_ends}) if period_ends else None
    mark_queued(QualityObjective.objects.filter(pk=objective_id))
    enqueue(rollup_objective, objective_id, ends)


@transaction.atomic
def objective_create(*, organization, actor, **fields) -> QualityObjective:
    unknown = set(fields) - OBJECTIVE_FIELDS
    if unknown:
        raise ValueError(f"Unknown objective fields: {', '.join(sorted(unknown))}")
    objective = QualityObjective(organization=organization, **fields)
    objective._history_user = actor
    objective.full_clean()
    objective.save()
    queue_rollup(objective.id, None)
    return objective


@transaction.atomic
def objective_update(
    *, objective: QualityObjective, actor, reason: str = "", **changes
) -> QualityObjective:
    unknown = set(changes) - OBJECTIVE_FIELDS
    if unknown:
        raise ValueError(f"Unknown objective fields: {', '.join(sorted(unknown))}")
    locked = QualityObjective.objects.select_for_update().get(pk=objective.pk)
    for name, value in changes.items():
        setattr(locked, name, value)
    locked._history_user = actor
    if reason:
        locked._change_reason = reason
    locked.full_clean()
    locked.save()
    # Thresholds, direction or dates may have changed: every period's status may differ.
    queue_rollup(locked.id, None)
    return locked


class MeasurementConflict(TransitionError):
    """Another value for the same period was saved at the same moment, or since the page or
    client read the period (pages and API: 409). `current`: the period's value now, if any."""

    def __init__(self, message: str, current: Measurement | None = None):
        super().__init__(message)
        self.current = current


class _Unchecked:
    """`replaces` not given: the caller does not say which value it replaces (scripts, old
    pages), and the save is not checked against one."""

    def __repr__(self) -> str:
        return "UNCHECKED"


UNCHECKED = _Unchecked()


class _NotSaid:
    """`replaces` for a log form sent without the values its page showed (a hand-made POST):
    a first value is recorded, but a correction is refused, since nothing says the sender saw
    the value it would replace (and no one is said to have changed it since)."""

    def __repr__(self) -> str:
        return "NOT_SAID"


NOT_SAID = _NotSaid()


@transaction.atomic
def measurement_record(
    *,
    objective: QualityObjective,
    period_end: datetime.date,
    value: Decimal,
    actor,
    note: str = "",
    source: str = Measurement.Source.FORM,
    reason: str = "",
    replaces: Collection[str] | _Unchecked | _NotSaid | None = UNCHECKED,
) -> tuple[Measurement, bool]:
    """Record the value for a period, or correct it if one exists (the earlier value stays in
    the audit trail). Returns the measurement and whether it was new.

    `replaces` says what the person saw: None, no value for the period; else the versions
    (`qms.core.concurrency.version_of`) of the value they mean to correct. A value saved or
    withdrawn since then raises MeasurementConflict, so no one's value is silently replaced.

    Two first values for one period saved at the same moment: the same value is recorded once
    (the second call returns it, not new); a different one raises MeasurementConflict."""
    problems = {
        field: problem[0].upper() + problem[1:] + "."
        for field, problem in (
            ("period_end", period_problem(objective, period_end)),
            ("value", value_problem(objective, value)),
        )
        if problem
    }
    if problems:
        raise ValidationError(problems)
    measurement = _locked_value(objective, period_end)
    if measurement is not None and measurement.value == value and measurement.note == note:
        return measurement, False  # nothing changed: no new version in the trail
    # Off track and not explained yet, or a value a management review saw: refused, or
    # allowed to a quality manager with a reason (objectives.red_follow_ups). A value the
    # review saw as missing is no change of what it saw, and is accepted.
    seen_in = check_value_allowed(
        objective=objective, measurement=measurement, period_end=period_end, actor=actor,
        reason=reason,
    )  # fmt: skip
    # Who may change it is said first; then whether it is still the value they meant.
    if replaces is NOT_SAID:
        if measurement is not None:
            raise MeasurementConflict(
                _not_said(objective, period_end, measurement), current=measurement
            )
    elif replaces is not UNCHECKED:
        now = version_of(measurement) if measurement is not None else None
        if (now is None) != (replaces is None) or (now is not None and now not in replaces):
            raise MeasurementConflict(
                _changed_since(objective, period_end, measurement, replaces), current=measurement
            )
    before = measurement.value if measurement is not None else None
    created = measurement is None
    if created:
        measurement = Measurement(
            organization_id=objective.organization_id, objective=objective, period_end=period_end
        )
    measurement.value = value
    measurement.note = note
    measurement.source = source
    measurement.entered_by = actor
    measurement.entered_at = timezone.now()
    measurement._history_user = actor
    if reason or not created:
        measurement._change_reason = reason or "Correction"
    try:
        # A savepoint: when another request inserted this period's value since the check
        # above (nothing was there to lock), only this insert is undone, not the transaction.
        with transaction.atomic():
            measurement.save()
    except IntegrityError as error:
        if not created:
            raise
        return _concurrent_value(objective, period_end, value, note, error)
    if seen_in is not None:
        correction_record(
            objective=objective, period_end=period_end, before=before, after=value,
            reason=reason, actor=actor,
        )  # fmt: skip
    queue_rollup(objective.id, [period_end])
    return measurement, created


def _not_said(
    objective: QualityObjective, period_end: datetime.date, measurement: Measurement
) -> str:
    period = describe(objective.frequency, period_end)
    return (
        f"This form did not say which values of {objective.code} it was showing, so it cannot "
        f"tell whether you saw the {measurement.value.normalize():f} already recorded for "
        f"{period}: your value was not saved. Look at the value now shown; if yours is right, "
        "enter it again: it then corrects it."
    )


def _changed_since(
    objective: QualityObjective,
    period_end: datetime.date,
    measurement: Measurement | None,
    replaces: Collection[str] | None,
) -> str:
    period = describe(objective.frequency, period_end)
    if measurement is not None and replaces and not ever_a_version_of(measurement, replaces):
        # A made-up version, or another value's: nobody changed anything since.
        return (
            f"The version of the {period} value of {objective.code} you named is not one it "
            f"ever had, so your value was not saved. It is now "
            f"{measurement.value.normalize():f}; if yours is right, enter it again on the "
            "value now shown: it then corrects it."
        )
    if measurement is None:
        return (
            f"The value of {objective.code} for {period} was withdrawn after you opened it, so "
            "yours was not saved. Look at the objective again and log it if it is still right."
        )
    who, when = last_change(measurement)
    return (
        f"{who} recorded {measurement.value.normalize():f} for {period} of {objective.code} at "
        f"{when:%Y-%m-%d %H:%M}, after you opened it, so your value was not saved. If yours is "
        "right, enter it again: it then corrects theirs."
    )


def _locked_value(objective: QualityObjective, period_end: datetime.date) -> Measurement | None:
    """The period's value, locked until the transaction ends; None locks nothing, so a
    concurrent request may insert the period's first value meanwhile."""
    return (
        Measurement.objects.select_for_update()
        .filter(objective=objective, period_end=period_end)
        .first()
    )


def _concurrent_value(
    objective: QualityObjective,
    period_end: datetime.date,
    value: Decimal,
    note: str,
    error: IntegrityError,
) -> tuple[Measurement, bool]:
    other = _locked_value(objective, period_end)
    if other is None:  # not the period's uniqueness that failed: a real error
        raise error
    if other.value == value and other.note == note:
        return other, False  # the same value sent twice at once (a retry, a double click)
    period = describe(objective.frequency, period_end)
    raise MeasurementConflict(
        f"Someone else recorded {other.value.normalize():f} for {period} of {objective.code} "
        "at the same moment, so your value was not saved. Reload the objective to see it; if "
        "yours is right, enter it again as a correction."
    )


@transaction.atomic
def measurement_withdraw(*, measurement: Measurement, actor, reason: str) -> None:
    """Withdraw a value no management review has seen (logged for the wrong period, say): the
    period is missing again. The audit trail keeps who, when, the value and the reason. A value
    a review saw is evidence: a quality manager corrects it instead."""
    from objectives.red_follow_ups import red_follow_up_withdraw, seen_by_text

    measurement = (
        Measurement.objects.select_for_update().select_related("objective").get(pk=measurement.pk)
    )
    objective = measurement.objective
    period = describe(objective.frequency, measurement.period_end)
    if measurement.seen_in_id is not None:
        raise ValidationError(
            {"reason": f"The {period} value of {objective.code} was seen by "
             f"{seen_by_text(measurement.seen_in)}: it cannot be withdrawn; a quality manager "
             "corrects it, with a reason."}
        )  # fmt: skip
    if not reason.strip():
        raise ValidationError({"reason": f"Say why the {period} value is withdrawn."})
    red_follow_up_withdraw(objective=objective, period_end=measurement.period_end, actor=actor)
    measurement._history_user = actor
    measurement._change_reason = f"Withdrawn: {reason.strip()[:500]}"
    measurement.delete()
    queue_rollup(objective.id, [measurement.period_end])


@transaction.atomic
def plan_step_create(*, objective: QualityObjective, actor, **fields) -> ActionStep:
    step = ActionStep(organization_id=objective.organization_id, objective=objective, **fields)
    if step.responsible_id and step.responsible.organization_id != objective.organization_id:
        raise ValidationError({"responsible": "Choose a member of this organisation."})
    step._history_user = actor
    step.full_clean()
    step.save()
    return step


@transaction.atomic
def plan_step_update(*, step: ActionStep, actor, **changes) -> ActionStep:
    locked = ActionStep.objects.select_for_update().get(pk=step.pk)
    for name, value in changes.items():
        setattr(locked, name, value)
    if locked.responsible_id and locked.responsible.organization_id != locked.organization_id:
        raise ValidationError({"responsible": "Choose a member of this organisation."})
    locked._history_user = actor
    locked.full_clean()
    locked.save()
    return locked
