"""The demo organisation: one login per role, and running the seed twice changes nothing."""

import pytest
from django.core.management import call_command

from qms.core.models import Membership, Organization, OrgUnit
from qms.core.roles import Role

pytestmark = pytest.mark.django_db


def counts():
    return (Organization.objects.count(), OrgUnit.objects.count(), Membership.objects.count())


def test_seed_creates_acme_with_one_login_per_role():
    call_command("seed_demo")
    acme = Organization.objects.get(slug="acme")
    assert acme.name == "Acme Precision Ltd"
    assert OrgUnit.objects.filter(organization=acme, depth=2).count() == 3
    roles = set(Membership.objects.filter(organization=acme).values_list("role", flat=True))
    assert roles == set(Role.values)
    auditor = Membership.objects.get(organization=acme, user__username="auditor")
    assert auditor.access_expires_on is not None
    for username in ("executive", "quality", "contributor", "auditor", "admin"):
        membership = Membership.objects.get(organization=acme, user__username=username)
        assert membership.user.check_password("demo1234")


def test_seed_is_idempotent():
    call_command("seed_demo")
    first = counts()
    history = Membership.history.count()
    call_command("seed_demo")
    assert counts() == first
    assert Membership.history.count() == history


def test_seed_records_its_changes_in_the_audit_trail():
    call_command("seed_demo")
    membership = Membership.objects.get(user__username="executive", organization__slug="acme")
    assert membership.history.get().history_user.username == "admin"


def test_the_demo_logins_can_be_printed_last_without_seeding_again(db):
    """`make demo` prints the logins after the reminder run, where a newcomer sees them."""
    from io import StringIO

    from django.core.management import call_command

    from qms.core.models import Organization

    out = StringIO()
    call_command("seed_demo", "--logins-only", stdout=out)
    assert "executive" in out.getvalue() and "demo1234" in out.getvalue()
    assert not Organization.objects.exists()
