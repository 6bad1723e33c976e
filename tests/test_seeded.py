"""The demo written back for tests (tests/seeded.py) is the database seeding leaves: if it were
not, every test that reads the demo would be testing something a user never sees."""

import pytest
from django.db import transaction

from qms.core import services
from qms.core.demo import seed_demo
from qms.core.models import OrgUnit
from tests.seeded import _rows, seeded_demo

pytestmark = pytest.mark.django_db


def _counts(rows):
    return {table: len(found) for table, found in rows.items() if found}


def _written(make):
    """What `make()` leaves in the database, then rolled back."""
    with transaction.atomic():
        context = make()
        rows, _ = _rows()
        transaction.set_rollback(True)
    return context, rows


def test_the_demo_written_back_is_the_demo_seeding_leaves():
    _, seeded = _written(seed_demo)
    _, first = _written(seeded_demo)  # seeds and records, or writes back an earlier recording
    context, again = _written(seeded_demo)  # writes back
    # The same rows in every table (in whatever order the database returns them).
    assert {t: sorted(rows, key=repr) for t, rows in again.items()} == {
        t: sorted(rows, key=repr) for t, rows in first.items()
    }
    # A real seeding differs only in its time stamps: the same rows in every table.
    assert _counts(again) == _counts(seeded)
    assert context.organization.slug == "acme"
    assert set(context.units) == {"ACME", "SHF", "LDS", "CUS"}
    assert context.members["executive"].user.first_name == "Eleanor"
    assert context.units["SHF"].path.startswith(context.units["ACME"].path)


def test_the_demo_written_back_can_be_changed_and_numbered_on(django_user_model):
    """Rows written with their ids leave the database's own numbering past them."""
    context = seeded_demo()
    highest = OrgUnit.objects.order_by("-pk").first().pk
    child = services.org_unit_create(
        organization=context.organization,
        name="Cell 7",
        kind=OrgUnit.Kind.TEAM,
        code="C7",
        parent=context.units["SHF"],
        actor=context.members["admin"].user,
    )
    assert child.pk > highest
    assert django_user_model.objects.create(username="someone-new").pk
