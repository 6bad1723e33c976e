"""Redis (the broker) down while saving: the save succeeds, the user is told its background
work is delayed, the task waits in the outbox, and the drain task queues it once the broker is
back. The broker's refusal is simulated where Celery sends a message (kombu's
OperationalError, or the RuntimeError of the Redis result backend), with tasks really sent
(not run inline) for the failing request.

Requests run with real commits (`transaction=True`): a save's tasks are sent when its
transaction commits, inside the request, and that is when the user must learn of the delay."""

import datetime
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError

from objectives.models import KpiRollup, Measurement, MeasurementImport
from objectives.tasks import rollup_objective
from qms.celery import app
from qms.core import health
from qms.core.models import Membership, OutboxTask
from qms.core.outbox import DELAYED_HEADER, enqueue, outbox_drain
from tests.objectives.factories import make_objective

pytestmark = pytest.mark.django_db
committing = pytest.mark.django_db(transaction=True)

DELAYED = "The background work it starts"
RESULT_BACKEND_DOWN = RuntimeError(
    "Retry limit exceeded while trying to reconnect to the Celery result store backend."
)
BROKER_DOWN = OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")


def url(name, **kwargs):
    return reverse(name, kwargs={"org_slug": "acme-test", **kwargs})


@pytest.fixture(autouse=True)
def _fresh_broker_check():
    health.forget_broker_check()
    yield
    health.forget_broker_check()


@pytest.fixture
def broker_refuses(settings, monkeypatch):
    """Tasks are sent for real (not run inline), and every send fails with the error given;
    `back()` brings the broker back (tasks then run inline again, as in the other tests)."""
    sends = []

    class Broker:
        def refuse(self, error):
            def send_task(name, *args, **kwargs):
                sends.append(name)
                raise error

            settings.CELERY_TASK_ALWAYS_EAGER = False
            # Celery's own copy too: an earlier test may have set it there (app.conf.update).
            monkeypatch.setitem(app.conf.changes, "task_always_eager", False)
            monkeypatch.setattr(app, "send_task", send_task)
            return sends

        def back(self):
            settings.CELERY_TASK_ALWAYS_EAGER = True
            monkeypatch.undo()
            health.forget_broker_check()

    return Broker()


def _old(now=None):
    """Age every outbox row past the grace its own request has to send it."""
    past = (now or timezone.now()) - datetime.timedelta(minutes=5)
    OutboxTask.objects.update(created_at=past)


@committing
@pytest.mark.parametrize("error", [BROKER_DOWN, RESULT_BACKEND_DOWN], ids=["broker", "results"])
def test_a_value_posted_to_the_api_is_saved_and_its_rollup_waits_in_the_outbox(
    api_client, cast, broker_refuses, error
):
    make_objective(cast, code="OBJ-07", owner=Membership.objects.get(user=cast.carl))
    api_client.force_authenticate(cast.carl)
    sends = broker_refuses.refuse(error)
    body = {"objective": "OBJ-07", "period_end": "2025-03-31", "value": "92.5"}
    response = api_client.post(url("measurement-list"), body, format="json")
    assert response.status_code == 201
    assert response[DELAYED_HEADER] == "delayed"
    assert sends == ["objectives.rollup_objective"]  # it was tried, once
    assert Measurement.objects.filter(objective__code="OBJ-07").count() == 1
    waiting = OutboxTask.objects.get()
    assert waiting.task_name == "objectives.rollup_objective"
    assert waiting.attempts == 1 and type(error).__name__ in waiting.last_error
    assert not KpiRollup.objects.filter(objective__code="OBJ-07", period_end="2025-03-31").exists()

    broker_refuses.back()
    assert outbox_drain() == 1  # a row whose send failed is drained without waiting
    assert not OutboxTask.objects.exists()
    rollup = KpiRollup.objects.get(
        objective__code="OBJ-07", granularity="month", period_end="2025-03-31"
    )
    assert rollup.value == 92.5


@committing
def test_a_value_posted_with_the_broker_up_leaves_no_outbox_row_and_no_warning(api_client, cast):
    make_objective(cast, code="OBJ-07", owner=Membership.objects.get(user=cast.carl))
    api_client.force_authenticate(cast.carl)
    body = {"objective": "OBJ-07", "period_end": "2025-03-31", "value": "92.5"}
    response = api_client.post(url("measurement-list"), body, format="json")
    assert response.status_code == 201
    assert DELAYED_HEADER not in response
    assert not OutboxTask.objects.exists()
    assert KpiRollup.objects.filter(objective__code="OBJ-07", period_end="2025-03-31").exists()


@committing
def test_a_value_logged_on_the_page_is_saved_and_the_user_told_the_work_is_delayed(
    client, cast, broker_refuses
):
    make_objective(cast, code="OBJ-07", owner=Membership.objects.get(user=cast.carl))
    client.force_login(cast.carl)
    broker_refuses.refuse(RESULT_BACKEND_DOWN)
    last_month_end = timezone.localdate().replace(day=1) - datetime.timedelta(days=1)
    response = client.post(
        url("objectives:log", code="OBJ-07"),
        {"period_end": last_month_end.isoformat(), "value": "92.5", "note": "", "reason": ""},
    )
    assert response.status_code == 302
    assert Measurement.objects.filter(objective__code="OBJ-07").count() == 1
    page = client.get(response["Location"]).content.decode()
    assert DELAYED in page and "You need not save again" in page
    assert OutboxTask.objects.count() == 1


@committing
def test_an_uploaded_import_waits_in_the_outbox_and_runs_once_the_broker_is_back(
    client, cast, broker_refuses, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    make_objective(cast, code="OBJ-07")
    client.force_login(cast.quinn)
    broker_refuses.refuse(BROKER_DOWN)
    csv = b"objective_code,period_end,value\nOBJ-07,2025-01-31,90\n"
    response = client.post(
        url("objectives:import"), {"file": SimpleUploadedFile("values.csv", csv)}
    )
    assert response.status_code == 302
    job = MeasurementImport.objects.get()
    assert job.state == MeasurementImport.State.QUEUED
    assert DELAYED in client.get(response["Location"]).content.decode()
    assert OutboxTask.objects.get().task_name == "objectives.import_measurements"

    broker_refuses.back()
    assert outbox_drain() == 1
    job.refresh_from_db()
    assert job.state == MeasurementImport.State.DONE
    assert Measurement.objects.filter(objective__code="OBJ-07").count() == 1
    assert not OutboxTask.objects.exists()


def test_one_request_tries_the_broker_once_and_leaves_the_other_tasks_waiting(
    cast, broker_refuses, django_capture_on_commit_callbacks
):
    """An import touching many objectives queues many rollups: after the first failure the
    others wait without each spending the connection timeout again."""
    sends = broker_refuses.refuse(BROKER_DOWN)
    with django_capture_on_commit_callbacks(execute=True):
        for objective_id in (1, 2, 3):
            enqueue(rollup_objective, objective_id, None)
    assert sends == ["objectives.rollup_objective"]
    assert OutboxTask.objects.count() == 3


def test_the_drain_keeps_rows_while_the_broker_is_still_down(cast, broker_refuses):
    broker_refuses.refuse(BROKER_DOWN)
    enqueue_outside = OutboxTask.objects.create(task_name="objectives.rollup_all", args=[1])
    OutboxTask.objects.create(task_name="objectives.rollup_all", args=[2])
    _old()
    assert outbox_drain() == 0
    enqueue_outside.refresh_from_db()
    assert enqueue_outside.attempts == 1
    assert "OperationalError" in enqueue_outside.last_error
    assert OutboxTask.objects.count() == 2  # the first failure stops the drain: both kept


def test_a_row_for_a_task_that_no_longer_exists_does_not_hold_up_the_others(cast):
    unknown = OutboxTask.objects.create(task_name="objectives.renamed_since", args=[1])
    OutboxTask.objects.create(task_name="objectives.rollup_all", args=[cast.org_a.pk])
    _old()
    assert outbox_drain() == 1
    unknown.refresh_from_db()
    assert unknown.attempts == 1 and "No task named objectives.renamed_since" in unknown.last_error
    assert OutboxTask.objects.get() == unknown


def test_the_drain_leaves_young_rows_to_their_own_request(cast):
    """A row just written is sent by its request's commit callback; draining it too would
    queue its task twice."""
    OutboxTask.objects.create(task_name="objectives.rollup_all", args=[cast.org_a.pk])
    assert outbox_drain() == 0
    _old()
    assert outbox_drain() == 1


def test_a_countdown_is_kept_until_it_has_passed(cast):
    now = timezone.now()
    OutboxTask.objects.create(
        task_name="objectives.rollup_all",
        args=[cast.org_a.pk],
        run_after=now + datetime.timedelta(minutes=10),
    )
    _old(now)
    assert outbox_drain(now=now) == 0
    assert outbox_drain(now=now + datetime.timedelta(minutes=11)) == 1


def test_the_drain_runs_every_minute_from_beat():
    from qms.core.schedules import default_schedules

    outbox = next(s for s in default_schedules() if s.task == "core.drain_outbox")
    assert outbox.every_seconds == 60
    app.loader.import_default_modules()  # what the worker does at start
    assert "core.drain_outbox" in app.tasks


def test_a_queued_import_waiting_in_the_outbox_is_not_failed_by_the_nightly_sweep(
    cast, settings, tmp_path
):
    from django.core.files.base import ContentFile

    from objectives.imports import imports_fail_stalled
    from objectives.tasks import import_measurements

    settings.MEDIA_ROOT = tmp_path
    jobs = []
    for _ in range(2):
        job = MeasurementImport(organization=cast.org_a, uploaded_by=cast.quinn, original_name="v")
        job.file.save("v.csv", ContentFile(b"objective_code,period_end,value\n"), save=False)
        job.save()
        jobs.append(job)
    waiting, lost = jobs
    OutboxTask.objects.create(task_name=import_measurements.name, args=[waiting.pk])
    later = timezone.now() + datetime.timedelta(days=1)
    assert imports_fail_stalled(now=later) == 1
    waiting.refresh_from_db()
    lost.refresh_from_db()
    assert waiting.state == MeasurementImport.State.QUEUED  # its task is coming
    assert lost.state == MeasurementImport.State.FAILED


@committing
def test_a_requested_evidence_pack_waiting_in_the_outbox_is_not_failed_by_the_sweep(
    client, cast, broker_refuses
):
    from qms.evidence.models import EvidencePack, PackStatus
    from qms.evidence.services import packs_fail_stalled

    client.force_login(cast.audrey)
    broker_refuses.refuse(RESULT_BACKEND_DOWN)
    today = timezone.localdate()
    response = client.post(
            url("evidence:packs"),
            {"period_start": (today - datetime.timedelta(days=30)).isoformat(),
             "period_end": today.isoformat(), "org_unit": ""},
        )  # fmt: skip
    assert response.status_code == 302
    assert DELAYED in client.get(response["Location"]).content.decode()
    pack = EvidencePack.objects.get()
    assert packs_fail_stalled(now=timezone.now() + datetime.timedelta(days=1)) == 0
    pack.refresh_from_db()
    assert pack.status == PackStatus.QUEUED


def test_every_task_is_queued_through_the_outbox():
    """One way to queue work: a `.delay(` or `.apply_async(` elsewhere would skip the outbox
    and turn a broker outage into an error page again."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    offenders = [
        str(path.relative_to(root))
        for folder in ("qms", "objectives", "leadership", "reviews")
        for path in (root / folder).rglob("*.py")
        if path.name != "outbox.py"
        and (".delay(" in path.read_text() or ".apply_async(" in path.read_text())
    ]
    assert offenders == []


# --- a real broker address that does not answer ------------------------------------------


@pytest.fixture
def redis_on_a_closed_port(settings, monkeypatch):
    """Broker and result backend on a port where nothing listens, with the project's short
    timeouts: the state of a Redis that is down, without touching the shared one."""
    from qms import settings as project

    closed = "redis://127.0.0.1:1/0"
    settings.CELERY_TASK_ALWAYS_EAGER = False
    for key, value in {
        "task_always_eager": False,
        "broker_url": closed,
        "result_backend": closed,
        "broker_transport_options": {"max_retries": 1, "interval_start": 0, "interval_step": 0.5},
        "result_backend_transport_options": {
            "retry_policy": {"max_retries": 1, "interval_start": 0, "interval_step": 0.5}
        },
        "redis_socket_connect_timeout": 1,
        "broker_connection_timeout": project.CELERY_BROKER_CONNECTION_TIMEOUT,
    }.items():
        monkeypatch.setitem(app.conf.changes, key, value)
    _forget_connections()
    yield
    monkeypatch.undo()
    _forget_connections()


def _forget_connections():
    """Celery makes its connection pools and result backend on first use, for the settings of
    that moment: forget them so the next use follows the settings now in force."""
    app._pool = None
    app.amqp._producer_pool = None
    app._local.__dict__.pop("backend", None)


@committing
def test_a_save_with_redis_on_a_closed_port_answers_quickly_and_keeps_the_task(
    api_client, cast, redis_on_a_closed_port
):
    make_objective(cast, code="OBJ-07", owner=Membership.objects.get(user=cast.carl))
    api_client.force_authenticate(cast.carl)
    body = {"objective": "OBJ-07", "period_end": "2025-03-31", "value": "92.5"}
    started = time.monotonic()
    response = api_client.post(url("measurement-list"), body, format="json")
    assert time.monotonic() - started < 5  # not Celery's 20 s of reconnecting
    assert response.status_code == 201
    assert response[DELAYED_HEADER] == "delayed"
    assert Measurement.objects.filter(objective__code="OBJ-07").count() == 1
    # The objective's own rollup (made above) failed to be sent; the value's then waited
    # without a second try.
    assert list(OutboxTask.objects.values_list("attempts", flat=True)) == [1, 0]
