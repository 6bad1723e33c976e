"""Measurement import (ISO 9001 9.1.3 data in bulk): read a CSV or XLSX file, check every row,
then write all values in one transaction, or nothing.

The pieces compose, so that the upload page's task, `manage.py import_measurements` and the
API's bulk create share one set of rules and messages:

- `read_rows(source, filename)` (from `objectives.import_files`) streams the rows of a file;
- `validate_rows(organization=..., rows=...)` checks parsed rows, whatever they came from;
- `measurements_write(...)` creates and corrects the values of already valid rows;
- `measurements_import(...)` is validate + write, `measurement_import_run` runs an upload job.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from objectives.import_files import ImportFileError, count_rows, read_rows
from objectives.imports_sql import measurements_history_insert, measurements_update
from objectives.models import Measurement, MeasurementImport, QualityObjective
from objectives.validation import parse_period_end, parse_value, period_problem, value_problem
from qms.core.models import Organization
from qms.core.outbox import enqueue, outbox_waiting_ids

# read_rows and ImportFileError are part of this module's API (pages, command, API use them).
__all__ = [
    "MAX_RUNS",
    "ImportFileError",
    "ImportResult",
    "ValidRow",
    "measurement_import_create",
    "measurement_import_run",
    "measurements_import",
    "measurements_write",
    "read_rows",
    "summary",
    "validate_rows",
]

logger = logging.getLogger(__name__)

MAX_STORED_ERRORS = 200
BATCH_SIZE = 2_000
# Beyond this many objectives one full recompute is cheaper than one task per objective.
MAX_OBJECTIVE_ROLLUPS = 50
NOTE_MAX_LENGTH = Measurement._meta.get_field("note").max_length

Progress = Callable[[int], None]


class ValidRow(NamedTuple):
    row: int
    objective_id: int
    period_end: datetime.date
    value: Decimal
    note: str


@dataclass
class ImportResult:
    """What an import did: counts when it was written, else the first errors and their count."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    total_rows: int = 0
    errors: list[dict] = field(default_factory=list)
    error_count: int = 0

    @property
    def ok(self) -> bool:
        return self.error_count == 0


# --- validation -----------------------------------------------------------------------------


def validate_rows(
    *,
    organization: Organization,
    rows: Iterable[tuple[int, dict]],
    progress: Progress | None = None,
    progress_every: int = BATCH_SIZE,
) -> tuple[list[ValidRow], list[dict], int]:
    """Check every row; returns (valid rows, the first 200 errors, the number of bad rows).

    `rows` yields (row number, {"objective_code", "period_end", "value", "note"}) with raw
    values (text, or dates and numbers from a spreadsheet). Each bad row gets one message,
    "Row N: ...". Another organisation's code reads exactly like an unknown one. ImportFileError
    from a streaming reader propagates.
    """
    objectives = {
        objective.code: objective
        for objective in QualityObjective.objects.for_organization(organization).only(
            "id",
            "organization_id",
            "code",
            "title",
            "frequency",
            "start_date",
            "decimal_places",
            "valid_min",
            "valid_max",
        )
    }
    valid: list[ValidRow] = []
    errors: list[dict] = []
    error_count = 0
    first_row_of: dict[tuple[int, datetime.date], int] = {}
    processed = 0
    for number, raw in rows:
        problems, row = _check_row(organization, objectives, first_row_of, number, raw)
        if problems:
            error_count += 1
            if len(errors) < MAX_STORED_ERRORS:
                errors.append({"row": number, "message": f"Row {number}: {'; '.join(problems)}."})
        elif row is not None:
            valid.append(row)
        processed += 1
        if progress and processed % progress_every == 0:
            progress(processed)
    if progress:
        progress(processed)
    refused, waiting = _refused_by_rules(organization, objectives, valid)
    if refused or waiting:
        held = {number for rows_of in waiting.values() for number in rows_of}
        valid = [row for row in valid if row.row not in refused and row.row not in held]
        error_count += len(refused) + len(held)
        # An objective waiting for its explanation is one thing to do, however many rows it
        # has: one entry naming them all (and the objective, for the page's link).
        for (code, sentence), numbers in waiting.items():
            if len(errors) < MAX_STORED_ERRORS:
                rows_text = row_ranges(numbers)
                errors.append(
                    {
                        "row": numbers[0],
                        "rows": rows_text,
                        "row_count": len(numbers),
                        "waiting": code,
                        "message": f"{rows_text}: {sentence}.",
                    }
                )
        for number in sorted(refused):
            if len(errors) < MAX_STORED_ERRORS:
                errors.append({"row": number, "message": f"Row {number}: {refused[number]}."})
        errors.sort(key=lambda e: e["row"])
    return valid, errors, error_count


def row_ranges(numbers: list[int]) -> str:
    """ "Row 4", "Rows 3 to 5, 9, 10": the rows of a file, runs of three or more as a range."""
    runs: list[list[int]] = []
    for number in sorted(numbers):
        if runs and number == runs[-1][-1] + 1:
            runs[-1].append(number)
        else:
            runs.append([number])
    text = ", ".join(
        ", ".join(map(str, run)) if len(run) < 3 else f"{run[0]} to {run[-1]}" for run in runs
    )
    return f"Row{'s' if len(numbers) != 1 else ''} {text}"


def _refused_by_rules(
    organization, objectives, valid: list[ValidRow]
) -> tuple[dict[int, str], dict[tuple[str, str], list[int]]]:
    """Rows that would change a value the rules protect (objectives.red_follow_ups): a value a
    management review saw (row -> why), and the rows of an objective off track whose owner has
    not explained it yet ((code, why) -> rows). A value the review saw as missing is accepted;
    rows repeating the stored value pass (re-importing a file changes nothing)."""
    from objectives.red_follow_ups import locked_through, pending_explanations, seen_value_problem

    pending = pending_explanations(organization)
    through = locked_through(organization)
    # Rows that may repeat a stored value: those of a waiting objective, and those of periods
    # a review covered (only they can hold a value it saw; which values it saw, each says).
    checked = [
        r
        for r in valid
        if r.objective_id in pending or (through is not None and r.period_end <= through)
    ]
    stored = {
        (m.objective_id, m.period_end): m
        for m in Measurement.objects.filter(
            organization=organization,
            objective_id__in={r.objective_id for r in checked},
            period_end__in={r.period_end for r in checked},
        ).select_related("seen_in")
    } if checked else {}  # fmt: skip
    by_id = {o.id: o for o in objectives.values()}
    refused: dict[int, str] = {}
    waiting: dict[tuple[str, str], list[int]] = {}
    for r in valid:
        current = stored.get((r.objective_id, r.period_end))
        if current is not None and current.value == r.value:
            continue  # changes nothing: a file imported again passes
        if r.objective_id in pending:
            objective = by_id[r.objective_id]
            sentence = (
                f"{objective.code} is off track for {pending[r.objective_id]} and its owner has "
                "not yet explained why; its values are accepted again once its owner (or a "
                "quality manager) has, on the objective's page"
            )
            waiting.setdefault((objective.code, sentence), []).append(r.row)
            continue
        if current is None or current.seen_in_id is None:
            continue
        # An import corrects nothing a review saw: a quality manager does, on the page.
        _, sentence = seen_value_problem(
            objective=by_id[r.objective_id], period_end=r.period_end, seen_in=current.seen_in,
            role=None, reason="",
        )  # fmt: skip
        refused[r.row] = sentence.rstrip(".") + ", on the objective's page (not in an import)"
    return refused, waiting


def _check_row(organization, objectives, first_row_of, number, raw) -> tuple[list, ValidRow | None]:
    problems: list[str] = []
    code = str(raw.get("objective_code") or "").strip()
    objective = objectives.get(code)
    if not code:
        problems.append("the objective code is empty")
    elif objective is None:
        problems.append(f"{code[:40]} is not an objective code of {organization.name}")
    end = value = None
    try:
        end = parse_period_end(raw.get("period_end"))
    except ValueError as error:
        problems.append(str(error))
    try:
        value = parse_value(raw.get("value"))
    except ValueError as error:
        problems.append(str(error))
    note = str(raw.get("note") or "").strip()
    if len(note) > NOTE_MAX_LENGTH:
        problems.append(f"the note is longer than {NOTE_MAX_LENGTH} characters")
    if objective is not None:
        if end is not None:
            problems.append(period_problem(objective, end) or "")
        if value is not None:
            problems.append(value_problem(objective, value) or "")
    problems = [problem for problem in problems if problem]
    if problems or objective is None or end is None or value is None:
        return problems, None
    first = first_row_of.setdefault((objective.id, end), number)
    if first != number:
        return [f"{code} {end.isoformat()} is already in row {first} of the file"], None
    return [], ValidRow(number, objective.id, end, value, note)


# --- writing --------------------------------------------------------------------------------


@transaction.atomic
def measurements_write(
    *,
    organization: Organization,
    rows: list[ValidRow],
    user,
    source: str = Measurement.Source.IMPORT,
    reason: str = "",
) -> ImportResult:
    """Create the values of valid rows, or correct existing ones (the earlier value stays in the
    audit trail); unchanged values make no new version. Queues rollups once committed.

    Set-based (see `objectives.imports_sql`): one query per batch of 2,000 rows for each step.
    """
    now = timezone.now()
    user_id = user.pk if user is not None else None
    result = ImportResult(total_rows=len(rows))
    touched: dict[int, set[datetime.date]] = {}
    for start in range(0, len(rows), BATCH_SIZE):
        batch = rows[start : start + BATCH_SIZE]
        # Locked, so that a concurrent correction of the same period cannot be lost.
        existing = {
            (objective_id, end): (pk, value, note)
            for pk, objective_id, end, value, note in Measurement.objects.select_for_update()
            .filter(
                organization=organization,
                objective_id__in={row.objective_id for row in batch},
                period_end__in={row.period_end for row in batch},
            )
            .values_list("id", "objective_id", "period_end", "value", "note")
        }
        new: list[Measurement] = []
        changes: list[tuple[int, Decimal, str]] = []
        for row in batch:
            found = existing.get((row.objective_id, row.period_end))
            if found is None:
                new.append(
                    Measurement(
                        organization_id=organization.pk,
                        objective_id=row.objective_id,
                        period_end=row.period_end,
                        value=row.value,
                        note=row.note,
                        source=source,
                        entered_by_id=user_id,
                        entered_at=now,
                    )
                )
            elif found[1] == row.value and found[2] == row.note:
                result.unchanged += 1
                continue
            else:
                changes.append((found[0], row.value, row.note))
            touched.setdefault(row.objective_id, set()).add(row.period_end)
        history = {"user_id": user_id, "reason": reason, "when": now}
        if new:
            created = Measurement.objects.bulk_create(new)
            measurements_history_insert([m.pk for m in created], history_type="+", **history)
        if changes:
            measurements_update(changes, source=source, user_id=user_id, when=now)
            measurements_history_insert([c[0] for c in changes], history_type="~", **history)
        result.created += len(new)
        result.updated += len(changes)
    _queue_rollups(organization.pk, touched)
    return result


def _queue_rollups(organization_id: int, touched: dict[int, set[datetime.date]]) -> None:
    from objectives.rollups import mark_queued
    from objectives.tasks import rollup_all, rollup_objective

    mark_queued(QualityObjective.objects.filter(pk__in=list(touched)))
    if len(touched) > MAX_OBJECTIVE_ROLLUPS:
        enqueue(rollup_all, organization_id)
        return
    for objective_id, ends in touched.items():
        iso_ends = sorted(end.isoformat() for end in ends)
        enqueue(rollup_objective, objective_id, iso_ends)


def measurements_import(
    *,
    organization: Organization,
    rows: Iterable[tuple[int, dict]],
    user,
    source: str = Measurement.Source.IMPORT,
    reason: str = "",
    progress: Progress | None = None,
    on_validated: Callable[[int], None] | None = None,
    on_written: Callable[[ImportResult], None] | None = None,
) -> ImportResult:
    """Validate every row, then write all of them, or nothing if any row (or the file) is bad.

    `on_validated(valid_count)` runs between the two steps (a job marks itself "importing");
    `on_written(result)` in the writes' own transaction (a job marks itself done with them).
    """
    try:
        valid, errors, error_count = validate_rows(
            organization=organization, rows=rows, progress=progress
        )
    except ImportFileError as error:
        return ImportResult(errors=[{"row": None, "message": str(error)}], error_count=1)
    if error_count:
        return ImportResult(
            total_rows=len(valid) + error_count, errors=errors, error_count=error_count
        )
    if on_validated:
        on_validated(len(valid))
    with transaction.atomic():
        result = measurements_write(
            organization=organization, rows=valid, user=user, source=source, reason=reason
        )
        if on_written:
            on_written(result)
    return result


# --- upload jobs ----------------------------------------------------------------------------

FAILED_MESSAGE = (
    "The import stopped because of an unexpected error. Nothing was imported. "
    "Try again; if it happens again, tell your administrator."
)


@transaction.atomic
def measurement_import_create(*, organization: Organization, user, file) -> MeasurementImport:
    """Save an uploaded file as a queued job and run it in the background once committed."""
    from objectives.tasks import import_measurements

    job = MeasurementImport(
        organization=organization,
        uploaded_by=user,
        original_name=file.name[:255],
    )
    job.file.save(file.name, file, save=False)
    job.save()
    enqueue(import_measurements, job.id)
    return job


def measurement_import_again(*, job: MeasurementImport, user) -> MeasurementImport:
    """The same stored file checked and imported again as a new job (after the explanations
    it waited for were given): all rows or none, as the first time."""
    from django.core.files import File

    with job.file.open("rb") as stored:
        return measurement_import_create(
            organization=job.organization,
            user=user,
            file=File(stored, name=job.original_name),
        )


def objectives_waiting(job: MeasurementImport) -> list[dict]:
    """The objectives a rejected import waited on for an explanation: each with its rows, and
    whether it still waits (the page links each to where it is explained)."""
    from objectives.red_follow_ups import pending_explanations

    entries = [e for e in job.errors if e.get("waiting")]
    if not entries:
        return []
    pending = pending_explanations(job.organization)
    objectives = {
        o.code: o
        for o in QualityObjective.objects.for_organization(job.organization)
        .filter(code__in=[e["waiting"] for e in entries])
        .select_related("owner__user")
    }
    return [
        {
            "objective": objectives[e["waiting"]],
            "rows": e["rows"],
            "still_waiting": objectives[e["waiting"]].pk in pending,
        }
        for e in entries
        if e["waiting"] in objectives
    ]


CRASHED_MESSAGE = (
    "The import was started {attempts} times and each time the background worker stopped "
    "before it finished (the file may be too large for it); nothing was imported. Split the "
    "file into smaller ones and upload them; if it happens again, tell your administrator."
)
MAX_RUNS = 3


def measurement_import_run(*, import_id: int, run_id: str | None = None) -> None:
    """Run an upload job to its end state, once.

    `run_id` names the delivery (the Celery task id). A job still queued is claimed. A job
    "validating" or "importing" under the same `run_id` is a redelivered message whose first
    run died (a worker killed: Celery redelivers only then, see CELERY_BROKER_TRANSPORT_OPTIONS'
    visibility timeout): nothing of that run was written, since the values and the job's "done"
    are committed together, so the import starts again from the first row; after MAX_RUNS such
    starts the job fails with what to do. Any other delivery (a duplicate, a job finished) is
    left alone. Progress is saved outside the write transaction."""
    jobs = MeasurementImport.objects.filter(pk=import_id)
    running = (MeasurementImport.State.VALIDATING, MeasurementImport.State.IMPORTING)
    claimable = Q(state=MeasurementImport.State.QUEUED)
    if run_id:
        claimable |= Q(state__in=running, run_id=run_id)
    claimed = (
        jobs.filter(claimable)
        .filter(attempts__lt=MAX_RUNS)
        .update(
            state=MeasurementImport.State.VALIDATING,
            run_id=run_id or "",
            attempts=F("attempts") + 1,
            processed_rows=0,
            progressed_at=timezone.now(),
        )
    )
    if not claimed:
        if run_id:  # the same delivery died MAX_RUNS times: a file that kills the worker
            jobs.filter(state__in=running, run_id=run_id).update(
                state=MeasurementImport.State.FAILED,
                errors=[{"row": None, "message": CRASHED_MESSAGE.format(attempts=MAX_RUNS)}],
                error_count=1,
                finished_at=timezone.now(),
            )
        return
    job = MeasurementImport.objects.select_related("organization", "uploaded_by").get(pk=import_id)
    try:
        with job.file.open("rb") as handle:
            jobs.update(total_rows=count_rows(handle, job.original_name))
            result = measurements_import(
                organization=job.organization,
                rows=read_rows(handle, job.original_name),
                user=job.uploaded_by,
                reason=f"Imported from {job.original_name}",
                progress=lambda done: jobs.update(
                    processed_rows=done, progressed_at=timezone.now()
                ),
                on_validated=lambda _count: jobs.update(
                    state=MeasurementImport.State.IMPORTING, progressed_at=timezone.now()
                ),
                on_written=lambda written: jobs.update(
                    total_rows=written.total_rows,
                    processed_rows=written.total_rows,
                    state=MeasurementImport.State.DONE,
                    created_count=written.created,
                    updated_count=written.updated,
                    finished_at=timezone.now(),
                ),
            )
    except Exception:
        logger.exception("Measurement import %s failed", import_id)
        jobs.update(
            state=MeasurementImport.State.FAILED,
            errors=[{"row": None, "message": FAILED_MESSAGE}],
            error_count=1,
            finished_at=timezone.now(),
        )
        return
    if not result.ok:
        jobs.update(
            total_rows=result.total_rows,
            processed_rows=result.total_rows,
            state=MeasurementImport.State.REJECTED,
            errors=result.errors,
            error_count=result.error_count,
            finished_at=timezone.now(),
        )


STALLED_MESSAGE = (
    "The import did not finish (the background worker stopped, or background work was "
    "unavailable); nothing was imported. Upload the file again."
)


def imports_fail_stalled(now: datetime.datetime | None = None) -> int:
    """Mark FAILED the upload jobs still queued, validating or importing long after any run
    could have finished: their worker died or their task was never delivered. Their writes are
    one transaction, so nothing of them was imported; the uploader is told to try again."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(seconds=2 * settings.CELERY_TASK_TIME_LIMIT)
    unfinished = (
        MeasurementImport.State.QUEUED,
        MeasurementImport.State.VALIDATING,
        MeasurementImport.State.IMPORTING,
    )
    from objectives.tasks import import_measurements

    # A job whose task waits in the outbox (the broker was down) is not lost: it runs later.
    waiting = outbox_waiting_ids(import_measurements)
    stalled = MeasurementImport.objects.filter(state__in=unfinished, created_at__lt=cutoff)
    return stalled.exclude(pk__in=waiting).update(
        state=MeasurementImport.State.FAILED,
        errors=[{"row": None, "message": STALLED_MESSAGE}],
        error_count=1,
        finished_at=now,
    )


def _count(number: int, noun: str) -> str:
    return f"{number:,} {noun}{'' if number == 1 else 's'}"


def summary(result: ImportResult) -> str:
    """ "Imported 1,234 values: 1,200 new, 34 corrections." for messages and the command."""
    text = (
        f"Imported {_count(result.created + result.updated, 'value')}: {result.created:,} new, "
        f"{_count(result.updated, 'correction')}."
    )
    if result.unchanged:
        text += f" {_count(result.unchanged, 'row')} had the values already recorded."
    return text
