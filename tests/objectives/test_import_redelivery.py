"""A worker killed during an upload's import: Celery redelivers the message (acks_late,
reject_on_worker_lost) under the same task id, and the job starts again instead of showing
"Importing 100%" until the nightly sweep; every row is imported exactly once.

The kill is simulated by an exception no handler catches (as with SIGKILL, none of the task's
own error handling runs), raised at chosen points of the run; the deliveries are the Celery
task run with an explicit task id, as the worker runs it."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from objectives import imports
from objectives.models import Measurement, MeasurementImport
from objectives.tasks import import_measurements
from tests.objectives.factories import make_objective

pytestmark = pytest.mark.django_db

CSV = b"objective_code,period_end,value\nOBJ-07,2025-01-31,90\nOBJ-07,2025-02-28,91\n"
State = MeasurementImport.State


class WorkerKilled(BaseException):
    """What the task sees of a SIGKILL: nothing after this point runs."""


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def job(cast):
    make_objective(cast, code="OBJ-07")
    return MeasurementImport.objects.create(
        organization=cast.org_a,
        uploaded_by=cast.quinn,
        original_name="values.csv",
        file=SimpleUploadedFile("values.csv", CSV),
    )


def deliver(job, task_id="delivery-1"):
    import_measurements.apply(args=[job.pk], task_id=task_id)
    job.refresh_from_db()


def kill_at(monkeypatch, target):
    def killed(*args, **kwargs):
        raise WorkerKilled

    monkeypatch.setattr(target, killed)


def detail(client, cast, job):
    client.force_login(cast.quinn)
    return client.get(reverse("objectives:import-detail", args=["acme-test", job.pk])).content


def test_a_worker_killed_while_writing_leaves_nothing_and_the_redelivery_imports_once(
    client, cast, job, monkeypatch
):
    # Killed inside the write transaction, after the new values were inserted.
    kill_at(monkeypatch, "objectives.imports.measurements_history_insert")
    with pytest.raises(WorkerKilled):
        deliver(job)
    job.refresh_from_db()
    assert (job.state, job.percent) == (State.IMPORTING, 100)  # what the page showed for ever
    assert Measurement.objects.count() == 0  # the transaction died with the worker

    monkeypatch.undo()
    deliver(job)  # the same message, redelivered
    assert job.state == State.DONE
    assert (job.created_count, job.updated_count, job.attempts) == (2, 0, 2)
    assert Measurement.objects.count() == 2
    assert Measurement.history.count() == 2  # one version per row: imported exactly once
    assert b"Imported 2 new values" in detail(client, cast, job)


def test_a_worker_killed_while_checking_rows_restarts_from_the_first_row(
    client, cast, job, monkeypatch
):
    kill_at(monkeypatch, "objectives.imports.validate_rows")
    with pytest.raises(WorkerKilled):
        deliver(job)
    job.refresh_from_db()
    assert job.state == State.VALIDATING
    monkeypatch.undo()
    deliver(job)
    assert job.state == State.DONE and job.created_count == 2
    assert Measurement.objects.count() == 2


def test_a_worker_killed_after_the_values_were_committed_does_not_import_them_again(cast, job):
    """The values and the job's "done" are one transaction: a worker killed after it, before
    acknowledging the message, gets it redelivered, and the redelivery changes nothing."""
    deliver(job)
    assert job.state == State.DONE and job.created_count == 2
    deliver(job)  # the same message again
    assert (job.state, job.created_count, job.attempts) == (State.DONE, 2, 1)
    assert Measurement.history.count() == 2


def test_the_page_says_a_restarted_import_started_again(client, cast, job):
    MeasurementImport.objects.filter(pk=job.pk).update(
        state=State.VALIDATING, run_id="delivery-1", attempts=2
    )
    page = detail(client, cast, job).decode()
    assert "import started again from the first row (run 2 of 3)" in page


def test_another_delivery_while_the_first_run_is_alive_leaves_the_job_alone(cast, job):
    """A duplicate message (another task id: e.g. queued twice) must not start a second
    import beside the one running."""
    MeasurementImport.objects.filter(pk=job.pk).update(
        state=State.IMPORTING, run_id="delivery-1", attempts=1, processed_rows=2, total_rows=2
    )
    deliver(job, task_id="delivery-2")
    assert (job.state, job.run_id, job.attempts) == (State.IMPORTING, "delivery-1", 1)
    assert Measurement.objects.count() == 0


@pytest.mark.parametrize("state", [State.DONE, State.REJECTED, State.FAILED])
def test_a_redelivery_of_a_finished_job_changes_nothing(cast, job, state):
    MeasurementImport.objects.filter(pk=job.pk).update(state=state, run_id="delivery-1")
    deliver(job)
    assert job.state == state
    assert Measurement.objects.count() == 0


def test_a_file_that_kills_the_worker_every_time_fails_after_three_runs(
    client, cast, job, monkeypatch
):
    kill_at(monkeypatch, "objectives.imports.validate_rows")
    for _ in range(imports.MAX_RUNS):
        with pytest.raises(WorkerKilled):
            deliver(job)
    deliver(job)  # the fourth delivery does not start it again
    assert job.state == State.FAILED and job.attempts == imports.MAX_RUNS
    assert "Split the file" in job.errors[0]["message"]
    assert b"Split the file" in detail(client, cast, job)
    assert Measurement.objects.count() == 0
