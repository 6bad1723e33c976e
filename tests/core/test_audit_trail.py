"""Every change to a core record is in the audit trail: who, when, before and after."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from qms.core import audit, services
from qms.core.models import Membership
from qms.core.roles import Role
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_role_change_records_who_when_before_and_after(cast):
    membership = Membership.objects.get(user=cast.carl)
    services.membership_update(
        membership=membership, actor=cast.adam, role=Role.QUALITY_MANAGER, reason="Promotion"
    )
    latest = audit.record_history(membership)[0]
    assert latest.who == cast.adam.get_full_name()
    assert latest.action == "changed"
    assert latest.reason == "Promotion"
    assert [(c.field, c.before, c.after) for c in latest.changes] == [
        ("role", Role.CONTRIBUTOR.label, Role.QUALITY_MANAGER.label)  # labels, for people
    ]


def test_history_lists_creation_then_changes_newest_first(cast):
    membership = services.membership_create(
        organization=cast.org_a,
        user=UserFactory(username="newbie"),
        role=Role.CONTRIBUTOR,
        actor=cast.adam,
    )
    services.membership_update(membership=membership, actor=cast.adam, job_title="Inspector")
    history = audit.record_history(membership)
    assert [entry.action for entry in history] == ["changed", "created"]
    assert history[0].changes[0].after == "Inspector"


def test_unknown_fields_cannot_be_changed_and_nothing_is_written(cast):
    membership = Membership.objects.get(user=cast.carl)
    before = membership.history.count()
    with pytest.raises(ValueError, match="Cannot change organization"):
        services.membership_update(membership=membership, actor=cast.adam, organization=cast.org_b)
    assert membership.history.count() == before


def test_invalid_change_is_refused_and_leaves_no_trace(cast):
    from django.core.exceptions import ValidationError

    membership = Membership.objects.get(user=cast.carl)
    before = membership.history.count()
    with pytest.raises(ValidationError):
        services.membership_update(membership=membership, actor=cast.adam, role="emperor")
    membership.refresh_from_db()
    assert membership.role == Role.CONTRIBUTOR
    assert membership.history.count() == before


def test_organisation_trail_shows_only_that_organisations_changes(cast):
    services.membership_update(
        membership=Membership.objects.get(user=cast.bob), actor=cast.bob, job_title="Secret plan"
    )
    entries = audit.organization_trail(cast.org_a.id, limit=200)
    assert entries, "organisation A has changes"
    assert all("bob" not in e.object_repr.lower() for e in entries)
    assert all("Beta" not in e.object_repr for e in entries)
    b_entries = audit.organization_trail(cast.org_b.id, limit=200)
    assert any("Bob" in e.object_repr for e in b_entries)


def test_trail_pages_follow_a_time_cursor_without_repeats(cast):
    for i in range(7):
        services.membership_update(
            membership=Membership.objects.get(user=cast.carl), actor=cast.adam, job_title=f"T{i}"
        )
    first = audit.organization_trail(cast.org_a.id, limit=5)
    second = audit.organization_trail(cast.org_a.id, limit=5, before=first[-1].when)
    assert len(first) == 5
    assert {e.history_id for e in first}.isdisjoint({e.history_id for e in second})
    assert all(e.when < first[-1].when for e in second)


def test_trail_page_query_count_does_not_grow_with_the_trail(client, cast):
    def add_changes(prefix, n):
        for i in range(n):
            services.membership_create(
                organization=cast.org_a,
                user=UserFactory(username=f"{prefix}{i}"),
                role=Role.CONTRIBUTOR,
                actor=cast.adam,
            )
            services.org_unit_create(
                organization=cast.org_a, name=f"{prefix} unit {i}", actor=cast.quinn
            )

    client.force_login(cast.quinn)
    url = reverse("core:audit-trail", kwargs={"org_slug": "acme-test"})
    add_changes("a", 15)  # a full page, with changes by several people to several kinds of record
    client.get(url)  # the first visit also stores the current organisation in the session
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    add_changes("b", 60)
    with CaptureQueriesContext(connection) as large:
        response = client.get(url)
    assert response.status_code == 200
    assert len(large) == len(small)


def test_audit_trail_page_shows_the_change(client, cast):
    services.membership_update(
        membership=Membership.objects.get(user=cast.carl),
        actor=cast.adam,
        access_expires_on=None,
        job_title="Shift lead",
        reason="Reorganisation",
    )
    client.force_login(cast.audrey)
    html = client.get(
        reverse("core:audit-trail", kwargs={"org_slug": "acme-test"})
    ).content.decode()
    assert "Reorganisation" in html
    assert "Membership changed" in html


def test_members_page_query_count_is_constant(client, cast):
    client.force_login(cast.alice)
    url = reverse("core:members", kwargs={"org_slug": "acme-test"})
    client.get(url)  # the first visit also stores the current organisation in the session
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for i in range(30):
        MembershipFactory(
            user=UserFactory(username=f"m{i}"),
            organization=cast.org_a,
            role=Role.AUDITOR,
            access_expires_on=datetime.date(2030, 1, 1),
        )
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)


def test_a_kpi_value_is_named_in_the_trail_as_each_version_read(client, cast):
    """Found by the try-out: a value entered as 1 and corrected to 2 read "OBJ-09 2026-08-31:
    2 items" on both lines, "created" included, with an ISO date. Each line now names the
    value as that version read, and the period as people say it; the page's query count does
    not grow with the number of values on it."""
    from decimal import Decimal

    from objectives.periods import month_end
    from objectives.services import measurement_record
    from tests.objectives.factories import make_objective

    objective = make_objective(
        cast, code="OBJ-09", direction="lower", baseline=Decimal(9), target=Decimal(5),
        amber_threshold=Decimal(6), red_threshold=Decimal(20), decimal_places=0,
    )  # fmt: skip
    objective.unit = "items"  # the factory's `unit` is the organisation unit
    objective.save(update_fields=["unit"])
    august = datetime.date(2026, 8, 31)
    measurement_record(objective=objective, period_end=august, value=Decimal(1), actor=cast.quinn)
    measurement_record(
        objective=objective, period_end=august, value=Decimal(2), actor=cast.quinn,
        reason="Recount",
    )  # fmt: skip
    lines = [
        (e.action, e.object_repr)
        for e in audit.organization_trail(cast.org_a.pk, limit=50)
        if e.model_label == "measurement"
    ]
    assert lines == [
        ("changed", "OBJ-09 August 2026: 2 items"),
        ("created", "OBJ-09 August 2026: 1 item"),
    ]
    client.force_login(cast.quinn)
    url = reverse("core:audit-trail", args=[cast.org_a.slug])
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for month in (9, 10, 11):
        measurement_record(
            objective=objective, period_end=month_end(datetime.date(2026, month, 1)),
            value=Decimal(month), actor=cast.quinn,
        )  # fmt: skip
    with CaptureQueriesContext(connection) as more:
        page = client.get(url).content.decode()
    assert "OBJ-09 August 2026: 1 item" in page
    assert len(more.captured_queries) == len(few.captured_queries)
