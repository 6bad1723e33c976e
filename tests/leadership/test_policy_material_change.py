"""A policy version that is a material change asks every member to acknowledge again; a
wording fix carries the acknowledgements of the version in force over."""

import pytest

from leadership.selectors.policy import acknowledgement_rates, has_acknowledged
from leadership.services import policy as s
from qms.core.models import Membership

pytestmark = pytest.mark.django_db


def _publish(policy, quinn, alice, text, material):
    version = s.policy_version_create_draft(
        policy=policy, membership=quinn, text=text, is_material_change=material
    )
    s.policy_version_submit(version=version, membership=quinn)
    s.policy_version_approve(version=version, approver=alice)
    return s.policy_version_publish(version=version, membership=quinn)


@pytest.mark.parametrize("material, carried", [(True, False), (False, True)])
def test_acknowledgements_carry_over_only_for_a_wording_change(cast, material, carried):
    quinn = Membership.objects.get(user=cast.quinn)
    alice = Membership.objects.get(user=cast.alice)
    carl = Membership.objects.get(user=cast.carl)
    policy = s.policy_get_or_create(organization=cast.org_a)
    first = _publish(policy, quinn, alice, "We deliver.", True)
    s.policy_acknowledge(version=first, membership=carl)
    second = _publish(policy, quinn, alice, "We deliver, on time.", material)
    assert has_acknowledged(second, carl) is carried
    total, _ = acknowledgement_rates(second)
    assert total.acknowledged == (1 if carried else 0)
