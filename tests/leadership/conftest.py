import pytest

from leadership.services import policy as policy_services
from qms.core.models import Membership


@pytest.fixture
def members(cast):
    """The cast's memberships in organisation A, by first name."""
    return {
        m.user.username: m
        for m in Membership.objects.filter(organization=cast.org_a).select_related("user")
    }


@pytest.fixture
def policy(cast):
    return policy_services.policy_get_or_create(organization=cast.org_a, actor=cast.quinn)


@pytest.fixture
def published(policy, members):
    """Version 1, drafted by quinn, approved by alice, published."""
    s = policy_services
    version = s.policy_version_create_draft(
        policy=policy, membership=members["quinn"], text="We satisfy customers."
    )
    s.policy_version_submit(version=version, membership=members["quinn"])
    s.policy_version_approve(version=version, approver=members["alice"], comment="Agreed")
    return s.policy_version_publish(version=version, membership=members["quinn"])
