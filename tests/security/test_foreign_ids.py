"""A related id that is not one of the organisation's records (another organisation's, or
none at all) is refused in a sentence that names what was looked for, on every writable
related field, never with DRF's raw `Invalid pk "11" - object does not exist.`"""

import pytest

from leadership.models import InterestedParty, PartyKind, PartyRequirement
from leadership.registers_support import PARTIES
from leadership.services.parties import party_kinds_ensure_standard
from qms.core.models import Membership, OrgUnit
from qms.core.registers.services import record_create
from tests.objectives.factories import make_objective

pytestmark = pytest.mark.django_db


@pytest.fixture
def foreign_party(cast):
    party_kinds_ensure_standard(cast.org_b)
    kind = PartyKind.objects.filter(organization=cast.org_b).first()
    return record_create(
        register=PARTIES,
        membership=Membership.objects.get(user=cast.bob),
        record=InterestedParty(title="Rival's bank", kind=kind),
    )


def _post(api_client, user, endpoint, payload):
    api_client.force_authenticate(user)
    return api_client.post(f"/api/v1/organizations/acme-test/{endpoint}/", payload, format="json")


def test_another_organisations_party_is_refused_in_a_sentence(api_client, cast, foreign_party):
    response = _post(
        api_client,
        cast.quinn,
        "party-requirements",
        {"party": foreign_party.pk, "title": "X", "status": "applies"},
    )
    assert response.status_code == 400
    assert response.json()["party"] == [
        f"No interested party {foreign_party.pk} in this organisation."
    ]
    assert not PartyRequirement.objects.exists()


def test_a_foreign_id_in_a_list_of_links_and_an_id_that_is_no_number_are_sentences(
    api_client, cast, foreign_party
):
    foreign = make_objective(cast, code="OBJ-09", org=cast.org_b)
    response = _post(
        api_client,
        cast.quinn,
        "party-requirements",
        {"party": "seven", "title": "X", "objectives": [foreign.pk], "status": "applies"},
    )
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["objectives"] == [f"No quality objective {foreign.pk} in this organisation."]
    assert body["party"] == ["Give the interested party as its id, a whole number."]
    assert "Invalid pk" not in response.content.decode()
    assert "Incorrect type" not in response.content.decode()


def test_a_foreign_unit_on_a_suggestion_is_refused_in_a_sentence(api_client, cast):
    their_unit = OrgUnit.objects.filter(organization=cast.org_b).first()
    response = _post(
        api_client, cast.carl, "suggestions", {"title": "X", "org_unit": their_unit.pk}
    )
    assert response.status_code == 400
    assert response.json()["org_unit"] == [f"No unit {their_unit.pk} in this organisation."]
