import pytest

from qms.core.models import Membership


@pytest.fixture
def members(cast):
    """The cast's memberships in organisation A, by username."""
    return {
        m.user.username: m
        for m in Membership.objects.filter(organization=cast.org_a).select_related("user")
    }
