"""An auditor whose access an administrator limited to a unit reads that unit's subtree only:
objectives, registers with a unit, the dashboard and the API; at the top unit, everything."""

import pytest
from django.urls import reverse

from qms.core.models import Membership, OrgUnit
from tests.objectives.factories import make_objective
from tests.reviews.factories import make_nc

pytestmark = pytest.mark.django_db


@pytest.fixture
def units(cast):
    return {u.code: u for u in OrgUnit.objects.filter(organization=cast.org_a)}


@pytest.fixture
def records(cast, units):
    make_objective(cast, code="OBJ-TOP", unit=units["A"])
    make_objective(cast, code="OBJ-PLANT", unit=units["A1"])
    return make_nc(cast, org_unit=units["A"], title="At head office"), make_nc(
        cast, org_unit=units["A1"], title="On the shop floor"
    )


def _limit(cast, unit):
    Membership.objects.filter(user=cast.audrey).update(org_unit=unit)


def test_an_auditor_of_a_site_reads_that_site_only(client, cast, units, records):
    top_nc, _ = records
    _limit(cast, units["A1"])
    client.force_login(cast.audrey)
    listing = client.get(reverse("objectives:list", args=["acme-test"])).content.decode()
    assert "OBJ-PLANT" in listing and "OBJ-TOP" not in listing
    assert (
        client.get(reverse("objectives:detail", args=["acme-test", "OBJ-TOP"])).status_code == 404
    )
    assert (
        client.get(reverse("objectives:detail", args=["acme-test", "OBJ-PLANT"])).status_code == 200
    )
    ncs = client.get(reverse("registers:nonconformities", args=["acme-test"]))
    assert "On the shop floor" in ncs.content.decode()
    assert "At head office" not in ncs.content.decode()
    detail = reverse("registers:nonconformities-detail", args=["acme-test", top_nc.pk])
    assert client.get(detail).status_code == 404
    api = client.get("/api/v1/organizations/acme-test/objectives/").json()
    assert [o["code"] for o in api["results"]] == ["OBJ-PLANT"]
    dashboard = client.get(reverse("dashboard:dashboard", args=["acme-test"]))
    assert dashboard.context["data"].filters.unit == units["A1"]


def test_an_auditor_of_the_top_unit_reads_everything(client, cast, units, records):
    _limit(cast, units["A"])
    client.force_login(cast.audrey)
    listing = client.get(reverse("objectives:list", args=["acme-test"])).content.decode()
    assert "OBJ-PLANT" in listing and "OBJ-TOP" in listing


def test_other_roles_are_not_limited_by_their_unit(client, cast, units, records):
    Membership.objects.filter(user=cast.quinn).update(org_unit=units["A1"])
    client.force_login(cast.quinn)
    listing = client.get(reverse("objectives:list", args=["acme-test"])).content.decode()
    assert "OBJ-TOP" in listing
