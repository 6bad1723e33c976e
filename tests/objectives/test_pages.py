"""Objective pages: what each role sees and may do, and nothing of another organisation."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from objectives.models import Measurement, QualityObjective
from objectives.periods import (
    latest_due_period_end,
    month_end,
    next_period_end,
    previous_period_end,
)
from qms.core.models import Membership, OrgUnit
from tests.objectives.factories import add_values, make_objective
from tests.page_forms import log_kpi_value, versioned

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
    # Three values are too few for a trend: the page says so, and how many there are.
    assert (
        "Not enough data for a forecast yet: 3 monthly values, and a trend needs at least 6."
        in html
    )


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
    log_kpi_value(client, "acme-test", "OBJ-07", {"period_end": "2026-10-31", "value": "95.0"})
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
        ({"period_end": "2026-10-15", "value": "90"}, "Choose one of the periods offered"),
        ({"period_end": "2026-10-31", "value": "9" * 30}, "at most 18 digits before the decimal"),
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
    response = client.post(url("edit", code="OBJ-07"), versioned(objective, data))
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


def test_a_new_objective_without_values_says_no_data_yet_not_off_track(client, cast):
    today = timezone.localdate()
    start = today.replace(day=1)
    make_objective(
        cast, code="OBJ-NEW", start_date=start, due_date=start.replace(year=start.year + 1)
    )
    client.force_login(cast.quinn)
    html = client.get(url("detail", code="OBJ-NEW")).content.decode()
    assert "off track" not in html.lower()
    first = month_end(start)
    assert (
        f"No data yet: no value has been logged. The first, for {first:%B %Y}, is due by "
        f"{first + datetime.timedelta(days=10):%-d %b %Y}." in html
    )


def test_an_objective_whose_due_value_is_missing_says_which_and_asks_for_an_action(
    client, cast, objective
):
    # OBJ-07's latest value is March 2025: every month since is missing.
    QualityObjective.objects.filter(pk=objective.pk).update(
        current_status="no_data", current_period_end=datetime.date(2025, 3, 31)
    )
    due = latest_due_period_end("monthly", 10, timezone.localdate())
    client.force_login(cast.quinn)
    html = client.get(url("detail", code="OBJ-07")).content.decode()
    months_missing = (due.year - 2025) * 12 + due.month - 3
    sentence = (
        f"No data: the value for {due:%B %Y} was due by "
        f"{due + datetime.timedelta(days=10):%-d %b %Y} and is missing, with "
        f"{months_missing - 1} more before it (none since March 2025)."
    )
    assert sentence in html
    assert f"{sentence} There is no open action." in html
    assert "This is off track" not in html


def test_a_value_saved_before_the_status_is_recomputed_says_the_page_is_being_updated(client, cast):
    """Found by the try-out: with the worker down, the page said "Off track, 83.5%" while its
    own table showed the corrected 84.0%, and nothing said the status was behind."""
    from objectives.rollups import recompute_objective

    objective = make_objective(cast, code="OBJ-21")
    add_values(objective, {"2026-09-30": "90"})
    recompute_objective(objective.id)
    client.force_login(cast.quinn)
    url = reverse("objectives:detail", args=["acme-test", "OBJ-21"])
    assert "Being updated" not in client.get(url).content.decode()
    # A value saved after the status was worked out (its recompute still queued).
    Measurement.objects.filter(objective=objective).update(
        value=84, entered_at=timezone.now() + datetime.timedelta(seconds=5)
    )
    assert "Being updated: a value was saved at" in client.get(url).content.decode()
    Measurement.objects.filter(objective=objective).update(entered_at=timezone.now())
    recompute_objective(objective.id)  # the worker has run
    assert "Being updated" not in client.get(url).content.decode()


def test_an_absurd_value_in_the_log_form_gets_a_sentence(client, cast):
    """Found by the try-out: 1e400 answered "Ensure that there are no more than 24 digits"."""
    make_objective(cast, code="OBJ-22", owner=Membership.objects.get(user=cast.carl))
    client.force_login(cast.carl)
    period = month_end(timezone.localdate().replace(day=1) - datetime.timedelta(days=1))
    url = reverse("objectives:log", args=["acme-test", "OBJ-22"])
    for value, sentence in (
        ("1e400", "Enter a value of at most 18 digits before the decimal point."),
        ("1.1234567", "Enter a value with at most 6 decimal places."),
        ("ninety", "Enter a number, e.g. 96.4"),
    ):
        page = client.post(url, {"period_end": period.isoformat(), "value": value})
        assert page.status_code == 400 and sentence in page.content.decode(), value
    assert not Measurement.objects.filter(objective__code="OBJ-22").exists()


def test_a_value_logged_early_does_not_hide_an_overdue_one(client, cast):
    """Issue 21: a value logged for a later period made the page stop saying that the value
    of the period now due is missing."""
    from objectives.rollups import recompute_objective

    today = timezone.localdate()
    due = latest_due_period_end("monthly", 10, today)
    before, after = previous_period_end("monthly", due), next_period_end("monthly", due)
    objective = make_objective(cast, code="OBJ-22", start_date=datetime.date(2024, 1, 1))
    add_values(objective, {before: "95", after: "96"})
    recompute_objective(objective.id)
    client.force_login(cast.quinn)
    html = client.get(url("detail", code="OBJ-22")).content.decode()
    assert (
        f"No data: the value for {due:%B %Y} was due by "
        f"{due + datetime.timedelta(days=10):%-d %b %Y} and is missing (a value for "
        f"{after:%B %Y} is logged already, but it does not replace the missing one)." in html
    )


def test_a_thin_zone_of_the_chart_keeps_its_colour_but_not_a_name_that_would_overlap(cast):
    """Issue 21: a band objective's thin "at risk" zones wrote their names over the "on track"
    one. Each name written is in a zone tall enough for it; every zone keeps its colour."""
    from objectives.charts import LABEL_PX, PLOT_PX, objective_figure

    objective = make_objective(cast, code="OBJ-15", direction="band", target=Decimal("0"),
                               amber_threshold=Decimal("0.02"), red_threshold=Decimal("0.03"),
                               valid_min=None, valid_max=None)  # fmt: skip
    series = [(datetime.date(2026, m, 28), Decimal(v)) for m, v in ((1, "0.5"), (2, "-0.4"))]
    layout = objective_figure(objective, series)["layout"]
    low, high = layout["yaxis"]["range"]
    zones = [s for s in layout["shapes"] if s["type"] == "rect"]
    assert len(zones) == 5
    names = [n for n in layout["annotations"] if not n["text"].startswith("target")]
    assert len(names) < len(zones)
    for name in names:
        zone = next(z for z in zones if z["y0"] <= name["y"] <= z["y1"])
        assert (zone["y1"] - zone["y0"]) / (high - low) * PLOT_PX >= LABEL_PX
