"""Objective pages: what each role sees and may do, and nothing of another organisation."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from objectives.models import Measurement, QualityObjective
from qms.core.models import Membership, OrgUnit
from tests.objectives.factories import add_values, make_objective

pytestmark = pytest.mark.django_db


def url(name, **kwargs):
    return reverse(f"objectives:{name}", kwargs={"org_slug": "acme-test", **kwargs})


@pytest.fixture
def objective(cast):
    carl = Membership.objects.get(user=cast.carl)
    obj = make_objective(cast, code="OBJ-07", owner=carl, title="On-time delivery")
    add_values(obj, {"2025-01-31": 90, "2025-02-28": 91, "2025-03-31": 93})
    return obj


def test_list_shows_objectives_with_status_in_words(client, cast, objective):
    client.force_login(cast.audrey)
    html = client.get(url("list")).content.decode()
    assert "OBJ-07" in html and "On-time delivery" in html
    assert "No data" in html  # the status is written, not only coloured


def test_list_filters_by_unit_subtree_and_rag(client, cast, objective):
    child = OrgUnit.objects.get(organization=cast.org_a, code="A1")
    make_objective(cast, code="OBJ-08", unit=child, title="Child unit objective")
    client.force_login(cast.alice)
    html = client.get(url("list"), {"unit": child.id}).content.decode()
    assert "OBJ-08" in html and "OBJ-07" not in html
    QualityObjective.objects.filter(code="OBJ-08").update(current_status="red")
    html = client.get(url("list"), {"rag": "red"}).content.decode()
    assert "OBJ-08" in html and "OBJ-07" not in html


def test_list_rejects_a_foreign_unit_in_the_filter(client, cast, objective):
    foreign = OrgUnit.objects.get(organization=cast.org_b)
    client.force_login(cast.alice)
    response = client.get(url("list"), {"unit": foreign.id})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


def test_list_query_count_does_not_grow_with_objectives(client, cast, objective):
    client.force_login(cast.quinn)
    client.get(url("list"))
    with CaptureQueriesContext(connection) as few:
        client.get(url("list"))
    for i in range(20):
        make_objective(cast, code=f"OBJ-{100 + i}")
    with CaptureQueriesContext(connection) as many:
        client.get(url("list"))
    assert len(many) == len(few)


def test_detail_shows_chart_data_values_and_forecast(client, cast, objective):
    client.force_login(cast.carl)
    response = client.get(url("detail", code="OBJ-07"))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="objective-figure"' in html  # the figure for Plotly
    assert "93.0%" in html  # the values table
    assert "At this rate" in html or "On track" in html


def test_detail_query_count_does_not_grow_with_values(client, cast, objective):
    client.force_login(cast.quinn)
    client.get(url("detail", code="OBJ-07"))
    with CaptureQueriesContext(connection) as few:
        client.get(url("detail", code="OBJ-07"))
    add_values(
        objective,
        {
            f"2024-{m:02d}-{[31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]}": 88
            for m in range(1, 13)
        },
    )
    with CaptureQueriesContext(connection) as many:
        client.get(url("detail", code="OBJ-07"))
    assert len(many) == len(few)


def test_another_organisations_objective_is_404(client, cast, objective):
    client.force_login(cast.bob)
    assert (
        client.get(
            reverse("objectives:detail", kwargs={"org_slug": "acme-test", "code": "OBJ-07"})
        ).status_code
        == 404
    )
    other = make_objective(cast, code="OBJ-B1", org=cast.org_b)
    client.force_login(cast.alice)
    assert client.get(url("detail", code=other.code)).status_code == 404


def test_owner_logs_a_value_and_sees_it(
    client, cast, objective, django_capture_on_commit_callbacks
):
    client.force_login(cast.carl)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url("log", code="OBJ-07"),
            {"period_end": "2026-10-31", "value": "94.5", "note": "New gauge"},
        )
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Value for October 2026 recorded." in page
    m = Measurement.objects.get(objective=objective, period_end=datetime.date(2026, 10, 31))
    assert m.value == Decimal("94.5") and m.entered_by == cast.carl and m.source == "form"


def test_correction_keeps_the_earlier_value_in_history(client, cast, objective):
    client.force_login(cast.quinn)
    client.post(url("log", code="OBJ-07"), {"period_end": "2026-10-31", "value": "94.5"})
    client.post(url("log", code="OBJ-07"), {"period_end": "2026-10-31", "value": "95.0"})
    m = Measurement.objects.get(objective=objective, period_end=datetime.date(2026, 10, 31))
    assert m.value == Decimal("95.0")
    assert [h.value for h in m.history.order_by("history_date")] == [
        Decimal("94.5"),
        Decimal("95.0"),
    ]
    assert m.history.first().history_change_reason == "Correction"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"period_end": "2026-10-31", "value": "abc"}, "Enter a number"),
        ({"period_end": "2026-10-31", "value": "101"}, "above 100"),
        ({"period_end": "2026-10-15", "value": "90"}, "Select a valid choice"),
        ({"period_end": "2026-10-31", "value": "9" * 30}, "Ensure that there are no more than"),
    ],
)
def test_bad_value_is_refused_with_a_clear_error_and_nothing_saved(
    client, cast, objective, data, message
):
    client.force_login(cast.carl)
    before = Measurement.objects.count()
    response = client.post(url("log", code="OBJ-07"), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert Measurement.objects.count() == before


@pytest.mark.parametrize("username", ["alice", "audrey", "bob"])
def test_only_owner_and_quality_editors_log_values(client, cast, objective, username):
    client.force_login(getattr(cast, username))
    response = client.post(url("log", code="OBJ-07"), {"period_end": "2026-10-31", "value": "90"})
    assert response.status_code == (404 if username == "bob" else 403)
    assert not Measurement.objects.filter(period_end=datetime.date(2026, 10, 31)).exists()


def test_contributor_who_does_not_own_it_cannot_log(client, cast, objective):
    QualityObjective.objects.filter(pk=objective.pk).update(
        owner=Membership.objects.get(user=cast.quinn)
    )
    client.force_login(cast.carl)
    assert (
        client.post(
            url("log", code="OBJ-07"), {"period_end": "2026-10-31", "value": "90"}
        ).status_code
        == 403
    )


def form_data(cast, **overrides):
    data = {
        "code": "OBJ-20",
        "title": "Reduce returns",
        "statement": "",
        "status": "active",
        "org_unit": OrgUnit.objects.get(organization=cast.org_a, code="A").id,
        "owner": Membership.objects.get(user=cast.carl).id,
        "accountable_executive": Membership.objects.get(user=cast.alice).id,
        "start_date": "2026-01-01",
        "due_date": "2026-12-31",
        "weight": "1",
        "unit": "%",
        "direction": "lower",
        "target": "1",
        "amber_threshold": "1.5",
        "red_threshold": "2",
        "frequency": "monthly",
        "aggregation": "mean",
        "decimal_places": "1",
        "data_due_days": "10",
        "valid_min": "0",
        "valid_max": "100",
    }
    data.update(overrides)
    return data


def test_quality_manager_creates_an_objective(client, cast):
    client.force_login(cast.quinn)
    response = client.post(url("create"), form_data(cast))
    assert response.status_code == 302
    objective = QualityObjective.objects.get(code="OBJ-20")
    assert objective.history.get().history_user == cast.quinn


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"due_date": "2025-12-31"}, "on or after the start date"),
        ({"red_threshold": "1.2"}, "at or above the amber one"),
        ({"accountable_executive": "quinn"}, "Select a valid choice"),
        ({"title": "x" * 300}, "at most 200 characters"),
    ],
)
def test_bad_objective_is_refused_clearly(client, cast, overrides, message):
    if overrides.get("accountable_executive") == "quinn":
        overrides["accountable_executive"] = Membership.objects.get(user=cast.quinn).id
    client.force_login(cast.quinn)
    response = client.post(url("create"), form_data(cast, **overrides))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not QualityObjective.objects.filter(code="OBJ-20").exists()


def test_foreign_owner_is_refused(client, cast):
    client.force_login(cast.quinn)
    bob = Membership.objects.get(user=cast.bob)
    response = client.post(url("create"), form_data(cast, owner=bob.id))
    assert response.status_code == 400
    assert not QualityObjective.objects.exists()


def test_duplicate_code_is_refused(client, cast, objective):
    client.force_login(cast.quinn)
    response = client.post(url("create"), form_data(cast, code="OBJ-07"))
    assert response.status_code == 400
    assert "already exists" in response.content.decode()


@pytest.mark.parametrize("username", ["alice", "carl", "audrey"])
def test_only_quality_editors_create_or_edit(client, cast, objective, username):
    client.force_login(getattr(cast, username))
    assert client.get(url("create")).status_code == 403
    assert (
        client.post(url("edit", code="OBJ-07"), form_data(cast, title="Hacked")).status_code == 403
    )
    objective.refresh_from_db()
    assert objective.title == "On-time delivery"


def test_edit_is_recorded_with_before_and_after(client, cast, objective):
    client.force_login(cast.quinn)
    data = form_data(
        cast,
        code="OBJ-07",
        title="On-time delivery",
        direction="higher",
        target="95",
        amber_threshold="92",
        red_threshold="88",
        start_date="2024-01-01",
        due_date="2026-12-31",
    )
    data["target"] = "97"
    data["amber_threshold"] = "93"
    response = client.post(url("edit", code="OBJ-07"), data)
    assert response.status_code == 302
    html = client.get(url("detail", code="OBJ-07")).content.decode()
    assert "Target" in html and "97" in html
    latest = objective.history.order_by("-history_date").first()
    assert latest.history_user == cast.quinn and latest.target == Decimal("97")


def test_plan_step_added_by_owner(client, cast, objective):
    client.force_login(cast.carl)
    response = client.post(
        url("plan-step-create", code="OBJ-07"),
        {
            "what": "Daily stand-up on late orders",
            "resources": "15 min a day",
            "responsible": Membership.objects.get(user=cast.carl).id,
            "due_date": "2026-12-15",
            "evaluation": "OTD weekly",
            "status": "planned",
        },
    )
    assert response.status_code == 302
    assert (
        "Daily stand-up on late orders" in client.get(url("detail", code="OBJ-07")).content.decode()
    )


def test_plan_step_with_foreign_responsible_is_refused(client, cast, objective):
    client.force_login(cast.quinn)
    response = client.post(
        url("plan-step-create", code="OBJ-07"),
        {
            "what": "X",
            "responsible": Membership.objects.get(user=cast.bob).id,
            "due_date": "2026-12-15",
            "status": "planned",
        },
    )
    assert response.status_code == 400
    assert not objective.plan_steps.exists()
