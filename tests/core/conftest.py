"""Fixtures for the core's tests: the cast's memberships and a quick way to raise actions."""

import datetime

import pytest
from django.utils import timezone

from qms.core.actions import services
from qms.core.models import Membership


@pytest.fixture
def members(cast):
    """The cast's memberships in organisation A (and bob's in B), by username."""
    return {m.user.username: m for m in Membership.objects.select_related("user", "organization")}


@pytest.fixture
def raise_action(members):
    """raise_action(**overrides): an action raised by quinn in organisation A, owned by carl,
    accountable alice, due in 30 days."""

    def make(**overrides):
        fields = {
            "organization": members["quinn"].organization,
            "raised_by": members["quinn"],
            "title": "Recalibrate the CMM",
            "owner": members["carl"],
            "accountable_executive": members["alice"],
            "due_date": timezone.localdate() + datetime.timedelta(days=30),
        }
        fields.update(overrides)
        return services.action_create(**fields)

    return make
