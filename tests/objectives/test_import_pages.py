"""Import pages: quality managers and admins upload a file and watch the job; everyone else is
refused, and nobody sees another organisation's imports."""

import datetime
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook

from objectives.models import Measurement, MeasurementImport
from objectives.tasks import import_measurements
from tests.objectives.factories import add_values, make_objective

pytestmark = pytest.mark.django_db

GOOD_CSV = b"objective_code,period_end,value\nOBJ-07,2025-01-31,90\nOBJ-07,2025-02-28,91\n"


def url(name, org_slug="acme-test", **kwargs):
    return reverse(f"objectives:{name}", kwargs={"org_slug": org_slug, **kwargs})


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def objective(cast):
    return make_objective(cast, code="OBJ-07")


def upload(client, content=GOOD_CSV, name="values.csv"):
    return client.post(url("import"), {"file": SimpleUploadedFile(name, content)})


def make_job(org, user, **fields):
    return MeasurementImport.objects.create(
        organization=org,
        uploaded_by=user,
        original_name="values.csv",
        file=SimpleUploadedFile("values.csv", GOOD_CSV),
        **fields,
    )


@pytest.mark.parametrize("who", ["quinn", "adam"])
def test_quality_managers_and_admins_see_the_upload_form(client, cast, who):
    client.force_login(getattr(cast, who))
    html = client.get(url("import")).content.decode()
    assert 'type="file"' in html and 'accept=".csv,.xlsx' in html
    assert '<label class="form-label" for="id_file">Measurement file' in html
    assert "objective_code" in html and "period_end" in html
    assert "No imports yet" in html


@pytest.mark.parametrize("who", ["alice", "carl", "audrey"])
def test_other_roles_may_not_import(client, cast, objective, who):
    client.force_login(getattr(cast, who))
    assert client.get(url("import")).status_code == 403
    assert upload(client).status_code == 403
    job = make_job(cast.org_a, cast.quinn)
    assert client.get(url("import-detail", pk=job.pk)).status_code == 403
    assert client.get(url("import-status", pk=job.pk)).status_code == 403
    assert MeasurementImport.objects.count() == 1


def test_anonymous_visitor_is_sent_to_login(client, cast):
    response = client.get(url("import"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_another_organisations_job_is_404(client, cast):
    job = make_job(cast.org_a, cast.quinn)
    client.force_login(cast.bob)
    assert client.get(url("import-detail", pk=job.pk)).status_code == 404
    # Through bob's own organisation's URL the job is not found either.
    assert client.get(url("import-detail", "beta-rival", pk=job.pk)).status_code == 404
    assert client.get(url("import-status", "beta-rival", pk=job.pk)).status_code == 404


def test_upload_imports_the_file_and_shows_the_counts(
    client, cast, objective, django_capture_on_commit_callbacks
):
    client.force_login(cast.quinn)
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client)
    job = MeasurementImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("import-detail", pk=job.pk)
    assert job.state == MeasurementImport.State.DONE
    assert (job.created_count, job.updated_count, job.total_rows) == (2, 0, 2)
    assert job.uploaded_by == cast.quinn and job.finished_at is not None
    assert Measurement.objects.filter(source="import", entered_by=cast.quinn).count() == 2
    html = client.get(response["Location"]).content.decode()
    assert "Imported 2 new values and 0 corrections" in html
    assert 'value="100"' in html and "import-progress.js" not in html
    html = client.get(url("import")).content.decode()
    assert "values.csv" in html and "Imported" in html and "Quinn Test" in html


def test_an_xlsx_upload_is_imported_too(
    client, cast, objective, django_capture_on_commit_callbacks
):
    workbook = Workbook()
    workbook.active.append(["Objective_Code", "Period_End", "Value"])
    workbook.active.append(["OBJ-07", datetime.date(2025, 1, 31), 90.5])
    content = io.BytesIO()
    workbook.save(content)
    client.force_login(cast.adam)
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, content.getvalue(), "values.xlsx")
    job = MeasurementImport.objects.get()
    assert (job.state, job.created_count) == (MeasurementImport.State.DONE, 1)
    assert Measurement.objects.get().entered_by == cast.adam


def test_a_rejected_upload_lists_the_rows_to_fix(
    client, cast, objective, django_capture_on_commit_callbacks
):
    client.force_login(cast.quinn)
    content = GOOD_CSV + b"OBJ-99,2025-03-31,90\n"
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, content)
    job = MeasurementImport.objects.get()
    assert job.state == MeasurementImport.State.REJECTED and job.error_count == 1
    assert Measurement.objects.count() == 0
    html = client.get(response["Location"]).content.decode()
    assert "Nothing was imported. Fix these rows and upload the file again." in html
    # The row once, in its column (it read "4 | Row 4: ...").
    assert re.search(
        r'<th scope="row">4</th><td>OBJ-99 is not an objective code of Acme Test Ltd.</td>', html
    )


def test_the_form_refuses_other_file_types_and_renamed_files(client, cast):
    client.force_login(cast.quinn)
    response = upload(client, b"hello", "values.txt")
    assert response.status_code == 400
    assert "Choose a .csv or .xlsx file." in response.content.decode()
    response = upload(client, GOOD_CSV, "values.xlsx")
    assert "not a valid Excel workbook" in response.content.decode()
    assert MeasurementImport.objects.count() == 0


def test_the_form_refuses_an_oversized_file(client, cast, monkeypatch):
    monkeypatch.setattr("objectives.forms_import.MAX_FILE_BYTES", 10)
    client.force_login(cast.quinn)
    response = upload(client)
    assert response.status_code == 413
    assert "Split it into smaller files." in response.content.decode()
    assert MeasurementImport.objects.count() == 0


def test_a_running_job_polls_its_status_and_has_a_fallback_refresh(client, cast):
    job = make_job(
        cast.org_a,
        cast.quinn,
        state=MeasurementImport.State.VALIDATING,
        total_rows=10_000,
        processed_rows=2_500,
    )
    client.force_login(cast.quinn)
    html = client.get(url("import-detail", pk=job.pk)).content.decode()
    assert 'data-status-url="' + url("import-status", pk=job.pk) + '"' in html
    assert "js/job-progress.js" in html
    assert '<noscript><meta http-equiv="refresh" content="3"></noscript>' in html
    assert 'aria-live="polite"' in html and "<progress" in html and 'value="25"' in html
    assert "Checking every row" in html


def test_status_json_reports_progress(client, cast):
    job = make_job(
        cast.org_a,
        cast.quinn,
        state=MeasurementImport.State.VALIDATING,
        total_rows=8,
        processed_rows=2,
    )
    client.force_login(cast.adam)
    data = client.get(url("import-status", pk=job.pk)).json()
    assert data == {
        "state": "validating",
        "state_label": "Checking every row",
        "percent": 25,
        "processed_rows": 2,
        "total_rows": 8,
        "created_count": 0,
        "updated_count": 0,
        "error_count": 0,
        "stalled": "",
        "done": False,
    }
    MeasurementImport.objects.filter(pk=job.pk).update(
        state="done", processed_rows=8, created_count=8, finished_at=timezone.now()
    )
    data = client.get(url("import-status", pk=job.pk)).json()
    assert (data["done"], data["percent"], data["created_count"]) == (True, 100, 8)


def test_recent_imports_show_only_this_organisations_last_ten(client, cast):
    for _ in range(12):
        make_job(cast.org_a, cast.quinn)
    MeasurementImport.objects.create(
        organization=cast.org_b, uploaded_by=cast.bob, original_name="rival.csv", file="x.csv"
    )
    client.force_login(cast.quinn)
    html = client.get(url("import")).content.decode()
    assert html.count("values.csv</a>") == 10
    assert "rival.csv" not in html


def test_a_job_not_queued_is_left_alone(cast, objective):
    job = make_job(cast.org_a, cast.quinn, state=MeasurementImport.State.DONE)
    import_measurements(job.pk)
    job.refresh_from_db()
    assert job.state == MeasurementImport.State.DONE and job.created_count == 0
    assert Measurement.objects.count() == 0


def test_an_unexpected_error_fails_the_job_and_writes_nothing(client, cast, objective, monkeypatch):
    add_values(objective, {"2025-02-28": 80})  # the file creates one value, corrects the other

    def explode(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr("objectives.imports.measurements_update", explode)
    job = make_job(cast.org_a, cast.quinn)
    import_measurements(job.pk)
    job.refresh_from_db()
    assert job.state == MeasurementImport.State.FAILED
    assert "unexpected error" in job.errors[0]["message"]
    assert "disk on fire" not in job.errors[0]["message"]
    # The value created before the failure was rolled back with the rest.
    assert list(Measurement.objects.values_list("period_end", "value")) == [
        (datetime.date(2025, 2, 28), 80)
    ]
    assert job.finished_at > timezone.now() - datetime.timedelta(minutes=1)
    client.force_login(cast.quinn)
    html = client.get(url("import-detail", pk=job.pk)).content.decode()
    assert "Failed: nothing was imported" in html and "unexpected error" in html


def test_an_import_that_stopped_moving_says_so_instead_of_showing_100_per_cent(client, cast):
    """A worker killed while importing (Redis redelivers its task only after an hour) left
    "Importing · 100 %" with nothing to say the work had stopped."""
    now = timezone.now()
    job = make_job(cast.org_a, cast.quinn, state=MeasurementImport.State.IMPORTING,
                   total_rows=2250, processed_rows=2250)  # fmt: skip
    client.force_login(cast.quinn)
    MeasurementImport.objects.filter(pk=job.pk).update(
        progressed_at=now - datetime.timedelta(minutes=2)
    )
    assert client.get(url("import-status", pk=job.pk)).json()["stalled"] == ""
    page = client.get(url("import-detail", pk=job.pk)).content.decode()
    assert "No progress since" not in page
    moved = now - datetime.timedelta(minutes=12)
    MeasurementImport.objects.filter(pk=job.pk).update(progressed_at=moved)
    stalled = client.get(url("import-status", pk=job.pk)).json()["stalled"]
    assert stalled.startswith(f"No progress since {timezone.localtime(moved):%H:%M}")
    assert "Nothing has been imported yet" in stalled
    page = " ".join(client.get(url("import-detail", pk=job.pk)).content.decode().split())
    assert stalled in page
    # A finished import never reads as stalled.
    MeasurementImport.objects.filter(pk=job.pk).update(state=MeasurementImport.State.DONE)
    assert client.get(url("import-status", pk=job.pk)).json()["stalled"] == ""
