import pytest

from qms.core.models import Membership, OrgUnit


@pytest.fixture
def members(cast):
    """The cast's memberships in organisation A, by username."""
    return {
        m.user.username: m
        for m in Membership.objects.filter(organization=cast.org_a).select_related(
            "user", "organization"
        )
    }


@pytest.fixture
def units(cast):
    """Organisation A's units by code: A (the company) and A1 (Plant One, beneath it)."""
    return {u.code: u for u in OrgUnit.objects.filter(organization=cast.org_a)}


@pytest.fixture
def placed(members, units):
    """carl and quinn work at Plant One; alice and adam at the company level."""
    for name, code in (("carl", "A1"), ("quinn", "A1"), ("alice", "A"), ("adam", "A")):
        Membership.objects.filter(pk=members[name].pk).update(org_unit=units[code])
        members[name].refresh_from_db()
    return members
