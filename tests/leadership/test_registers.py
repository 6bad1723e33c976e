"""Context issues and risks: the register pages, import and API as users meet them."""

import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from leadership.models import ContextIssue, Risk
from tests.api_writes import patch_as_read
from tests.objectives.factories import make_objective
from tests.page_forms import versioned

pytestmark = pytest.mark.django_db


def _csv(text: str, name: str = "file.csv") -> io.BytesIO:
    upload = io.BytesIO(text.encode("utf-8"))
    upload.name = name
    return upload


def _risk(cast, **overrides) -> Risk:
    from qms.core.models import Membership
    from qms.core.registers.definition import get_register
    from qms.core.registers.services import record_create

    fields = {
        "title": "Key supplier capacity",
        "kind": "risk",
        "likelihood": 3,
        "impact": 4,
        "identified_on": datetime.date(2026, 1, 10),
        **overrides,
    }
    return record_create(
        register=get_register("risks"),
        membership=Membership.objects.get(user=cast.quinn, organization=cast.org_a),
        record=Risk(**fields),
    )


def test_every_member_reads_the_registers_and_another_organisation_gets_404(client, cast):
    risk = _risk(cast)
    for user in (cast.alice, cast.quinn, cast.carl, cast.audrey, cast.adam):
        client.force_login(user)
        assert client.get(reverse("registers:risks", args=["acme-test"])).status_code == 200
        detail = client.get(reverse("registers:risks-detail", args=["acme-test", risk.pk]))
        assert detail.status_code == 200
    client.force_login(cast.bob)
    assert client.get(reverse("registers:risks", args=["acme-test"])).status_code == 404
    # bob's own organisation does not know the record either
    assert (
        client.get(reverse("registers:risks-detail", args=["beta-rival", risk.pk])).status_code
        == 404
    )


def test_quality_manager_records_a_context_issue_and_it_gets_a_reference(client, cast):
    client.force_login(cast.quinn)
    response = client.post(
        reverse("registers:context-issues-new", args=["acme-test"]),
        {
            "title": "New medical device regulation",
            "kind": "external",
            "raised_on": "2026-02-01",
            "effect_on_qms": "Design files must be traceable.",
            "status": "current",
        },
    )
    issue = ContextIssue.objects.get()
    assert response.status_code == 302
    assert issue.reference == "CTX-001"
    page = client.get(response["Location"]).content.decode()
    assert "New medical device regulation" in page
    assert "CTX-001" in page
    assert "created this context issue" in page  # the history shows who recorded it


def test_a_closed_issue_needs_the_date_it_changed_and_nothing_is_saved(client, cast):
    client.force_login(cast.quinn)
    response = client.post(
        reverse("registers:context-issues-new", args=["acme-test"]),
        {"title": "Old", "kind": "internal", "raised_on": "2026-02-01", "status": "closed"},
    )
    assert response.status_code == 400
    assert "Say when the issue changed or was closed." in response.content.decode()
    assert not ContextIssue.objects.exists()


@pytest.mark.parametrize("username", ["carl", "audrey"])
def test_contributors_and_auditors_cannot_add_or_edit(client, cast, username):
    risk = _risk(cast)
    client.force_login(getattr(cast, username))
    assert client.get(reverse("registers:risks-new", args=["acme-test"])).status_code == 403
    response = client.post(
        reverse("registers:risks-edit", args=["acme-test", risk.pk]),
        {"title": "Changed", "kind": "risk", "likelihood": 1, "impact": 1},
    )
    assert response.status_code == 403
    risk.refresh_from_db()
    assert risk.title == "Key supplier capacity"


def test_executive_edits_a_risk_and_the_change_is_in_its_history(client, cast):
    risk = _risk(cast)
    client.force_login(cast.alice)
    response = client.post(
        reverse("registers:risks-edit", args=["acme-test", risk.pk]),
        versioned(
            risk,
            {
                "title": "Key supplier capacity",
                "kind": "risk",
                "identified_on": "2026-01-10",
                "likelihood": 5,
                "impact": 4,
                "status": "treating",
            },
        ),
    )
    assert response.status_code == 302
    risk.refresh_from_db()
    assert risk.score == 20
    assert risk.level[1] == "High"
    page = client.get(reverse("registers:risks-detail", args=["acme-test", risk.pk])).content
    assert b"Alice Test</strong> changed" in page
    assert b"High</span> score 20" in page


def test_a_risk_cannot_link_another_organisations_objective(client, cast):
    foreign = make_objective(cast, code="OBJ-B1", org=cast.org_b)
    client.force_login(cast.quinn)
    response = client.post(
        reverse("registers:risks-new", args=["acme-test"]),
        {
            "title": "T",
            "kind": "risk",
            "identified_on": "2026-01-10",
            "likelihood": 2,
            "impact": 2,
            "status": "open",
            "objectives": [foreign.pk],
        },
    )
    assert response.status_code == 400
    assert not Risk.objects.exists()


def test_list_filters_by_level_and_counts_by_status(client, cast):
    _risk(cast, title="Severe", likelihood=5, impact=5)
    _risk(cast, title="Mild", likelihood=1, impact=2)
    client.force_login(cast.carl)
    page = client.get(reverse("registers:risks", args=["acme-test"]), {"level": "high"})
    text = page.content.decode()
    assert "Severe" in text
    assert "Mild" not in text
    assert "High (25)" in text  # level in words, not only colour


def test_list_page_costs_the_same_queries_for_3_and_30_risks(
    client, cast, django_assert_max_num_queries
):
    objective = make_objective(cast)
    for n in range(3):
        _risk(cast, title=f"R{n}").objectives.add(objective)
    client.force_login(cast.quinn)
    url = reverse("registers:risks", args=["acme-test"])
    with django_assert_max_num_queries(14) as few:
        client.get(url)
    for n in range(27):
        _risk(cast, title=f"S{n}").objectives.add(objective)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)


IMPORT_HEADER = "title,kind,identified_on,likelihood,impact,owner,objective_codes,status\n"


def test_import_creates_every_row_with_owner_and_objectives(client, cast):
    make_objective(cast, code="OBJ-01")
    make_objective(cast, code="OBJ-02")
    client.force_login(cast.quinn)
    body = IMPORT_HEADER + (
        "Supplier capacity,risk,2026-01-10,3,4,carl,OBJ-01; OBJ-02,\n"
        "New market,Opportunity,2026-02-01,2,5,alice@example.test,,Being treated\n"
    )
    response = client.post(
        reverse("registers:risks-import", args=["acme-test"]), {"file": _csv(body)}
    )
    assert response.status_code == 302
    first, second = Risk.objects.order_by("number")
    assert (first.reference, first.owner.user.username, first.status) == (
        "RISK-001",
        "carl",
        "open",
    )
    assert sorted(first.objectives.values_list("code", flat=True)) == ["OBJ-01", "OBJ-02"]
    assert (second.kind, second.status, second.owner.user.username) == (
        "opportunity",
        "treating",
        "alice",
    )


@pytest.mark.parametrize(
    "row, message",
    [
        ("X,risk,2026-01-10,9,4,,,", "Row 3: likelihood:"),
        ("X,hazard,2026-01-10,3,4,,,", "Row 3: kind: Select a valid choice"),
        ("X,risk,10/01/2026,3,4,,,", "is not a date written YYYY-MM-DD"),
        ("X,risk,2026-01-10,3,4,nobody,,", "Row 3: owner: nobody is not a current member"),
        ("X,risk,2026-01-10,3,4,bob,,", "Row 3: owner: bob is not a current member"),
        ("X,risk,2026-01-10,3,4,,OBJ-B1,", "Row 3: objective_codes: OBJ-B1 is not an objective"),
        (",risk,2026-01-10,3,4,,,", "Row 3: title: This field is required"),
        ("X,risk,2026-01-10,3,4,audrey,,", "Row 3: owner: audrey is not a current member"),
    ],
)
def test_one_bad_row_rejects_the_whole_file(client, cast, row, message):
    make_objective(cast, code="OBJ-B1", org=cast.org_b)
    client.force_login(cast.quinn)
    body = IMPORT_HEADER + "Good row,risk,2026-01-10,3,4,,,\n" + row + "\n"
    response = client.post(
        reverse("registers:risks-import", args=["acme-test"]), {"file": _csv(body)}
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert "Nothing was imported" in response.content.decode()
    assert not Risk.objects.exists()


@pytest.mark.parametrize(
    "content, name, message",
    [
        (b"title,kind\nA,risk\n", "risks.csv", "The file has no identified_on"),
        (b"\xff\xfe\x00b\x00a\x00d", "risks.csv", "not UTF-8"),
        (b"not a zip", "risks.xlsx", "not a valid Excel workbook"),
        (b"anything", "risks.pdf", "Choose a .csv or .xlsx file."),
        (b"", "risks.csv", "The submitted file is empty."),
    ],
)
def test_unreadable_files_are_refused_with_a_sentence(client, cast, content, name, message):
    client.force_login(cast.quinn)
    upload = io.BytesIO(content)
    upload.name = name
    response = client.post(reverse("registers:risks-import", args=["acme-test"]), {"file": upload})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Risk.objects.exists()


def test_an_oversized_file_is_refused(client, cast, monkeypatch):
    monkeypatch.setattr("qms.core.registers.importing.MAX_IMPORT_ROWS", 2)
    client.force_login(cast.quinn)
    body = IMPORT_HEADER + "A,risk,2026-01-10,3,4,,,\n" * 3
    response = client.post(
        reverse("registers:risks-import", args=["acme-test"]), {"file": _csv(body)}
    )
    assert response.status_code == 400
    assert "more than 2 rows" in response.content.decode()
    assert not Risk.objects.exists()


def test_template_lists_the_import_columns(client, cast):
    client.force_login(cast.quinn)
    response = client.get(reverse("registers:risks-template", args=["acme-test"]))
    header = response.content.decode().splitlines()[0]
    assert header.startswith("title,kind,identified_on,likelihood,impact,description,owner")


# --- API ------------------------------------------------------------------------------------


def test_api_creates_lists_and_filters_risks(api_client, cast):
    objective = make_objective(cast)
    api_client.force_authenticate(cast.quinn)
    url = "/api/v1/organizations/acme-test/risks/"
    response = api_client.post(
        url,
        {
            "title": "Calibration lapse",
            "kind": "risk",
            "identified_on": "2026-03-01",
            "likelihood": 4,
            "impact": 4,
            "objectives": [objective.pk],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["reference"] == "RISK-001"
    assert response.json()["score"] == 16
    listed = api_client.get(url, {"level": "high"}).json()
    assert [r["title"] for r in listed["results"]] == ["Calibration lapse"]
    assert api_client.get(url, {"level": "low"}).json()["results"] == []


def test_api_refuses_bad_and_foreign_input_and_creates_nothing(api_client, cast):
    foreign = make_objective(cast, code="OBJ-B1", org=cast.org_b)
    api_client.force_authenticate(cast.quinn)
    url = "/api/v1/organizations/acme-test/risks/"
    base = {"title": "T", "kind": "risk", "identified_on": "2026-03-01", "likelihood": 2}
    for payload in (
        {**base, "impact": 9},
        {**base, "impact": 2, "objectives": [foreign.pk]},
        {**base, "impact": 2, "title": "x" * 500},
        {**base, "impact": 2, "identified_on": "yesterday"},
        {**base, "impact": 2, "status": "closed"},  # closing needs an effectiveness review
    ):
        response = api_client.post(url, payload, format="json")
        assert response.status_code == 400, payload
    assert not Risk.objects.exists()


def test_api_roles_and_tenancy(api_client, cast):
    risk = _risk(cast)
    url = "/api/v1/organizations/acme-test/risks/"
    api_client.force_authenticate(cast.audrey)
    assert api_client.get(url).status_code == 200
    assert (
        patch_as_read(api_client, f"{url}{risk.pk}/", {"title": "X"}, format="json").status_code
        == 403
    )
    api_client.force_authenticate(cast.carl)
    assert api_client.post(url, {"title": "X"}, format="json").status_code == 403
    api_client.force_authenticate(cast.bob)
    assert api_client.get(url).status_code == 404
    assert api_client.get(f"/api/v1/organizations/beta-rival/risks/{risk.pk}/").status_code == 404
    risk.refresh_from_db()
    assert risk.title == "Key supplier capacity"


def test_filter_choices_are_only_the_organisations_own(client, cast):
    make_objective(cast, code="OBJ-A1", title="Ours")
    make_objective(cast, code="OBJ-B1", org=cast.org_b, title="Theirs")
    client.force_login(cast.quinn)
    page = client.get(reverse("registers:risks", args=["acme-test"])).content.decode()
    assert "OBJ-A1" in page
    assert "OBJ-B1" not in page
    assert "Bob" not in page  # members of other organisations are not offered as owners


def test_a_high_risk_pushes_for_a_treatment_action_and_lists_it(client, cast):
    from qms.core.actions.services import action_create
    from qms.core.models import Membership

    risk = _risk(cast, likelihood=5, impact=4)
    client.force_login(cast.quinn)
    url = reverse("registers:risks-detail", args=["acme-test", risk.pk])
    page = client.get(url).content.decode()
    assert "A high risk with no open treatment action." in page
    assert f"source=leadership.risk%3A{risk.pk}" in page

    members = {m.user.username: m for m in Membership.objects.filter(organization=cast.org_a)}
    action_create(
        organization=cast.org_a,
        raised_by=members["quinn"],
        title="Qualify a second supplier",
        owner=members["carl"],
        accountable_executive=members["alice"],
        due_date=timezone.localdate() + datetime.timedelta(days=30),
        source=risk,
    )
    page = client.get(url).content.decode()
    assert "Qualify a second supplier" in page
    assert "no open treatment action" not in page
