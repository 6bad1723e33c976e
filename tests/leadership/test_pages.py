"""Leadership pages: roles, tenancy, bad input, the public policy page."""

import datetime

import pytest
from django.urls import reverse

from leadership.models import PolicyVersion, ResourceAllocation, ResponsibilityAssignment
from leadership.services import policy as s
from leadership.services import resources as rs
from leadership.services import responsibilities as resp
from qms.core.models import OrgUnit

pytestmark = pytest.mark.django_db

PAGES = ["policy", "responsibilities", "resources", "executives"]


def url(name, **kwargs):
    return reverse(f"leadership:{name}", kwargs={"org_slug": "acme-test", **kwargs})


@pytest.mark.parametrize("name", PAGES)
def test_every_member_reads_the_leadership_pages(client, cast, published, name):
    for user in (cast.alice, cast.carl, cast.audrey):
        client.force_login(user)
        assert client.get(url(name)).status_code == 200


@pytest.mark.parametrize("name", PAGES)
def test_another_organisation_gets_404(client, cast, published, name):
    client.force_login(cast.bob)
    assert client.get(url(name)).status_code == 404


def test_policy_page_shows_the_version_in_force_and_its_approval(client, cast, published):
    client.force_login(cast.carl)
    html = client.get(url("policy")).content.decode()
    assert "Version 1, in force since" in html and "Approved by Alice Test" in html
    assert "We satisfy customers." in html


def test_staff_acknowledge_with_one_click(client, cast, published):
    client.force_login(cast.carl)
    response = client.post(url("policy-acknowledge"), follow=True)
    assert "you acknowledged version 1" in response.content.decode()
    assert published.acknowledgements.get().membership.user == cast.carl


def test_html_in_the_policy_is_never_executed(client, cast, policy, members):
    version = s.policy_version_create_draft(
        policy=policy,
        membership=members["quinn"],
        text=(
            'Hello <script>alert("x")</script> <img src=x onerror=alert(1)> '
            "[link](javascript:alert(1))"
        ),
    )
    client.force_login(cast.quinn)
    html = client.get(url("policy-version", number=version.number)).content.decode()
    assert "<script>alert" not in html and "onerror" not in html and "javascript:" not in html


def test_executive_approves_on_the_page_and_a_contributor_cannot(client, cast, policy, members):
    version = s.policy_version_create_draft(policy=policy, membership=members["quinn"], text="Text")
    s.policy_version_submit(version=version, membership=members["quinn"])
    client.force_login(cast.carl)
    client.post(url("policy-approve", number=version.number), {"comment": "me too"})
    version.refresh_from_db()
    assert version.status == "submitted"
    client.force_login(cast.alice)
    client.post(url("policy-approve", number=version.number), {"comment": "Good"})
    version.refresh_from_db()
    assert version.status == "approved" and version.approval_comment == "Good"


def test_editing_an_approved_version_is_refused_on_the_page(client, cast, published):
    client.force_login(cast.quinn)
    response = client.post(url("policy-edit", number=1), {"text": "Changed"}, follow=True)
    assert "can no longer be edited" in response.content.decode()
    assert PolicyVersion.objects.get(number=1).text == "We satisfy customers."


def test_oversized_policy_text_is_refused(client, cast, policy, members):
    version = s.policy_version_create_draft(
        policy=policy, membership=members["quinn"], text="Short"
    )
    client.force_login(cast.quinn)
    response = client.post(url("policy-edit", number=version.number), {"text": "x" * 20_001})
    assert response.status_code == 400
    assert "at most 20000 characters" in response.content.decode()
    version.refresh_from_db()
    assert version.text == "Short"


def test_diff_page_compares_two_versions(client, cast, published, policy, members):
    s.policy_version_create_draft(
        policy=policy, membership=members["quinn"], text="We satisfy customers.\nAnd improve."
    )
    client.force_login(cast.audrey)
    html = client.get(url("policy-diff") + "?from=1&to=2").content.decode()
    assert "<ins>And improve.</ins>" in html
    assert client.get(url("policy-diff") + "?from=x&to=2").status_code == 404


def test_public_page_shows_only_the_published_policy(client, cast, published, policy, members):
    s.policy_version_create_draft(policy=policy, membership=members["quinn"], text="SECRET DRAFT")
    html = client.get(
        reverse("public-policy", kwargs={"public_slug": "acme-test"})
    ).content.decode()
    assert "We satisfy customers." in html
    assert "SECRET DRAFT" not in html
    for leak in ("Carl", "Plant One", "OBJ-", "Audit trail", "Sign out"):
        assert leak not in html
    assert (
        client.get(reverse("public-policy", kwargs={"public_slug": "beta-rival"})).status_code
        == 404
    )


def test_matrix_as_of_a_date(client, cast, members):
    resp.responsibilities_ensure_standard(organization=cast.org_a, actor=cast.quinn)
    from leadership.models import Responsibility

    r = Responsibility.objects.get(organization=cast.org_a, code="5.3c")
    old = resp.assignment_create(
        responsibility=r,
        membership=members["carl"],
        valid_from=datetime.date(2025, 1, 1),
        actor=cast.quinn,
    )
    resp.assignment_end(assignment=old, valid_to=datetime.date(2025, 6, 30), actor=cast.quinn)
    resp.assignment_create(
        responsibility=r,
        membership=members["quinn"],
        valid_from=datetime.date(2025, 7, 1),
        actor=cast.quinn,
    )
    client.force_login(cast.audrey)
    earlier = client.get(url("responsibilities"), {"date": "2025-03-01"}).content.decode()
    later = client.get(url("responsibilities"), {"date": "2025-08-01"}).content.decode()
    assert "Carl Test" in earlier and "Quinn Test" not in earlier
    assert "Quinn Test" in later and "Carl Test" not in later
    assert "Unassigned" in later  # the other four of 5.3


def test_only_editors_assign_and_foreign_members_are_refused(client, cast, members):
    resp.responsibilities_ensure_standard(organization=cast.org_a, actor=cast.quinn)
    from leadership.models import Responsibility
    from qms.core.models import Membership

    r = Responsibility.objects.get(organization=cast.org_a, code="5.3a")
    data = {"responsibility": r.id, "membership": members["carl"].id, "valid_from": "2026-01-01"}
    client.force_login(cast.carl)
    assert client.post(url("assign"), data).status_code == 403
    client.force_login(cast.quinn)
    bob = Membership.objects.get(user=cast.bob)
    client.post(url("assign"), {**data, "membership": bob.id})
    assert not ResponsibilityAssignment.objects.exists()
    client.post(url("assign"), {**data, "valid_to": "2025-01-01"})
    assert not ResponsibilityAssignment.objects.exists()
    client.post(url("assign"), data)
    assert ResponsibilityAssignment.objects.get().membership == members["carl"]


def allocation_data(cast, **overrides):
    data = {
        "kind": "budget",
        "title": "Gauges",
        "amount": "1200",
        "unit": "",
        "org_unit": OrgUnit.objects.get(organization=cast.org_a, code="A").id,
        "period_start": "2026-01-01",
        "period_end": "2026-12-31",
    }
    data.update(overrides)
    return data


def test_contributor_requests_and_an_executive_approves(client, cast, members):
    client.force_login(cast.carl)
    response = client.post(url("resource-new"), allocation_data(cast))
    assert response.status_code == 302
    allocation = ResourceAllocation.objects.get()
    assert allocation.unit == "GBP" and allocation.status == "requested"
    client.post(url("resource-decide", pk=allocation.pk), {"decision": "approve"})
    allocation.refresh_from_db()
    assert allocation.status == "requested"  # a contributor cannot approve, not even their own
    client.force_login(cast.alice)
    client.post(url("resource-decide", pk=allocation.pk), {"decision": "approve", "comment": "Go"})
    allocation.refresh_from_db()
    assert allocation.status == "approved" and allocation.decided_by == members["alice"]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"amount": "-5"}, "greater than or equal to 0.01"),
        ({"org_unit": ""}, "Say which objective or unit"),
        ({"period_end": "2025-01-01"}, "must end after it starts"),
        ({"kind": "people", "unit": ""}, "Say what the amount counts"),
        ({"amount": "1" * 20}, "no more than"),
    ],
)
def test_bad_resource_requests_are_refused(client, cast, overrides, message):
    client.force_login(cast.quinn)
    response = client.post(url("resource-new"), allocation_data(cast, **overrides))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ResourceAllocation.objects.exists()


def test_foreign_unit_is_refused(client, cast):
    client.force_login(cast.quinn)
    foreign = OrgUnit.objects.get(organization=cast.org_b).id
    assert (
        client.post(url("resource-new"), allocation_data(cast, org_unit=foreign)).status_code == 400
    )
    assert not ResourceAllocation.objects.exists()


def test_auditor_cannot_request_and_another_org_cannot_see(client, cast, members):
    allocation = rs.allocation_request(
        membership=members["carl"],
        kind="budget",
        title="X",
        org_unit=OrgUnit.objects.get(organization=cast.org_a, code="A"),
        amount=10,
        unit="",
        period_start=datetime.date(2026, 1, 1),
        period_end=datetime.date(2026, 2, 1),
    )
    client.force_login(cast.audrey)
    assert client.get(url("resource-new")).status_code == 403
    client.force_login(cast.bob)
    assert client.get(url("resource-detail", pk=allocation.pk)).status_code == 404


def test_spend_only_against_approved_allocations(client, cast, members):
    allocation = rs.allocation_request(
        membership=members["carl"],
        kind="budget",
        title="X",
        org_unit=OrgUnit.objects.get(organization=cast.org_a, code="A"),
        amount=100,
        unit="",
        period_start=datetime.date(2026, 1, 1),
        period_end=datetime.date(2026, 2, 1),
    )
    client.force_login(cast.quinn)
    client.post(url("resource-spend", pk=allocation.pk), {"date": "2026-01-15", "amount": "40"})
    assert not allocation.spends.exists()
    rs.allocation_decide(allocation=allocation, approver=members["alice"], approve=True)
    client.post(url("resource-spend", pk=allocation.pk), {"date": "2026-01-15", "amount": "40"})
    html = client.get(url("resources")).content.decode()
    assert allocation.spends.get().amount == 40
    assert "Spent</span> <strong>40</strong>" in html


def test_executive_page_lists_their_approvals(client, cast, published, members):
    client.force_login(cast.carl)
    html = client.get(url("executive-detail", pk=members["alice"].pk)).content.decode()
    assert "Version 1" in html
    assert client.get(url("executive-detail", pk=members["carl"].pk)).status_code == 404


def test_home_asks_staff_to_acknowledge_the_policy_until_they_have(client, cast, published):
    client.force_login(cast.carl)
    home = client.get("/o/acme-test/").content.decode()
    assert "Not yet acknowledged" in home
    client.post(url("policy-acknowledge"))
    home = client.get("/o/acme-test/").content.decode()
    assert "Not yet acknowledged" not in home
    assert "You read it on" in home


def test_home_shows_executives_the_decisions_waiting_for_them(client, cast, policy, members):
    from leadership.services import policy as policy_services

    version = policy_services.policy_version_create_draft(
        policy=policy, membership=members["quinn"], text="We satisfy customers."
    )
    policy_services.policy_version_submit(version=version, membership=members["quinn"])
    client.force_login(cast.alice)
    assert "1 policy version to approve" in client.get("/o/acme-test/").content.decode()
    client.force_login(cast.carl)
    assert "policy version to approve" not in client.get("/o/acme-test/").content.decode()
