"""Two first values for the same period saved at the same moment (a double click, a client
retrying, twelve identical POSTs at once): each request checks that no value exists, then
inserts, and all but one insert hit the period's unique constraint. Those answer 409 with what
to do (a different value) or succeed once (the same value), never a 500.

The race is made deterministic: the other request's row is inserted between the service's
existence check and its insert."""

import datetime
from decimal import Decimal

import pytest
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from objectives import services
from objectives.models import Measurement, QualityObjective
from objectives.periods import describe
from qms.core.models import Membership
from tests.objectives.factories import make_objective

pytestmark = pytest.mark.django_db

PERIOD_END = timezone.localdate().replace(day=1) - datetime.timedelta(days=1)  # last month's
PERIOD = PERIOD_END.isoformat()


@pytest.fixture
def objective(cast):
    return make_objective(cast, code="OBJ-07", owner=Membership.objects.get(user=cast.carl))


@pytest.fixture
def other_request_saves_first(monkeypatch, cast):
    """Another request records `value` (committed), after this one's check found nothing."""

    def arrange(value, note=""):
        first = QuerySet.first
        checked = []

        def nothing_there_yet(queryset):
            # The service's existence check is the first lookup of a value: it sees none.
            if queryset.model is Measurement and not checked:
                checked.append(True)
                return None
            return first(queryset)

        monkeypatch.setattr(QuerySet, "first", nothing_there_yet)
        objective = QualityObjective.objects.get(code="OBJ-07")
        Measurement.objects.create(
            organization_id=objective.organization_id,
            objective=objective,
            period_end=PERIOD_END,
            value=Decimal(value),
            note=note,
            entered_by=cast.quinn,
            entered_at=timezone.now(),
        )

    return arrange


def post(api_client, cast, value="92.5"):
    api_client.force_authenticate(cast.carl)
    return api_client.post(
        reverse("measurement-list", kwargs={"org_slug": "acme-test"}),
        {"objective": "OBJ-07", "period_end": PERIOD, "value": value},
        format="json",
    )


def stored(objective):
    return list(Measurement.objects.filter(objective=objective).values_list("value", "note"))


def test_a_different_value_saved_at_the_same_moment_answers_409_and_changes_nothing(
    api_client, cast, objective, other_request_saves_first
):
    other_request_saves_first("88")
    history = Measurement.history.count()
    response = post(api_client, cast, value="92.5")
    assert response.status_code == 409
    detail = response.json()["detail"]
    period = describe("monthly", PERIOD_END)
    assert f"Someone else recorded 88 for {period} of OBJ-07 at the same moment" in detail
    assert "enter it again as a correction" in detail
    assert stored(objective) == [(Decimal("88"), "")]  # the other value stands, ours is not in
    assert Measurement.history.count() == history


def test_the_same_value_saved_twice_at_the_same_moment_is_recorded_once(
    api_client, cast, objective, other_request_saves_first
):
    other_request_saves_first("92.5")
    response = post(api_client, cast, value="92.5")
    assert response.status_code == 200  # not created by this request, but there as asked
    assert response.json()["value"] == "92.500000"
    assert stored(objective) == [(Decimal("92.5"), "")]


def test_the_same_value_with_another_note_is_a_conflict(cast, objective, other_request_saves_first):
    other_request_saves_first("92.5", note="from the weekly report")
    with pytest.raises(services.MeasurementConflict):
        services.measurement_record(
            objective=objective,
            period_end=PERIOD_END,
            value=Decimal("92.5"),
            actor=cast.carl,
        )
    assert stored(objective) == [(Decimal("92.5"), "from the weekly report")]


def test_a_second_value_sent_after_the_first_is_a_correction_not_a_conflict(
    api_client, cast, objective
):
    assert post(api_client, cast, value="92.5").status_code == 201
    assert post(api_client, cast, value="92.5").status_code == 200  # unchanged
    response = post(api_client, cast, value="93")
    assert response.status_code == 200
    assert stored(objective) == [(Decimal("93"), "")]


def test_the_page_shows_the_conflict_on_the_form(
    client, cast, objective, other_request_saves_first
):
    other_request_saves_first("88")
    client.force_login(cast.carl)
    response = client.post(
        reverse("objectives:log", kwargs={"org_slug": "acme-test", "code": "OBJ-07"}),
        {"period_end": PERIOD, "value": "92.5", "note": "", "reason": ""},
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "at the same moment, so your value was not saved" in html
    assert stored(objective) == [(Decimal("88"), "")]
