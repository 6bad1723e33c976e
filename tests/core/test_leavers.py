"""A member leaves: the administrator sees everything still open in their name, hands it all
over (or the deactivation is refused), and the leaver can no longer open the organisation while
their records and history keep their name (issue 22, people)."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from leadership.communication.models import CommunicationPlanItem
from leadership.engagement.models import Milestone
from leadership.models import Process, Risk
from leadership.services.responsibilities import assignment_create, responsibility_create
from objectives.models import ActionStep
from qms.core import services
from qms.core.actions import services as action_services
from qms.core.actions.models import Action
from qms.core.handover import open_items
from qms.core.models import Membership
from qms.core.registers.definition import get_register
from qms.core.registers.services import record_create
from qms.core.roles import Role
from reviews.services.management_reviews import review_plan
from tests.factories import MembershipFactory, UserFactory
from tests.objectives.factories import make_objective
from tests.page_forms import edit_form
from tests.reviews.factories import make_nc

pytestmark = pytest.mark.django_db


def _browser(user) -> Client:
    browser = Client()
    browser.force_login(user)
    return browser


def _m(cast, user) -> Membership:
    return Membership.objects.get(user=user, organization=cast.org_a)


@pytest.fixture
def leo(cast):
    """An executive of organisation A (also a member of B) with one open record of every kind
    that must be handed over, and a closed action that must keep his name."""
    user = UserFactory(username="leo", first_name="Leo", last_name="Leaver")
    leo = MembershipFactory(user=user, organization=cast.org_a, role=Role.EXECUTIVE)
    MembershipFactory(user=user, organization=cast.org_b, role=Role.CONTRIBUTOR)
    quinn = _m(cast, cast.quinn)
    today = timezone.localdate()
    due = today + datetime.timedelta(days=30)

    def action(title, **people):
        fields = {"owner": _m(cast, cast.carl), "accountable_executive": _m(cast, cast.alice)}
        fields.update(people)
        return action_services.action_create(
            organization=cast.org_a, raised_by=quinn, title=title, due_date=due, **fields
        )

    action("Leo's own action", owner=leo)
    action("Leo answers for this", accountable_executive=leo)
    done = action("Leo's finished action", owner=leo)
    action_services.action_close(action=done, actor=leo, note="Done.")
    alice, carl = _m(cast, cast.alice), _m(cast, cast.carl)
    objective = make_objective(cast, code="OBJ-11", owner=leo, accountable_executive=alice)
    make_objective(cast, code="OBJ-12", owner=carl, accountable_executive=leo)
    ActionStep.objects.create(
        organization=cast.org_a, objective=objective, what="Train the night shift",
        responsible=leo, due_date=due,
    )  # fmt: skip
    record_create(
        register=get_register("risks"),
        membership=quinn,
        record=Risk(title="Supplier capacity", likelihood=3, impact=4, identified_on=today,
                    owner=leo),
    )  # fmt: skip
    record_create(
        register=get_register("processes"),
        membership=quinn,
        record=Process(title="Goods-in inspection", owner=leo),
    )
    make_nc(cast, title="Burr on bracket", owner=leo)
    CommunicationPlanItem.objects.create(
        organization=cast.org_a, topic="Quarterly results briefing", starts_on=today,
        channel="meeting", communicator=leo,
    )  # fmt: skip
    Milestone.objects.create(
        organization=cast.org_a, kind="target_reached", key="obj-11-target",
        title="OBJ-11 reached its target", period_end=today, executive=leo,
    )  # fmt: skip
    review_plan(membership=quinn, planned_on=due, title="Q3 management review", chair=leo)
    responsibility = responsibility_create(
        organization=cast.org_a, actor=cast.quinn, code="R-01", title="Reports QMS performance"
    )
    assignment_create(
        responsibility=responsibility,
        membership=leo,
        valid_from=today - datetime.timedelta(days=100),
        actor=cast.quinn,
    )
    return leo


EVERY_TITLE = [
    "Leo&#x27;s own action",
    "Leo answers for this",
    "OBJ-11 Objective OBJ-11",
    "OBJ-12 Objective OBJ-12",
    "OBJ-11: Train the night shift",
    "Supplier capacity",
    "Goods-in inspection",
    "Burr on bracket",
    "Quarterly results briefing",
    "OBJ-11 reached its target",
    "Q3 management review planned for",
    "R-01 Reports QMS performance",
]


def _deactivate_url(cast, membership) -> str:
    return reverse("core:member-deactivate", args=[cast.org_a.slug, membership.pk])


def _post(browser, url, **choices):
    """Post the deactivation page as shown, with these choices."""
    page = browser.get(url)
    data = edit_form(page.content, marker="shown")
    data.update({k: [str(v)] for k, v in choices.items()})
    return browser.post(url, data)


def test_deactivation_lists_everything_still_open(cast, leo):
    page = _browser(cast.adam).get(_deactivate_url(cast, leo)).content.decode()
    for title in EVERY_TITLE:
        assert title in page
    assert "Still open in Leo Leaver's name (12)" in page
    assert "Leo&#x27;s finished action" not in page  # closed: stays his


def test_deactivation_is_refused_while_something_is_left_without_a_holder(cast, leo):
    response = _post(_browser(cast.adam), _deactivate_url(cast, leo))

    assert response.status_code == 400
    page = response.content.decode()
    assert "Leo Leaver was not deactivated: 12 things need attention first." in page
    assert "Owner of action ACT-0001 Leo&#x27;s own action needs a new holder." in page
    leo.refresh_from_db()
    assert leo.is_active
    assert len(open_items(leo)) == 12


def test_an_executive_item_is_not_given_to_a_non_executive(cast, leo):
    response = _post(
        _browser(cast.adam), _deactivate_url(cast, leo), give_all_to=_m(cast, cast.quinn).pk
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert "4 things need attention first" in page  # the items an executive must take
    assert "Chair of management review Q3 management review" in page
    assert Action.objects.filter(owner=leo, status="open").exists()  # nothing moved


def test_deactivation_hands_everything_over_and_ends_the_membership(cast, leo):
    quinn, alice = _m(cast, cast.quinn), _m(cast, cast.alice)
    browser = _browser(cast.adam)
    url = _deactivate_url(cast, leo)
    # Everything to Quinn, and what needs an executive to Alice, item by item.
    page = browser.get(url)
    data = edit_form(page.content, marker="shown")
    data["give_all_to"] = [str(quinn.pk)]
    for item in open_items(leo):
        if item.holder_roles:
            data[f"item_{item.ref.replace(':', '_')}"] = [str(alice.pk)]

    response = browser.post(url, data)

    assert response.status_code == 302
    leo.refresh_from_db()
    assert not leo.is_active
    assert open_items(leo) == []
    assert Action.objects.get(title="Leo's own action").owner == quinn
    assert Action.objects.get(title="Leo answers for this").accountable_executive == alice
    # His closed record keeps his name; his past responsibility too, ended yesterday.
    assert Action.objects.get(title="Leo's finished action").owner == leo
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    assert leo.responsibilities.get().valid_to == yesterday
    risk = Risk.objects.get(title="Supplier capacity")
    assert risk.owner == quinn
    assert risk.history.first().history_change_reason == "Handed over from Leo Leaver (leaving)"
    assert risk.history.first().history_user == cast.adam
    assert leo.history.first().history_change_reason == "Deactivated: left the organisation"
    # He no longer appears among the people who may own records.
    assert leo not in Membership.objects.for_organization(cast.org_a).assignable()
    message = browser.get(reverse("core:member", args=[cast.org_a.slug, leo.pk])).content.decode()
    assert (
        "Leo Leaver was deactivated and can no longer open Acme Test Ltd. "
        "12 open records were handed over." in message
    )


def test_a_deactivated_member_is_refused_with_a_sentence_and_keeps_other_organisations(cast, leo):
    services.membership_deactivate(
        membership=leo, actor=_m(cast, cast.adam), give_all_to=_m(cast, cast.alice)
    )
    browser = _browser(leo.user)

    page = browser.get(reverse("core:org-home", args=[cast.org_a.slug]))
    assert page.status_code == 403
    assert "Your membership of Acme Test Ltd has been ended by its administrator" in (
        page.content.decode()
    )
    api = browser.get(f"/api/v1/organizations/{cast.org_a.slug}/actions/")
    assert api.status_code == 403
    assert "Your membership of Acme Test Ltd has been ended" in api.json()["detail"]
    assert browser.get(reverse("core:org-home", args=[cast.org_b.slug])).status_code == 200


def test_signing_in_with_every_membership_ended_says_so(cast):
    carl = _m(cast, cast.carl)
    services.membership_deactivate(membership=carl, actor=_m(cast, cast.adam))
    browser = Client()
    browser.post(reverse("login"), {"username": "carl", "password": "correct-horse-battery"})
    page = browser.get("/", follow=True)
    assert page.status_code == 403
    assert "Your membership of Acme Test Ltd has been ended by its administrator" in (
        page.content.decode()
    )


def test_the_last_administrator_cannot_be_deactivated(cast):
    adam = _m(cast, cast.adam)
    # Nothing is open in his name: the page's form holds no field.
    response = _browser(cast.adam).post(_deactivate_url(cast, adam), {})
    assert response.status_code == 400
    assert "You are the last administrator of Acme Test Ltd" in response.content.decode()
    adam.refresh_from_db()
    assert adam.is_active


def test_a_list_that_changed_since_the_page_was_opened_is_shown_again(cast):
    carl = _m(cast, cast.carl)
    browser = _browser(cast.adam)
    url = _deactivate_url(cast, carl)
    assert "has nothing open in their name" in browser.get(url).content.decode()
    data = {}  # what the page showed: no field
    # Meanwhile, Carl is given an action.
    action_services.action_create(
        organization=cast.org_a, raised_by=_m(cast, cast.quinn), title="New work",
        owner=carl, accountable_executive=_m(cast, cast.alice),
        due_date=timezone.localdate() + datetime.timedelta(days=3),
    )  # fmt: skip
    data["give_all_to"] = [str(_m(cast, cast.quinn).pk)]

    response = browser.post(url, data)

    assert response.status_code == 400
    assert "changed since you opened this page" in response.content.decode()
    carl.refresh_from_db()
    assert carl.is_active


def test_reactivation_is_audited(cast):
    carl = _m(cast, cast.carl)
    services.membership_deactivate(membership=carl, actor=_m(cast, cast.adam))
    browser = _browser(cast.adam)

    response = browser.post(reverse("core:member-reactivate", args=[cast.org_a.slug, carl.pk]))

    assert response.status_code == 302
    carl.refresh_from_db()
    assert carl.is_active
    assert carl.history.first().history_change_reason == "Reactivated by an administrator"
    assert (
        _browser(cast.carl).get(reverse("core:org-home", args=[cast.org_a.slug])).status_code == 200
    )


def test_a_member_waiting_for_a_role_is_not_told_they_left_and_can_be_let_in(cast):
    """A new SSO user's membership is inactive until an administrator acts: not a leaver."""
    user = UserFactory(username="sso.new", first_name="Sam", last_name="New")
    waiting = MembershipFactory(user=user, organization=cast.org_a, is_active=False)
    browser = _browser(user)
    assert browser.get(reverse("core:org-home", args=[cast.org_a.slug])).status_code == 404
    assert "not a member of any organisation yet" in browser.get("/").content.decode()

    admin = _browser(cast.adam)
    people = reverse("core:members", args=[cast.org_a.slug])
    assert "Sam New" in admin.get(people, {"status": "left"}).content.decode()
    page = admin.get(reverse("core:member", args=[cast.org_a.slug, waiting.pk])).content.decode()
    assert "Waiting for a role" in page
    admin.post(reverse("core:member-reactivate", args=[cast.org_a.slug, waiting.pk]))

    assert browser.get(reverse("core:org-home", args=[cast.org_a.slug])).status_code == 200
    waiting.refresh_from_db()
    assert waiting.history.first().history_change_reason == "Activated by an administrator"


def test_the_history_says_yes_and_no(cast):
    carl = _m(cast, cast.carl)
    services.membership_deactivate(membership=carl, actor=_m(cast, cast.adam))
    page = _browser(cast.adam).get(reverse("core:member", args=[cast.org_a.slug, carl.pk]))
    assert "<td>Yes</td><td>No</td>" in page.content.decode()


def test_only_an_administrator_of_the_organisation_may_call_the_services(cast):
    from qms.core.immutable import NotAllowed

    carl = _m(cast, cast.carl)
    for actor in (_m(cast, cast.quinn), Membership.objects.get(user=cast.bob)):
        with pytest.raises(NotAllowed):
            services.membership_deactivate(membership=carl, actor=actor)
        with pytest.raises(NotAllowed):
            services.membership_change(
                membership=carl, actor=actor, role="admin", org_unit=None, job_title="",
                access_expires_on=None,
            )  # fmt: skip
    carl.refresh_from_db()
    assert carl.is_active and carl.role == "contributor"
