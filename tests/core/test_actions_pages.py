"""Action pages: list with filters and counts, my actions, detail with its steps, raise and edit
forms, tenancy, and the objective page's actions section."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from objectives.models import QualityObjective
from qms.core.actions import services
from qms.core.actions.models import Action
from tests.objectives.factories import make_objective
from tests.page_forms import versioned

pytestmark = pytest.mark.django_db


def url(name, **kwargs):
    return reverse(f"core:{name}", kwargs={"org_slug": "acme-test", **kwargs})


def in_days(days: int) -> str:
    return (timezone.localdate() + datetime.timedelta(days=days)).isoformat()


def test_every_member_reads_the_action_pages(client, cast, raise_action):
    action = raise_action()
    for user in (cast.alice, cast.carl, cast.audrey):
        client.force_login(user)
        for page in (url("actions"), url("actions-mine"), url("action-detail", number=1)):
            response = client.get(page)
            assert response.status_code == 200, (user, page)
        assert action.title in client.get(url("actions")).content.decode()


def test_another_organisations_member_gets_404_for_every_action_page(client, cast, raise_action):
    raise_action()
    client.force_login(cast.bob)
    for name, kwargs in [
        ("actions", {}),
        ("actions-mine", {}),
        ("action-new", {}),
        ("action-detail", {"number": 1}),
        ("action-edit", {"number": 1}),
    ]:
        assert client.get(url(name, **kwargs)).status_code == 404, name
    assert client.post(url("action-close", number=1), {"note": "x"}).status_code == 404
    assert Action.objects.get().status == "open"


def test_an_action_of_another_organisation_is_404_in_mine(client, cast, members, raise_action):
    objective_b = make_objective(cast, org=cast.org_b, code="B-01")
    services.action_create(
        organization=cast.org_b,
        raised_by=members["bob"],
        title="Beta's action",
        owner=members["bob"],
        accountable_executive=objective_b.accountable_executive,
        due_date=timezone.localdate(),
    )
    client.force_login(cast.quinn)
    assert client.get(url("action-detail", number=1)).status_code == 404
    assert "Beta&#x27;s action" not in client.get(url("actions")).content.decode()


def test_the_list_filters_counts_and_sorts(client, cast, members, raise_action):
    objective = make_objective(cast)
    raise_action(title="Soonest", due_date=timezone.localdate(), source=objective)
    raise_action(title="Latest", due_date=timezone.localdate() + datetime.timedelta(days=90))
    done = raise_action(title="Done one", owner=members["adam"])
    services.action_close(action=done, actor=members["adam"], note="Finished.")
    client.force_login(cast.quinn)
    html = client.get(url("actions")).content.decode()
    assert html.index("Soonest") < html.index("Latest")
    assert 'Open <span class="badge text-bg-light border">2</span>' in html
    html = client.get(url("actions"), {"sort": "-due"}).content.decode()
    assert html.index("Latest") < html.index("Soonest")
    html = client.get(url("actions"), {"status": "done"}).content.decode()
    assert "Done one" in html and "Soonest" not in html
    html = client.get(url("actions"), {"source": "objective"}).content.decode()
    assert "Soonest" in html and "Latest" not in html and "Objective" in html
    html = client.get(url("actions"), {"owner": members["adam"].pk}).content.decode()
    assert "Done one" in html and "Latest" not in html


def test_overdue_only_shows_actions_past_due(client, cast, raise_action):
    with time_machine.travel(timezone.now() - datetime.timedelta(days=10)):
        raise_action(title="Due soon", due_date=timezone.localdate() + datetime.timedelta(days=2))
        raise_action(title="Due later", due_date=timezone.localdate() + datetime.timedelta(days=20))
    client.force_login(cast.quinn)
    html = client.get(url("actions"), {"overdue": "on"}).content.decode()
    assert "Due soon" in html and "Due later" not in html and "Overdue since" in html


def test_the_list_page_costs_the_same_for_3_or_30_actions(
    client, cast, raise_action, django_assert_max_num_queries
):
    objective = make_objective(cast)
    client.force_login(cast.quinn)

    def add_and_count(rows: int) -> int:
        for i in range(rows):
            raise_action(title=f"Action {i}", source=objective if i % 2 else None)
        client.get(url("actions"))  # warm the content-type cache
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url("actions")).status_code == 200
        return len(queries)

    with_3 = add_and_count(3)
    with_30 = add_and_count(27)
    assert with_3 == with_30
    with django_assert_max_num_queries(with_30):
        client.get(url("actions"), {"source": "objective", "sort": "-due"})
    assert with_30 <= 12


def test_my_actions_lists_what_i_own_and_what_waits_for_my_check(
    client, cast, members, raise_action
):
    raise_action(title="Carl's job")
    done = raise_action(title="Adam's job", owner=members["adam"])
    services.action_close(action=done, actor=members["adam"], note="Done.")
    client.force_login(cast.carl)
    html = client.get(url("actions-mine")).content.decode()
    assert "Carl&#x27;s job" in html and "Adam&#x27;s job" not in html
    client.force_login(cast.quinn)
    html = client.get(url("actions-mine")).content.decode()
    assert "Awaiting your effectiveness check" in html and "Adam&#x27;s job" in html


def test_the_detail_page_shows_only_the_steps_the_member_may_take(
    client, cast, members, raise_action
):
    raise_action()
    client.force_login(cast.audrey)
    html = client.get(url("action-detail", number=1)).content.decode()
    assert "Start work" not in html and "Edit action" not in html and "Close as done" not in html
    client.force_login(cast.carl)
    html = client.get(url("action-detail", number=1)).content.decode()
    assert "Start work" in html and "Close as done" in html and "Edit action" not in html
    assert "Cancel this action" not in html
    client.force_login(cast.quinn)
    html = client.get(url("action-detail", number=1)).content.decode()
    assert "Edit action" in html and "Cancel this action" in html
    assert '<span class="status">Open</span>' in html  # status as text, not colour alone


def test_owner_starts_and_closes_on_the_page_then_someone_else_verifies(client, cast, raise_action):
    raise_action()
    client.force_login(cast.carl)
    client.post(url("action-start", number=1))
    response = client.post(url("action-close", number=1), {"note": "Recalibrated."}, follow=True)
    assert "closed" in response.content.decode()
    html = client.get(url("action-detail", number=1)).content.decode()
    assert "Record the effectiveness check" not in html
    client.force_login(cast.alice)
    client.post(
        url("action-verify", number=1), {"result": "effective", "evidence": "In spec since."}
    )
    action = Action.objects.get()
    assert (action.status, action.verified_by.user) == ("verified", cast.alice)
    html = client.get(url("action-detail", number=1)).content.decode()
    assert "Verified effective" in html and "In spec since." in html and "History" in html


def test_closing_without_a_note_shows_the_error_and_changes_nothing(client, cast, raise_action):
    raise_action()
    client.force_login(cast.carl)
    response = client.post(url("action-close", number=1), {"note": "  "})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert Action.objects.get().status == "open"


def test_a_contributor_closing_someone_elses_action_gets_403(client, cast, members, raise_action):
    raise_action(owner=members["adam"])
    client.force_login(cast.carl)
    assert client.post(url("action-close", number=1), {"note": "Me"}).status_code == 403
    assert client.post(url("action-start", number=1)).status_code == 403
    assert Action.objects.get().status == "open"


def test_the_owner_verifying_their_own_action_gets_403(client, cast, members, raise_action):
    action = raise_action(owner=members["quinn"])
    services.action_close(action=action, actor=members["quinn"], note="Done.")
    client.force_login(cast.quinn)
    html = client.get(url("action-detail", number=1)).content.decode()
    assert "other than you, the owner" in html
    response = client.post(url("action-verify", number=1), {"result": "effective", "evidence": "x"})
    assert response.status_code == 403
    assert Action.objects.get().status == "done"


def test_verifying_an_open_action_says_why_not(client, cast, raise_action):
    raise_action()
    client.force_login(cast.alice)
    response = client.post(
        url("action-verify", number=1), {"result": "effective", "evidence": "x"}, follow=True
    )
    assert "only a done action can be checked" in response.content.decode()
    assert Action.objects.get().status == "open"


def test_auditors_cannot_raise_or_edit(client, cast, raise_action):
    raise_action()
    client.force_login(cast.audrey)
    assert client.get(url("action-new")).status_code == 403
    assert client.get(url("action-edit", number=1)).status_code == 403
    assert client.post(url("action-edit", number=1), {"title": "x"}).status_code == 403
    assert client.post(url("action-cancel", number=1), {"reason": "x"}).status_code == 403
    assert Action.objects.get().status == "open"


def _form(members, **overrides):
    data = {
        "title": "Fix the gauge",
        "description": "",
        "owner": members["carl"].pk,
        "accountable_executive": members["alice"].pk,
        "due_date": in_days(14),
    }
    data.update(overrides)
    return data


def test_raising_an_action_by_hand(client, cast, members):
    client.force_login(cast.quinn)
    response = client.post(url("action-new"), _form(members))
    assert response.status_code == 302
    action = Action.objects.get()
    assert (action.title, action.source, action.raised_by) == (
        "Fix the gauge",
        None,
        members["quinn"],
    )


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"title": ""}, "This field is required."),
        ({"title": "x" * 201}, "at most 200 characters"),
        ({"owner": "999999"}, "Select a valid choice"),
        ({"accountable_executive": "quinn"}, "Select a valid choice"),
        ({"due_date": "next week"}, "Enter a valid date"),
        ({"due_date": "2000-01-01"}, "cannot be in the past"),
    ],
)
def test_bad_input_on_the_raise_form_is_refused_clearly(client, cast, members, overrides, message):
    client.force_login(cast.quinn)
    response = client.post(url("action-new"), _form(members, **overrides))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Action.objects.exists()


def test_a_foreign_owner_or_executive_is_not_offered(client, cast, members):
    client.force_login(cast.quinn)
    response = client.post(
        url("action-new"),
        _form(members, owner=members["bob"].pk, accountable_executive=members["quinn"].pk),
    )
    assert response.status_code == 400
    assert not Action.objects.exists()


def test_a_contributor_raises_an_action_for_themselves_only(client, cast, members):
    client.force_login(cast.carl)
    response = client.post(url("action-new"), _form(members, owner=members["adam"].pk))
    assert response.status_code == 400 and not Action.objects.exists()
    response = client.post(url("action-new"), _form(members))
    assert response.status_code == 302 and Action.objects.get().owner == members["carl"]


def test_raising_from_an_objective_prefills_and_links_it(client, cast, members):
    objective = make_objective(cast)
    ref = f"objectives.qualityobjective:{objective.pk}"
    client.force_login(cast.quinn)
    html = client.get(url("action-new"), {"source": ref}).content.decode()
    assert "Raised from" in html and "OBJ-01 Objective OBJ-01" in html
    response = client.post(f"{url('action-new')}?source={ref}", _form(members))
    assert response.status_code == 302
    assert Action.objects.get().source == objective


@pytest.mark.parametrize(
    "ref",
    ["objectives.qualityobjective:999999", "core.membership:1", "rubbish", "objectives.x:1"],
)
def test_an_unknown_source_answers_404(client, cast, ref):
    client.force_login(cast.quinn)
    assert client.get(url("action-new"), {"source": ref}).status_code == 404


def test_another_organisations_objective_as_source_answers_404(client, cast, members):
    foreign = make_objective(cast, org=cast.org_b, code="B-01")
    client.force_login(cast.quinn)
    ref = f"objectives.qualityobjective:{foreign.pk}"
    assert client.get(url("action-new"), {"source": ref}).status_code == 404
    assert client.post(f"{url('action-new')}?source={ref}", _form(members)).status_code == 404
    assert not Action.objects.exists()


def test_editing_records_the_reason(client, cast, members, raise_action):
    action = raise_action()
    client.force_login(cast.quinn)
    response = client.post(
        url("action-edit", number=1),
        versioned(
            action, _form(members, title="Recalibrate both CMMs", reason="Second machine found")
        ),
    )
    assert response.status_code == 302
    assert Action.objects.get().title == "Recalibrate both CMMs"
    html = client.get(url("action-detail", number=1)).content.decode()
    assert "Second machine found" in html


def test_bad_input_on_the_edit_form_changes_nothing(client, cast, members, raise_action):
    raise_action()
    client.force_login(cast.quinn)
    response = client.post(url("action-edit", number=1), _form(members, due_date="31/02/2026"))
    assert response.status_code == 400
    assert Action.objects.get().title == "Recalibrate the CMM"


def test_cancelling_needs_a_reason_on_the_page(client, cast, raise_action):
    raise_action()
    client.force_login(cast.quinn)
    assert client.post(url("action-cancel", number=1), {"reason": ""}).status_code == 400
    client.post(url("action-cancel", number=1), {"reason": "Duplicate of ACT-0002"})
    assert Action.objects.get().status == "cancelled"


def test_the_home_page_shows_your_actions(client, cast, raise_action):
    raise_action(title="Urgent one", due_date=timezone.localdate() + datetime.timedelta(days=3))
    client.force_login(cast.carl)
    html = client.get(reverse("core:org-home", kwargs={"org_slug": "acme-test"})).content.decode()
    assert "Your actions" in html and "1 due this week" in html and "Urgent one" in html


def test_the_objective_page_lists_its_actions_and_offers_to_raise_one(client, cast, raise_action):
    objective = make_objective(cast)
    QualityObjective.objects.filter(pk=objective.pk).update(current_status="red")
    detail = reverse("objectives:detail", kwargs={"org_slug": "acme-test", "code": "OBJ-01"})
    client.force_login(cast.quinn)
    html = client.get(detail).content.decode()
    assert "has no open action" in html and "?source=objectives.qualityobjective" in html
    raise_action(title="Recover OBJ-01", source=objective)
    html = client.get(detail).content.decode()
    assert "Recover OBJ-01" in html and "ACT-0001" in html
    client.force_login(cast.audrey)
    html = client.get(detail).content.decode()
    assert "Recover OBJ-01" in html and "Raise an action" not in html
