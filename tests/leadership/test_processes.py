"""Processes (ISO 9001 4.4): a process with no KPI or no owner is flagged; its overview shows
its KPIs' status and trend, open risks, nonconformities and actions; "which process does this
KPI measure?"; roles and tenancy."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from leadership.models import Process, Risk
from leadership.registers_support import PROCESSES
from leadership.selectors.processes import (
    flagged_processes,
    process_overview,
    processes_for_evidence,
    processes_measured_by,
)
from qms.core.actions.services import action_create
from qms.core.registers.definition import get_register
from qms.core.registers.services import record_create
from tests.objectives.factories import add_values, make_objective

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(cast, members):
    fpy = make_objective(cast, code="OBJ-04", title="First-pass yield")
    add_values(fpy, {"2026-01-31": Decimal("90"), "2026-02-28": Decimal("93")})
    risk = record_create(
        register=get_register("risks"),
        membership=members["quinn"],
        record=Risk(title="Programmer leaves", kind="risk", likelihood=3, impact=5,
                    identified_on=datetime.date(2026, 1, 1)),
    )  # fmt: skip
    machining = record_create(
        register=PROCESSES,
        membership=members["quinn"],
        record=Process(title="Machining", owner=members["carl"], purpose="Make parts"),
        m2m={"objectives": [fpy], "risks": [risk]},
    )
    dispatch = record_create(
        register=PROCESSES,
        membership=members["quinn"],
        record=Process(title="Dispatch"),
    )
    machining.hands_over_to.set([dispatch])
    return {"fpy": fpy, "risk": risk, "machining": machining, "dispatch": dispatch}


def test_a_process_with_no_kpi_or_no_owner_is_flagged(cast, world):
    assert list(flagged_processes(cast.org_a)) == [world["dispatch"]]
    rows = processes_for_evidence(
        organization=cast.org_a, start=datetime.date(2026, 1, 1), end=datetime.date(2026, 12, 31)
    )
    assert [(r["reference"], r["flags"]) for r in rows] == [
        ("PR-001", []),
        ("PR-002", ["No owner", "No KPI"]),
    ]
    assert rows[0]["kpis"][0]["code"] == "OBJ-04" and rows[0]["hands_over_to"] == ["PR-002"]
    assert rows[0]["risks"] == [world["risk"].reference]


def test_which_process_a_kpi_measures(world):
    assert list(processes_measured_by(world["fpy"])) == [world["machining"]]


def test_the_overview_shows_kpi_trend_open_risks_and_actions(cast, members, world):
    action_create(
        organization=cast.org_a, raised_by=members["quinn"], title="Cross-train a programmer",
        owner=members["carl"], accountable_executive=members["alice"],
        due_date=datetime.date(2026, 3, 1), source=world["risk"], today=datetime.date(2026, 2, 1),
    )  # fmt: skip
    overview = process_overview(world["machining"], datetime.date(2026, 4, 1))
    assert overview["kpis"][0]["trend"] == "Rising"
    assert overview["risks"] == [world["risk"]]
    assert [a.title for a in overview["actions"]] == ["Cross-train a programmer"]
    assert overview["overdue_actions"] == 1 and overview["flags"] == []


def test_the_overview_page_shows_status_in_words_and_the_hand_over(client, cast, world):
    client.force_login(cast.carl)
    response = client.get(
        reverse("leadership:process-overview", args=[cast.org_a.slug, world["machining"].pk])
    )
    text = response.content.decode()
    assert "OBJ-04 First-pass yield" in text and "Rising" in text
    assert "PR-002 Dispatch" in text and "Programmer leaves" in text


def test_the_process_map_flags_in_words(client, cast, world):
    client.force_login(cast.audrey)
    text = client.get(reverse("leadership:process-map", args=[cast.org_a.slug])).content.decode()
    assert "No owner" in text and "No KPI" in text


def test_another_organisation_gets_404_for_a_process(client, api_client, cast, world):
    client.force_login(cast.bob)
    assert (
        client.get(
            reverse("leadership:process-overview", args=[cast.org_b.slug, world["machining"].pk])
        ).status_code
        == 404
    )
    api_client.force_authenticate(cast.bob)
    assert (
        api_client.get(
            f"/api/v1/organizations/{cast.org_b.slug}/processes/{world['machining'].pk}/"
        ).status_code
        == 404
    )


def test_the_api_refuses_a_foreign_owner_and_a_contributor(api_client, cast, world):
    from qms.core.models import Membership

    bob = Membership.objects.get(user=cast.bob)
    url = f"/api/v1/organizations/{cast.org_a.slug}/processes/"
    api_client.force_authenticate(cast.quinn)
    response = api_client.post(url, {"title": "X", "owner": bob.pk}, format="json")
    assert response.status_code == 400
    api_client.force_authenticate(cast.carl)
    assert api_client.post(url, {"title": "Y"}, format="json").status_code == 403
    assert not Process.objects.filter(title__in=["X", "Y"]).exists()


def test_the_process_list_costs_the_same_queries_for_more_processes(
    client, cast, members, world, django_assert_max_num_queries
):
    client.force_login(cast.quinn)
    url = reverse("registers:processes", args=[cast.org_a.slug])
    for n in range(10):
        record_create(
            register=PROCESSES, membership=members["quinn"], record=Process(title=f"P{n}"),
            m2m={"objectives": [world["fpy"]]},
        )  # fmt: skip
    with django_assert_max_num_queries(30):
        assert client.get(url).status_code == 200
    with django_assert_max_num_queries(30):
        assert (
            client.get(reverse("leadership:process-map", args=[cast.org_a.slug])).status_code == 200
        )


def test_an_owners_leadership_record_lists_their_processes_with_flags(cast, members, world):
    from leadership.selectors.support_record import support_record_for

    record = support_record_for(
        membership=members["carl"], start=datetime.date(2026, 1, 1), end=datetime.date(2026, 12, 31)
    )
    assert record["processes_owned"] == [
        {"reference": "PR-001", "title": "Machining", "kpis": ["OBJ-04"], "flags": []}
    ]
    assert record["training"] == [] and record["competences"] == []
