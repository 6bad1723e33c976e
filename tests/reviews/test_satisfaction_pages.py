"""The quality team turns survey scores into a customer-satisfaction objective from the page
and from the command line."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from objectives.models import Measurement
from tests.objectives.factories import make_objective
from tests.reviews.factories import make_feedback

pytestmark = pytest.mark.django_db


@pytest.fixture
def objective(cast):
    return make_objective(
        cast,
        code="OBJ-CS",
        target=8,
        amber_threshold=7.5,
        red_threshold=7,
        valid_min=0,
        valid_max=10,
        start_date=datetime.date(2025, 1, 1),
    )


def _scores(cast):
    for day, score in ((5, 7), (20, 9)):
        make_feedback(
            cast,
            feedback_type="survey_score",
            score=score,
            received_on=datetime.date(2025, 3, day),
        )


def test_quality_manager_updates_the_objective_from_the_feedback_page(client, cast, objective):
    _scores(cast)
    client.force_login(cast.quinn)
    page = client.get(reverse("registers:customer-feedback", args=["acme-test"])).content
    assert b"Turn survey scores into a customer-satisfaction objective" in page
    response = client.post(
        reverse("reviews:satisfaction-to-objective", args=["acme-test"]),
        {"objective": objective.pk},
    )
    assert response.status_code == 302
    value = Measurement.objects.get(objective=objective, period_end=datetime.date(2025, 3, 31))
    assert value.value == 8


def test_staff_and_other_organisations_cannot(client, cast, objective):
    _scores(cast)
    url = reverse("reviews:satisfaction-to-objective", args=["acme-test"])
    client.force_login(cast.carl)
    assert (
        b"Turn survey scores"
        not in client.get(reverse("registers:customer-feedback", args=["acme-test"])).content
    )
    assert client.post(url, {"objective": objective.pk}).status_code == 403
    client.force_login(cast.bob)
    assert client.post(url, {"objective": objective.pk}).status_code == 404
    foreign = make_objective(cast, code="OBJ-B1", org=cast.org_b)
    client.force_login(cast.quinn)
    client.post(url, {"objective": foreign.pk})
    assert not Measurement.objects.exists()


def test_command_writes_the_means_and_refuses_an_unknown_objective(cast, objective):
    _scores(cast)
    out = io.StringIO()
    call_command("feedback_to_kpi", org="acme-test", objective="OBJ-CS", stdout=out)
    assert "OBJ-CS: Imported" in out.getvalue()
    assert Measurement.objects.filter(objective=objective).count() == 1
    with pytest.raises(CommandError, match="has no objective OBJ-XX"):
        call_command("feedback_to_kpi", org="acme-test", objective="OBJ-XX")
