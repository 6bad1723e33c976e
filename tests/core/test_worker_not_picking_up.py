"""With the background worker stopped, the pages that wait for it (an objective's status, an
import, an evidence pack, the dashboard's figures) do not say "in a moment" for ever: after a
reasonable wait they say plainly that the worker has not picked the work up and since when,
that nothing is lost, and what an administrator should do (issue 21)."""

import datetime
import html

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from objectives.models import Measurement, MeasurementImport, QualityObjective
from objectives.rollups import recompute_all
from qms.core.models import Membership, WorkerHeartbeat
from qms.evidence.models import EvidencePack
from tests.objectives.factories import add_values, make_objective

pytestmark = pytest.mark.django_db

SLUG = "acme-test"
ADVICE = "An administrator should check the System page"


def ago(minutes):
    return timezone.now() - datetime.timedelta(minutes=minutes)


def page(client, user, name, *args):
    client.force_login(user)
    text = html.unescape(client.get(reverse(name, args=[SLUG, *args])).content.decode())
    return " ".join(text.split())


@pytest.fixture
def objective(cast):
    objective = make_objective(cast, code="OBJ-21")
    add_values(objective, {"2026-09-30": "90"})
    recompute_all(cast.org_a.pk)
    return objective


def saved_after_status(objective, minutes):
    """A value saved `minutes` ago whose recompute the worker never ran."""
    QualityObjective.objects.filter(pk=objective.pk).update(
        status_computed_at=ago(minutes + 1), rollup_queued_at=ago(minutes)
    )
    Measurement.objects.filter(objective=objective).update(entered_at=ago(minutes))


def test_an_objective_waiting_a_moment_says_it_is_being_updated(client, cast, objective):
    saved_after_status(objective, 1)
    html = page(client, cast.quinn, "objectives:detail", "OBJ-21")
    assert "reload in a moment" in html
    assert ADVICE not in html


def test_an_objective_waiting_too_long_says_the_worker_has_not_picked_it_up(
    client, cast, objective
):
    saved_after_status(objective, 10)
    html = page(client, cast.quinn, "objectives:detail", "OBJ-21")
    since = f"{timezone.localtime(ago(10)):%H:%M}"
    assert (
        "The background worker has not picked up the recalculation of this objective's status "
        f"since {since} (10" in html
    )
    assert "the worker has not been seen running. Nothing is lost: the value is saved" in html
    assert ADVICE in html and "celery -A qms worker -B" in html
    assert "reload in a moment" not in html


def test_the_notice_says_when_the_worker_was_last_seen(client, cast, objective):
    WorkerHeartbeat.objects.create(source="beat", ran_at=ago(30), hostname="w1")
    saved_after_status(objective, 10)
    html = page(client, cast.quinn, "objectives:detail", "OBJ-21")
    assert f"the worker was last seen running at {timezone.localtime(ago(30)):%H:%M}" in html


def test_an_import_not_picked_up_says_so(client, cast):
    job = MeasurementImport.objects.create(
        organization=cast.org_a,
        uploaded_by=cast.quinn,
        original_name="values.csv",
        file=SimpleUploadedFile("values.csv", b"objective_code,period_end,value,note\n"),
    )
    MeasurementImport.objects.filter(pk=job.pk).update(created_at=ago(3))
    client.force_login(cast.quinn)
    status = client.get(reverse("objectives:import-status", args=[SLUG, job.pk])).json()
    assert status["stalled"].startswith("The background worker has not picked up this import")
    assert (
        "Nothing is lost: the file is kept and nothing has been imported yet" in status["stalled"]
    )
    assert ADVICE in page(client, cast.quinn, "objectives:import-detail", job.pk)


def test_an_evidence_pack_not_picked_up_says_so(client, cast):
    quinn = Membership.objects.get(user=cast.quinn)
    today = timezone.localdate()
    pack = EvidencePack.objects.create(
        organization=cast.org_a, requested_by=quinn, period_start=today, period_end=today
    )
    client.force_login(cast.quinn)
    status = reverse("evidence:pack-status", args=[SLUG, pack.uuid])
    assert client.get(status).json()["stalled"] == ""
    EvidencePack.objects.filter(pk=pack.pk).update(created_at=ago(5))
    stalled = client.get(status).json()["stalled"]
    assert stalled.startswith("The background worker has not picked up this evidence pack")
    assert "Nothing is lost: the request is saved" in stalled
    assert stalled in page(client, cast.quinn, "evidence:pack", pack.uuid)


def test_the_dashboard_says_when_its_figures_were_computed(client, cast, objective):
    html = page(client, cast.alice, "dashboard:dashboard")
    computed = QualityObjective.objects.get(pk=objective.pk).status_computed_at
    assert (
        f"Figures last computed by the background worker on "
        f"{timezone.localtime(computed):%-d %b %Y} at {timezone.localtime(computed):%H:%M}."
    ) in html
    assert "Stale figures" not in html


def test_the_dashboard_flags_its_figures_stale_when_a_recompute_is_overdue(client, cast, objective):
    saved_after_status(objective, 10)
    html = page(client, cast.alice, "dashboard:dashboard")
    assert (
        "Stale figures.</strong> The background worker has not picked up the recalculation of "
        in html
    )
    assert "Nothing is lost: the values are saved" in html and ADVICE in html
    # The worker runs it: fresh again.
    recompute_all(cast.org_a.pk)
    assert "Stale figures" not in page(client, cast.alice, "dashboard:dashboard")


def test_the_dashboard_flags_a_missed_nightly_recompute(client, cast, objective):
    QualityObjective.objects.filter(pk=objective.pk).update(
        status_computed_at=timezone.now() - datetime.timedelta(hours=30)
    )
    html = page(client, cast.alice, "dashboard:dashboard")
    assert "Stale figures.</strong> The nightly recalculation has not run since" in html


def test_a_value_logged_marks_the_recompute_queued_until_it_runs(cast, objective):
    from objectives.rollups import mark_queued, recompute_objective

    mark_queued(QualityObjective.objects.filter(pk=objective.pk))
    assert QualityObjective.objects.get(pk=objective.pk).rollup_queued_at is not None
    recompute_objective(objective.pk)
    assert QualityObjective.objects.get(pk=objective.pk).rollup_queued_at is None
