"""Actions API: the lifecycle through the endpoints, 400/403/404/409, filters, the schema."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from qms.core.actions import services
from qms.core.actions.models import Action
from tests.api_writes import patch_as_read
from tests.objectives.factories import make_objective

pytestmark = pytest.mark.django_db


def url(name, **kwargs):
    return reverse(name, kwargs={"org_slug": "acme-test", **kwargs})


def in_days(days: int) -> str:
    return (timezone.localdate() + datetime.timedelta(days=days)).isoformat()


def payload(members, **overrides):
    data = {
        "title": "Fix the gauge",
        "owner": members["carl"].pk,
        "accountable_executive": members["alice"].pk,
        "due_date": in_days(14),
    }
    data.update(overrides)
    return data


def test_raise_start_close_and_verify_through_the_api(api_client, cast, members):
    objective = make_objective(cast)
    api_client.force_authenticate(cast.quinn)
    created = api_client.post(
        url("action-list"),
        payload(members, source=f"objectives.qualityobjective:{objective.pk}"),
        format="json",
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["number"], body["reference"], body["status"]) == (1, "ACT-0001", "open")
    assert body["source"]["kind"] == "objective"
    assert body["source"]["url"] == "/o/acme-test/objectives/OBJ-01/"
    assert body["owner"] == {"id": members["carl"].pk, "name": "Carl Test"}

    api_client.force_authenticate(cast.carl)
    assert api_client.post(url("action-start", number=1)).json()["status"] == "in_progress"
    closed = api_client.post(url("action-close", number=1), {"note": "Done."}, format="json")
    assert closed.json()["status"] == "done" and closed.json()["closing_note"] == "Done."

    api_client.force_authenticate(cast.alice)
    verified = api_client.post(
        url("action-verify", number=1),
        {"result": "effective", "evidence": "In spec for 3 months."},
        format="json",
    )
    assert verified.status_code == 200
    assert verified.json()["status"] == "verified"
    assert verified.json()["verified_by"]["name"] == "Alice Test"


def test_a_step_not_allowed_now_is_409_and_changes_nothing(api_client, cast, raise_action):
    raise_action()
    api_client.force_authenticate(cast.alice)
    response = api_client.post(
        url("action-verify", number=1), {"result": "effective", "evidence": "x"}, format="json"
    )
    assert response.status_code == 409
    assert "only a done action" in response.json()["detail"]
    api_client.force_authenticate(cast.quinn)
    api_client.post(url("action-cancel", number=1), {"reason": "Duplicate"}, format="json")
    assert api_client.post(url("action-start", number=1)).status_code == 409
    response = patch_as_read(
        api_client, url("action-detail", number=1), {"title": "x"}, format="json"
    )
    assert response.status_code == 409
    assert Action.objects.get().title == "Recalibrate the CMM"


def test_roles_and_people_not_allowed_get_403(api_client, cast, members, raise_action):
    action = raise_action(owner=members["quinn"])
    api_client.force_authenticate(cast.audrey)
    assert api_client.get(url("action-list")).status_code == 200
    assert api_client.post(url("action-list"), payload(members), format="json").status_code == 403
    assert (
        patch_as_read(
            api_client, url("action-detail", number=1), {"title": "x"}, format="json"
        ).status_code
        == 403
    )
    api_client.force_authenticate(cast.carl)
    assert (
        api_client.post(url("action-close", number=1), {"note": "Me"}, format="json").status_code
        == 403
    )
    services.action_close(action=action, actor=members["quinn"], note="Done.")
    api_client.force_authenticate(cast.quinn)
    response = api_client.post(
        url("action-verify", number=1), {"result": "effective", "evidence": "x"}, format="json"
    )
    assert response.status_code == 403
    assert "their own action" in response.json()["detail"]
    assert Action.objects.get().status == "done"


def test_another_organisations_action_is_404(api_client, cast, members, raise_action):
    raise_action()
    objective_b = make_objective(cast, org=cast.org_b, code="B-01")
    services.action_create(
        organization=cast.org_b,
        raised_by=members["bob"],
        title="Beta's",
        owner=members["bob"],
        accountable_executive=objective_b.accountable_executive,
        due_date=timezone.localdate(),
    )
    api_client.force_authenticate(cast.bob)
    assert api_client.get(url("action-list")).status_code == 404
    assert api_client.get(url("action-detail", number=1)).status_code == 404
    beta = reverse("action-detail", kwargs={"org_slug": "beta-rival", "number": 1})
    assert api_client.get(beta).json()["title"] == "Beta's"
    api_client.force_authenticate(cast.quinn)
    assert api_client.get(beta).status_code == 404
    close_beta = reverse("action-close", kwargs={"org_slug": "beta-rival", "number": 1})
    assert api_client.post(close_beta, {"note": "x"}, format="json").status_code == 404
    assert api_client.get(url("action-detail", number=2)).status_code == 404


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"owner": 999999}, "owner", "no member 999999 in this organisation"),
        ({"owner": "carl"}, "owner", "as a number"),
        ({"accountable_executive": None}, "accountable_executive", "may not be null"),
        ({"due_date": "next week"}, "due_date", "wrong format"),
        ({"due_date": "2000-01-01"}, "due_date", "cannot be in the past"),
        ({"title": "x" * 201}, "title", "no more than 200 characters"),
        ({"title": ""}, "title", "may not be blank"),
        ({"source": "nonsense"}, "source", "not a source reference"),
        ({"source": "core.membership:1"}, "source", "cannot raise actions"),
    ],
)
def test_bad_input_is_400_with_a_clear_message_and_nothing_created(
    api_client, cast, members, overrides, field, message
):
    api_client.force_authenticate(cast.quinn)
    response = api_client.post(url("action-list"), payload(members, **overrides), format="json")
    assert response.status_code == 400
    assert message in " ".join(response.json()[field]), response.json()
    assert not Action.objects.exists()


def test_foreign_owner_non_executive_and_foreign_source_are_400(api_client, cast, members):
    foreign = make_objective(cast, org=cast.org_b, code="B-01")
    api_client.force_authenticate(cast.quinn)
    cases = [
        ({"owner": members["bob"].pk}, "owner", "no member"),
        ({"accountable_executive": members["quinn"].pk}, "accountable_executive", "executive"),
        ({"owner": members["audrey"].pk}, "owner", "Auditors cannot own"),
        (
            {"source": f"objectives.qualityobjective:{foreign.pk}"},
            "source",
            "no objective",
        ),
    ]
    for overrides, field, message in cases:
        response = api_client.post(url("action-list"), payload(members, **overrides), format="json")
        assert response.status_code == 400, overrides
        assert message in " ".join(response.json()[field]), response.json()
    assert not Action.objects.exists()


def test_bad_input_on_each_step_is_400(api_client, cast, members, raise_action):
    raise_action()
    api_client.force_authenticate(cast.carl)
    response = api_client.post(url("action-close", number=1), {"note": " "}, format="json")
    assert response.status_code == 400 and "Say what was done" in response.json()["note"][0]
    api_client.force_authenticate(cast.quinn)
    response = api_client.post(url("action-cancel", number=1), {}, format="json")
    assert response.status_code == 400 and "required" in response.json()["reason"][0]
    response = patch_as_read(
        api_client, url("action-detail", number=1), {"due_date": "31/12/2026"}, format="json"
    )
    assert response.status_code == 400
    services.action_close(action=Action.objects.get(), actor=members["carl"], note="Done.")
    response = api_client.post(
        url("action-verify", number=1), {"result": "maybe", "evidence": "x"}, format="json"
    )
    assert response.status_code == 400 and "result" in response.json()
    response = api_client.post(
        url("action-verify", number=1), {"result": "effective", "evidence": ""}, format="json"
    )
    assert response.status_code == 400 and "evidence" in response.json()
    assert Action.objects.get().status == "done"


def test_partial_update_changes_only_what_is_sent(api_client, cast, members, raise_action):
    raise_action()
    api_client.force_authenticate(cast.alice)
    response = patch_as_read(
        api_client,
        url("action-detail", number=1),
        {"due_date": in_days(60), "reason": "Supplier slipped"},
        format="json",
    )
    assert response.status_code == 200 and response.json()["due_date"] == in_days(60)
    assert response.json()["title"] == "Recalibrate the CMM"


def test_the_list_filters_like_the_page(api_client, cast, members, raise_action):
    objective = make_objective(cast)
    raise_action(title="From objective", source=objective)
    raise_action(title="By hand", owner=members["adam"])
    api_client.force_authenticate(cast.audrey)

    def titles(**params):
        response = api_client.get(url("action-list"), params)
        assert response.status_code == 200, response.json()
        return sorted(row["title"] for row in response.json()["results"])

    assert titles() == ["By hand", "From objective"]
    assert titles(source_kind="manual") == ["By hand"]
    assert titles(source_kind="objective") == ["From objective"]
    assert titles(owner=members["adam"].pk) == ["By hand"]
    assert titles(overdue="true") == []
    assert titles(status="done") == []
    response = api_client.get(url("action-list"), {"source_kind": "risk-of-rain"})
    assert response.status_code == 400 and "manual" in response.json()["source_kind"][0]


def test_paging_through_the_list_gives_every_action_once_in_due_order(
    api_client, cast, members, raise_action
):
    # Pages are picked on the sorted ids and then loaded: the rows must keep that order.
    days = [17, 3, 29, 8, 21, 1, 12, 25, 5, 14, 30, 9]
    for number, day in enumerate(days, start=1):
        raise_action(
            title=f"Action {number}", due_date=timezone.localdate() + datetime.timedelta(days=day)
        )
    for action in Action.objects.filter(title__in=["Action 6", "Action 9"]):
        services.action_close(action=action, actor=members["carl"], note="Done.")
    api_client.force_authenticate(cast.quinn)

    def every_title(**params):
        titles = []
        for page in (1, 2, 3):
            response = api_client.get(url("action-list"), {"page_size": 5, "page": page, **params})
            assert response.status_code == 200, response.json()
            titles += [row["title"] for row in response.json()["results"]]
        return titles

    still_open = sorted(
        (day, f"Action {n}") for n, day in enumerate(days, start=1) if n not in (6, 9)
    )
    closed = ["Action 6", "Action 9"]  # due in 1 and 5 days: last all the same
    assert every_title() == [title for _, title in still_open] + closed
    assert every_title(sort="-due") == [title for _, title in reversed(still_open)] + closed[::-1]


def test_the_schema_documents_the_action_endpoints(api_client, cast):
    api_client.force_authenticate(cast.quinn)
    schema = api_client.get(reverse("schema"), {"format": "json"}).json()
    paths = schema["paths"]
    for step in ("start", "close", "verify", "cancel"):
        assert f"/api/v1/organizations/{{org_slug}}/actions/{{number}}/{step}/" in paths
    assert "VerifyInputRequest" in schema["components"]["schemas"]
