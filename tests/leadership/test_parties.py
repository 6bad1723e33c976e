"""Interested parties and their requirements (ISO 9001 4.2): a requirement nothing monitors is
flagged on the list, the process map and in the evidence rows; kinds of party; roles and
tenancy through the register pages and API."""

import datetime

import pytest
from django.urls import reverse

from leadership.models import InterestedParty, PartyKind, PartyRequirement
from leadership.registers_support import PARTIES, REQUIREMENTS
from leadership.selectors.parties import interested_parties_for_evidence, unmonitored_requirements
from leadership.services.parties import party_kinds_ensure_standard
from qms.core.registers.services import record_create
from tests.objectives.factories import make_objective

pytestmark = pytest.mark.django_db


@pytest.fixture
def parties(cast, members):
    party_kinds_ensure_standard(cast.org_a)
    customers = PartyKind.objects.get(organization=cast.org_a, name="Customers")
    otd = make_objective(cast, code="OBJ-01", title="On-time delivery")
    party = record_create(
        register=PARTIES,
        membership=members["quinn"],
        record=InterestedParty(title="Key accounts", kind=customers),
    )
    monitored = record_create(
        register=REQUIREMENTS,
        membership=members["quinn"],
        record=PartyRequirement(party=party, title="Deliver on time"),
        m2m={"objectives": [otd]},
    )
    by_register = record_create(
        register=REQUIREMENTS,
        membership=members["quinn"],
        record=PartyRequirement(
            party=party, title="Answer complaints", monitoring_register="customer-feedback"
        ),
    )
    unmonitored = record_create(
        register=REQUIREMENTS,
        membership=members["quinn"],
        record=PartyRequirement(party=party, title="PPAP for new parts"),
    )
    return {"party": party, "monitored": monitored, "register": by_register, "none": unmonitored}


def test_the_six_standard_kinds_are_created_once(cast):
    party_kinds_ensure_standard(cast.org_a)
    party_kinds_ensure_standard(cast.org_a)
    assert PartyKind.objects.filter(organization=cast.org_a).count() == 6


def test_a_requirement_nothing_monitors_is_flagged(cast, parties):
    assert list(unmonitored_requirements(cast.org_a)) == [parties["none"]]


def test_evidence_rows_give_each_requirement_its_monitoring_and_flag(cast, parties):
    rows = interested_parties_for_evidence(
        organization=cast.org_a, start=datetime.date(2026, 1, 1), end=datetime.date(2026, 12, 31)
    )
    assert [
        (r["requirement"], r["monitoring_objectives"], r["monitoring_register"], r["unmonitored"])
        for r in rows
    ] == [
        ("Deliver on time", ["OBJ-01"], "", False),
        ("Answer complaints", [], "Customer feedback", False),
        ("PPAP for new parts", [], "", True),
    ]
    assert {r["kind"] for r in rows} == {"Customers"}


def test_the_requirements_list_says_nothing_monitors_it_in_words(client, cast, parties):
    client.force_login(cast.audrey)
    text = client.get(reverse("registers:party-requirements", args=[cast.org_a.slug])).content
    assert b"Nothing monitors it" in text and b"OBJ-01" in text


def test_the_party_page_lists_its_requirements_with_the_flag(client, cast, parties):
    client.force_login(cast.carl)
    response = client.get(
        reverse("registers:interested-parties-detail", args=[cast.org_a.slug, parties["party"].pk])
    )
    assert response.status_code == 200
    assert "PPAP for new parts" in response.content.decode()
    assert "Nothing monitors it" in response.content.decode()


def test_an_executive_may_add_a_party_a_contributor_may_not(client, cast):
    party_kinds_ensure_standard(cast.org_a)
    kind = PartyKind.objects.get(organization=cast.org_a, name="Regulators")
    url = reverse("registers:interested-parties-new", args=[cast.org_a.slug])
    client.force_login(cast.carl)
    assert client.post(url, {"title": "HSE", "kind": kind.pk}).status_code == 403
    client.force_login(cast.alice)
    assert (
        client.post(url, {"title": "HSE", "kind": kind.pk, "status": "relevant"}).status_code == 302
    )
    assert InterestedParty.objects.get().title == "HSE"


def test_another_organisations_objective_cannot_monitor_a_requirement(api_client, cast, parties):
    foreign = make_objective(cast, code="OBJ-09", org=cast.org_b)
    api_client.force_authenticate(cast.quinn)
    response = api_client.post(
        f"/api/v1/organizations/{cast.org_a.slug}/party-requirements/",
        {
            "party": parties["party"].pk,
            "title": "X",
            "objectives": [foreign.pk],
            "status": "applies",
        },
        format="json",
    )
    assert response.status_code == 400
    assert not PartyRequirement.objects.filter(title="X").exists()


def test_the_api_lists_requirements_to_members_only(api_client, cast, parties):
    api_client.force_authenticate(cast.audrey)
    url = f"/api/v1/organizations/{cast.org_a.slug}/party-requirements/"
    assert api_client.get(url).status_code == 200
    api_client.force_authenticate(cast.bob)
    assert api_client.get(url).status_code == 404


def test_the_quality_team_adds_a_kind_of_party_once(client, cast):
    client.force_login(cast.quinn)
    url = reverse("leadership:party-kinds", args=[cast.org_a.slug])
    assert client.post(url, {"name": "Trade unions"}).status_code == 302
    assert client.post(url, {"name": "trade unions"}).status_code == 400
    assert PartyKind.objects.filter(organization=cast.org_a, name="Trade unions").count() == 1
    client.force_login(cast.carl)
    assert client.post(url, {"name": "Banks"}).status_code == 403
    client.force_login(cast.bob)
    assert client.get(url).status_code == 404


def test_the_api_lists_the_standard_kinds_and_adds_one(api_client, cast):
    url = f"/api/v1/organizations/{cast.org_a.slug}/party-kinds/"
    api_client.force_authenticate(cast.alice)
    names = [k["name"] for k in api_client.get(url).json()["results"]]
    assert "Customers" in names and len(names) == 6
    assert api_client.post(url, {"name": "Banks"}, format="json").status_code == 201
    assert api_client.post(url, {"name": "banks"}, format="json").status_code == 400
    api_client.force_authenticate(cast.carl)
    assert api_client.post(url, {"name": "Unions"}, format="json").status_code == 403
    api_client.force_authenticate(cast.bob)
    assert api_client.get(url).status_code == 404
