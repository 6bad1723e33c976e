"""When something underneath fails: a database error shows no details, and with Redis (broker
and cache) down the pages still work, what was saved stays saved and members are told that
background work is delayed."""

import datetime
import logging

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import OperationalError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from objectives.api import ObjectiveViewSet
from objectives.models import Measurement, MeasurementImport
from qms.celery import app
from qms.core import health
from qms.core.api.errors import SERVER_ERROR
from qms.core.models import Membership
from qms.evidence.models import EvidencePack, PackStatus
from tests.objectives.factories import make_objective

pytestmark = pytest.mark.django_db

# Nothing listens here: the state of a Redis that is down, without stopping the real one.
CLOSED_PORT = "redis://127.0.0.1:6399/0"
LEAK = "secret_column FROM core_orgunit WHERE password"


def url(name, **kwargs):
    return reverse(name, kwargs={"org_slug": "acme-test", **kwargs})


def _fail(*args, **kwargs):
    raise OperationalError(f'column "{LEAK}" does not exist')


# --- database errors ------------------------------------------------------------------------


def test_a_database_error_on_a_page_shows_the_error_page_without_details(cast, monkeypatch, caplog):
    monkeypatch.setattr("qms.core.views.selectors.org_unit_tree", _fail)
    client = Client(raise_request_exception=False)
    client.force_login(cast.quinn)
    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = client.get(url("core:org-units"))
    assert response.status_code == 500
    html = response.content.decode()
    assert "Something went wrong on our side" in html
    assert "secret_column" not in html and "OperationalError" not in html
    assert any("secret_column" in str(r.exc_info) for r in caplog.records)  # logged for us


def test_a_database_error_in_the_api_answers_generic_json_and_is_logged(
    api_client, cast, monkeypatch, caplog
):
    monkeypatch.setattr(ObjectiveViewSet, "get_base_queryset", _fail)
    api_client.force_authenticate(cast.quinn)
    with caplog.at_level(logging.ERROR, logger="qms.api"):
        response = api_client.get(url("objective-list"))
    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": SERVER_ERROR}
    assert "secret_column" not in response.content.decode()
    assert any("secret_column" in str(r.exc_info) for r in caplog.records)


def test_api_refusals_keep_their_own_answers(api_client, cast):
    """The generic 500 is only for the unexpected: a 404 stays a 404 with its message."""
    api_client.force_authenticate(cast.quinn)
    response = api_client.get(url("objective-detail", code="NOPE"))
    assert response.status_code == 404


# --- Redis down -----------------------------------------------------------------------------


@pytest.fixture
def redis_down(settings):
    """Broker and cache on a closed port, tasks really queued (not run inline)."""
    saved = {
        key: app.conf[key]
        for key in ("broker_url", "task_always_eager", "broker_transport_options")
    }
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": CLOSED_PORT,
            "OPTIONS": {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 1},
        }
    }
    app.conf.update(broker_url=CLOSED_PORT, task_always_eager=False, broker_transport_options={})
    _reset_connections()
    health.forget_broker_check()
    yield
    app.conf.update(saved)
    _reset_connections()
    health.forget_broker_check()


def _reset_connections():
    """Celery keeps its broker connections in pools made on first use for the broker URL of
    that moment: forget them so the next use follows the URL now set."""
    app._pool = None
    app.amqp._producer_pool = None


def test_pages_render_and_members_are_told_background_work_is_delayed(client, cast, redis_down):
    client.force_login(cast.alice)
    response = client.get(url("dashboard:dashboard"))
    assert response.status_code == 200
    assert "Background work is delayed" in response.content.decode()


def test_without_the_notice_when_the_broker_answers(client, cast):
    client.force_login(cast.alice)
    response = client.get(url("dashboard:dashboard"))
    assert "Background work is delayed" not in response.content.decode()


def test_health_check_stays_up_and_reports_the_broker(client, redis_down):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content.decode() == "ok\nbroker: unreachable\n"


def test_evidence_pack_request_is_saved_and_the_user_told(
    client, cast, redis_down, django_capture_on_commit_callbacks
):
    client.force_login(cast.audrey)
    today = timezone.localdate()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url("evidence:packs"),
            {"period_start": (today - datetime.timedelta(days=30)).isoformat(),
             "period_end": today.isoformat(), "org_unit": ""},
        )  # fmt: skip
    assert response.status_code == 302
    pack = EvidencePack.objects.get()
    assert pack.status == PackStatus.QUEUED  # kept, to be built once the queue is back
    page = client.get(response["Location"]).content.decode()
    assert "Background work is delayed" in page


def test_a_value_recorded_through_the_api_is_saved_though_its_rollup_cannot_be_queued(
    api_client, cast, redis_down, django_capture_on_commit_callbacks
):
    make_objective(cast, code="OBJ-07", owner=Membership.objects.get(user=cast.carl))
    api_client.force_authenticate(cast.carl)
    body = {"objective": "OBJ-07", "period_end": "2025-03-31", "value": "92.5"}
    with django_capture_on_commit_callbacks(execute=True) as queued:
        response = api_client.post(url("measurement-list"), body, format="json")
    assert response.status_code == 201
    assert queued  # a rollup was due to be queued...
    assert Measurement.objects.filter(objective__code="OBJ-07").count() == 1  # ...the value kept


def test_signing_in_for_an_api_token_works_without_the_cache(api_client, cast, redis_down):
    """The token endpoint's rate limit lives in the cache: a dead cache must not lock people
    out (axes, in the database, still counts failures)."""
    cast.quinn.set_password("a long passphrase 42")
    cast.quinn.save()
    response = api_client.post(
        "/api/v1/auth/token/", {"username": "quinn", "password": "a long passphrase 42"}
    )
    assert response.status_code == 200
    assert response.json()["token"]


def test_the_token_throttle_still_limits_an_address_while_the_cache_is_down(
    api_client, cast, redis_down
):
    """With Redis down every cache read was a miss, so the count never grew and an attacker
    could try passwords through the token endpoint without limit. It now counts in the web
    process while the cache does not keep writes: the 11th attempt in a minute is refused,
    and another address still gets its own allowance."""
    cast.quinn.set_password("a long passphrase 42")
    cast.quinn.save()

    def attempt(address):
        return api_client.post(
            "/api/v1/auth/token/",
            {"username": "quinn", "password": "a long passphrase 42"},
            REMOTE_ADDR=address,
        )

    answers = [attempt("192.0.2.50").status_code for _ in range(11)]
    assert answers == [200] * 10 + [429]
    refused = attempt("192.0.2.50")
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert attempt("192.0.2.51").status_code == 200


def test_an_uploaded_import_is_kept_queued_and_the_user_told(
    client, cast, redis_down, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    make_objective(cast, code="OBJ-07")
    client.force_login(cast.quinn)
    csv = b"objective_code,period_end,value\nOBJ-07,2025-01-31,90\n"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("objectives:import", kwargs={"org_slug": "acme-test"}),
            {"file": SimpleUploadedFile("values.csv", csv)},
        )
    assert response.status_code == 302
    job = MeasurementImport.objects.get()
    assert job.state == MeasurementImport.State.QUEUED  # the file and its job are kept
    assert "Background work is delayed" in client.get(response["Location"]).content.decode()


def test_an_upload_that_can_no_longer_finish_is_failed_with_what_to_do(
    client, cast, settings, tmp_path
):
    """A job left queued (its task never delivered) or importing (its worker killed: the writes
    were rolled back) is marked failed by the nightly sweep, so its page stops saying
    "importing" for ever; a recent job is left to run."""
    from django.core.files.base import ContentFile

    from objectives.imports import imports_fail_stalled

    settings.MEDIA_ROOT = tmp_path
    now = timezone.now()

    def job(state, age_hours):
        made = MeasurementImport(
            organization=cast.org_a, uploaded_by=cast.quinn, original_name="v.csv", state=state
        )
        made.file.save("v.csv", ContentFile(b"objective_code,period_end,value\n"), save=False)
        made.save()
        old = now - datetime.timedelta(hours=age_hours)
        MeasurementImport.objects.filter(pk=made.pk).update(created_at=old)
        return made

    stuck = job(MeasurementImport.State.IMPORTING, 3)
    lost = job(MeasurementImport.State.QUEUED, 3)
    running = job(MeasurementImport.State.VALIDATING, 0)
    values = Measurement.objects.count()
    assert imports_fail_stalled(now=now) == 2
    for made, state in (
        (stuck, MeasurementImport.State.FAILED),
        (lost, MeasurementImport.State.FAILED),
        (running, MeasurementImport.State.VALIDATING),
    ):
        made.refresh_from_db()
        assert made.state == state
    assert Measurement.objects.count() == values
    client.force_login(cast.quinn)
    page = client.get(reverse("objectives:import-detail", args=["acme-test", stuck.pk]))
    assert "Upload the file again" in page.content.decode()
