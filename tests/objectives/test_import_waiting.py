"""An import holding values of an objective whose off-track value waits for its explanation
is refused whole (all rows or none), and its page says which objective holds it back, which
rows, links to where it is explained, and then imports the same file again in one step."""

import datetime
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from objectives.models import Measurement, MeasurementImport, RedFollowUp
from objectives.red_follow_ups import follow_up_open, red_follow_up_explain
from qms.core.models import Membership
from tests.objectives.factories import add_values, make_objective

pytestmark = pytest.mark.django_db
START = datetime.date(2025, 1, 1)


def url(name, **kwargs):
    return reverse(f"objectives:{name}", kwargs={"org_slug": "acme-test", **kwargs})


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def waiting(cast):
    """OBJ-02 went off track in March 2025 and its owner has not said why yet."""
    carl = Membership.objects.get(user=cast.carl, organization=cast.org_a)
    make_objective(cast, code="OBJ-01", start_date=START)
    red = make_objective(cast, code="OBJ-02", title="Scrap rate", owner=carl, start_date=START)
    add_values(red, {"2025-03-31": 70})
    red.refresh_from_db()
    red.current_status, red.current_period_end = "red", datetime.date(2025, 3, 31)
    red.current_value = Decimal("70")
    red.save()
    return follow_up_open(red, consecutive=False)


FILE = (
    b"objective_code,period_end,value\n"
    b"OBJ-01,2025-01-31,90\nOBJ-01,2025-02-28,91\nOBJ-01,2025-03-31,92\n"
    b"OBJ-02,2025-03-31,70\nOBJ-02,2025-04-30,71\nOBJ-02,2025-05-31,72\n"
)


def _upload(client, capture):
    with capture(execute=True):
        return client.post(url("import"), {"file": SimpleUploadedFile("values.csv", FILE)})


def test_the_import_names_the_objective_that_waits_and_imports_again_once_explained(
    client, cast, waiting, django_capture_on_commit_callbacks
):
    assert waiting is not None and RedFollowUp.objects.filter(explanation="").count() == 1
    client.force_login(cast.quinn)
    response = _upload(client, django_capture_on_commit_callbacks)
    job = MeasurementImport.objects.get()
    assert job.state == MeasurementImport.State.REJECTED
    # Row 5 repeats the stored red value: it changes nothing and is not held back.
    assert job.error_count == 2
    assert [e["message"] for e in job.errors] == [
        "Rows 6, 7: OBJ-02 is off track for March 2025 and its owner has not yet explained "
        "why; its values are accepted again once its owner (or a quality manager) has, on the "
        "objective's page."
    ]
    html = re.sub(r"\s+", " ", client.get(response["Location"]).content.decode())
    assert "The file is right: it waits for one objective's explanation" in html
    assert (
        f'<a href="{url("detail", code="OBJ-02")}#red-follow-ups">OBJ-02 Scrap rate</a> '
        "(rows 6, 7 of the file; owner Carl Test): "
    ) in html
    assert "still waiting" in html
    assert '<th scope="row">6, 7</th>' in html
    assert not Measurement.objects.filter(objective__code="OBJ-01").exists()

    red_follow_up_explain(
        follow_up=waiting,
        membership=Membership.objects.get(user=cast.quinn, organization=cast.org_a),
        explanation="New coolant",
        next_step="Back to the old one",
    )
    html = client.get(response["Location"]).content.decode()
    assert "explained since" in html
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(url("import-again", pk=job.pk))
    assert again.status_code == 302
    second = MeasurementImport.objects.exclude(pk=job.pk).get()
    assert second.state == MeasurementImport.State.DONE, second.errors
    assert (second.created_count, second.original_name) == (5, "values.csv")
    assert Measurement.objects.count() == 6


def test_a_file_with_other_errors_is_fixed_first(
    client, cast, waiting, django_capture_on_commit_callbacks
):
    client.force_login(cast.quinn)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url("import"),
            {"file": SimpleUploadedFile("values.csv", FILE + b"OBJ-99,2025-03-31,1\n")},
        )
    html = client.get(response["Location"]).content.decode()
    assert "One objective waits for an explanation" in html
    assert "Import the same file again" not in html
    assert "Fix these rows and upload the file again." in html


def test_only_quality_editors_import_again(
    client, cast, waiting, django_capture_on_commit_callbacks
):
    client.force_login(cast.quinn)
    _upload(client, django_capture_on_commit_callbacks)
    job = MeasurementImport.objects.get()
    client.force_login(cast.carl)
    assert client.post(url("import-again", pk=job.pk)).status_code == 403
    assert MeasurementImport.objects.count() == 1
