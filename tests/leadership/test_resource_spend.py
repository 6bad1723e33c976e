"""Recording spend against an approved resource allocation: only its requester, the owner of
its objective and quality managers may (page and API alike); spend beyond the approved amount
needs a reason, is flagged on the allocation and told to the executive who approved it."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from leadership.models import ResourceSpend
from leadership.services import resources as rs
from qms.core.models import Membership, OrgUnit
from qms.core.notifications.models import Notification
from qms.core.roles import Role
from tests.factories import MembershipFactory, UserFactory
from tests.objectives.factories import make_objective

pytestmark = pytest.mark.django_db

SPEND = {"date": "2026-02-01", "amount": "100"}


def _member(org, username, role=Role.CONTRIBUTOR):
    user = UserFactory(username=username, first_name=username.capitalize(), last_name="Test")
    return MembershipFactory(user=user, organization=org, role=role)


@pytest.fixture
def people(cast):
    """rita requested the allocation, for carl's objective; cora is another contributor."""
    by_name = {m.user.username: m for m in Membership.objects.filter(organization=cast.org_a)}
    by_name["rita"] = _member(cast.org_a, "rita")
    by_name["cora"] = _member(cast.org_a, "cora")
    by_name["bob"] = Membership.objects.get(user=cast.bob)
    return by_name


@pytest.fixture
def allocation(cast, people):
    """1,000 GBP for OBJ-01 (owned by carl), requested by rita, approved by alice."""
    objective = make_objective(cast, code="OBJ-01", owner=people["carl"])
    requested = rs.allocation_request(
        membership=people["rita"], kind="budget", title="Gauges", objective=objective,
        amount=Decimal("1000"), unit="GBP", period_start=datetime.date(2026, 1, 1),
        period_end=datetime.date(2026, 12, 31),
    )  # fmt: skip
    return rs.allocation_decide(allocation=requested, approver=people["alice"], approve=True)


def page(allocation, name="resource-spend"):
    return reverse(f"leadership:{name}", kwargs={"org_slug": "acme-test", "pk": allocation.pk})


def api(allocation, name="resource-allocation-spend"):
    return reverse(name, kwargs={"org_slug": "acme-test", "pk": allocation.pk})


ALLOWED = ["rita", "carl", "quinn"]  # requester, objective owner, quality manager
REFUSED = ["cora", "alice", "adam", "audrey"]  # another contributor, the approver, admin, auditor


@pytest.mark.parametrize("who", ALLOWED)
def test_the_requester_the_objective_owner_and_a_quality_manager_record_spend_on_the_page(
    client, people, allocation, who
):
    client.force_login(people[who].user)
    response = client.post(page(allocation), {**SPEND, "note": "Invoice 7"})
    assert response.status_code == 302
    spend = allocation.spends.get()
    assert (spend.amount, spend.note, spend.recorded_by) == (Decimal("100"), "Invoice 7",
                                                             people[who].user)  # fmt: skip


@pytest.mark.parametrize("who", REFUSED)
def test_anyone_else_is_refused_on_the_page_and_nothing_is_recorded(
    client, people, allocation, who
):
    client.force_login(people[who].user)
    assert client.post(page(allocation), SPEND).status_code == 403
    assert client.post(page(allocation), {"amount": "not a number"}).status_code == 403
    assert not ResourceSpend.objects.exists()
    detail = client.get(page(allocation, "resource-detail")).content.decode()
    assert "Reason for spending more than approved" not in detail  # no form offered


@pytest.mark.parametrize("who", ALLOWED)
def test_the_same_people_record_spend_through_the_api(api_client, people, allocation, who):
    api_client.force_authenticate(people[who].user)
    response = api_client.post(api(allocation), SPEND, format="json")
    assert response.status_code == 201
    assert [row["amount"] for row in response.json()] == ["100.00"]


@pytest.mark.parametrize("who", REFUSED)
def test_anyone_else_is_refused_by_the_api_before_the_input_is_read(
    api_client, people, allocation, who
):
    api_client.force_authenticate(people[who].user)
    assert api_client.post(api(allocation), SPEND, format="json").status_code == 403
    assert api_client.post(api(allocation), {"amount": "x"}, format="json").status_code == 403
    assert not ResourceSpend.objects.exists()


def test_another_organisation_gets_404_on_the_page_and_the_api(
    client, api_client, people, allocation
):
    client.force_login(people["bob"].user)
    assert client.post(page(allocation), SPEND).status_code == 404
    api_client.force_authenticate(people["bob"].user)
    assert api_client.post(api(allocation), SPEND, format="json").status_code == 404
    assert not ResourceSpend.objects.exists()


def test_the_service_itself_refuses_a_contributor_who_is_neither(people, allocation):
    from qms.core.immutable import NotAllowed

    with pytest.raises(NotAllowed, match="requested this allocation"):
        rs.spend_record(allocation=allocation, membership=people["cora"],
                        date=datetime.date(2026, 2, 1), amount=Decimal("5"))  # fmt: skip
    assert not ResourceSpend.objects.exists()


def test_for_a_unit_there_is_no_objective_owner_to_let_through(client, cast, people):
    requested = rs.allocation_request(
        membership=people["rita"], kind="budget", title="Bench", amount=Decimal("50"),
        org_unit=OrgUnit.objects.get(organization=cast.org_a, code="A"), unit="GBP",
        period_start=datetime.date(2026, 1, 1), period_end=datetime.date(2026, 12, 31),
    )  # fmt: skip
    allocation = rs.allocation_decide(allocation=requested, approver=people["alice"], approve=True)
    client.force_login(people["carl"].user)
    assert client.post(page(allocation), SPEND | {"amount": "10"}).status_code == 403
    client.force_login(people["rita"].user)
    assert client.post(page(allocation), SPEND | {"amount": "10"}).status_code == 302


@pytest.fixture
def mostly_spent(people, allocation):
    rs.spend_record(allocation=allocation, membership=people["quinn"],
                    date=datetime.date(2026, 1, 15), amount=Decimal("800"))  # fmt: skip
    return allocation


def _overspent_notifications():
    return Notification.objects.filter(kind=rs.OVERSPENT_KIND)


def test_spend_beyond_the_approved_amount_without_a_reason_is_refused_and_changes_nothing(
    client, people, mostly_spent
):
    client.force_login(people["rita"].user)
    response = client.post(page(mostly_spent), {**SPEND, "amount": "300"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "This brings spend to 1,100 GBP, beyond the 1,000 GBP approved" in html
    assert 'value="300"' in html  # what was typed stays in the form
    assert mostly_spent.spends.count() == 1
    assert not _overspent_notifications().exists()
    detail = client.get(page(mostly_spent, "resource-detail")).content.decode()
    assert "Over approved amount" not in detail


def test_the_api_refuses_it_too_with_the_field_named(api_client, people, mostly_spent):
    api_client.force_authenticate(people["carl"].user)
    body = {**SPEND, "amount": "300", "over_reason": "   "}
    response = api_client.post(api(mostly_spent), body, format="json")
    assert response.status_code == 400
    assert "beyond the 1,000 GBP approved" in response.json()["over_reason"][0]
    assert mostly_spent.spends.count() == 1


def test_spend_beyond_the_approved_amount_with_a_reason_is_recorded_flagged_and_told(
    client, people, mostly_spent
):
    client.force_login(people["rita"].user)
    body = {**SPEND, "amount": "300", "over_reason": "Supplier raised prices"}
    response = client.post(page(mostly_spent), body)
    assert response.status_code == 302
    spend = mostly_spent.spends.get(amount=Decimal("300"))
    assert spend.over_reason == "Supplier raised prices"
    (told,) = _overspent_notifications()
    assert told.recipient == people["alice"]  # the executive who approved it
    assert "1,100 GBP of the 1,000 GBP you approved" in told.body
    assert "Supplier raised prices" in told.body
    assert told.url == page(mostly_spent, "resource-detail")
    detail = client.get(page(mostly_spent, "resource-detail")).content.decode()
    assert "Over approved amount" in detail and "Supplier raised prices" in detail
    listing = client.get(reverse("leadership:resources", args=["acme-test"])).content.decode()
    assert "Over approved amount" in listing


def test_the_api_records_it_with_a_reason_and_shows_the_allocation_over(
    api_client, people, mostly_spent
):
    api_client.force_authenticate(people["quinn"].user)
    body = {**SPEND, "amount": "300.01", "over_reason": "Rush order"}
    response = api_client.post(api(mostly_spent), body, format="json")
    assert response.status_code == 201
    detail = api_client.get(api(mostly_spent, "resource-allocation-detail")).json()
    assert (detail["spent"], detail["over_approved"]) == ("1100.01", True)
    assert _overspent_notifications().get().recipient == people["alice"]


def test_spend_up_to_the_approved_amount_needs_no_reason_and_tells_nobody(
    client, people, mostly_spent
):
    client.force_login(people["carl"].user)
    response = client.post(page(mostly_spent), {**SPEND, "amount": "200",
                                                "over_reason": "not needed"})  # fmt: skip
    assert response.status_code == 302
    assert mostly_spent.spends.get(amount=Decimal("200")).over_reason == ""
    assert not _overspent_notifications().exists()
    assert (
        "Over approved amount"
        not in client.get(page(mostly_spent, "resource-detail")).content.decode()
    )


@pytest.mark.parametrize(
    "bad", [{"amount": "0"}, {"amount": "abc"}, {"amount": "-5"}, {"date": ""},
            {"date": "2026-02-30"}, {"note": "x" * 301}, {"over_reason": "x" * 501}],
)  # fmt: skip
def test_malformed_spend_is_a_form_error_and_changes_nothing(client, people, allocation, bad):
    client.force_login(people["rita"].user)
    response = client.post(page(allocation), {**SPEND, **bad})
    assert response.status_code == 400
    assert not ResourceSpend.objects.exists()


@pytest.mark.parametrize(
    "day,says",
    [
        ("2099-12-01", "not for a future date"),
        ("2025-12-31", "outside this allocation"),
    ],
)
def test_spend_dated_in_the_future_or_outside_the_period_is_refused(
    client, api_client, people, allocation, day, says
):
    """Found by the try-out: a spend dated 2099 on a 2026 allocation was recorded, and listed
    first."""
    import time_machine

    with time_machine.travel(datetime.date(2026, 12, 3)):
        client.force_login(people["rita"].user)
        response = client.post(page(allocation), {**SPEND, "date": day})
        assert response.status_code == 400 and says in response.content.decode()
        api_client.force_authenticate(people["rita"].user)
        url = f"/api/v1/organizations/acme-test/resource-allocations/{allocation.pk}/spend/"
        refused = api_client.post(url, {**SPEND, "date": day}, format="json")
        assert refused.status_code == 400 and says in str(refused.json())
    assert not ResourceSpend.objects.exists()
