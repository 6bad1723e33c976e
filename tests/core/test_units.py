"""An administrator runs the organisation's units on pages and in the API: add, rename, move
(the subtree follows, rollups recompute), close (history stays, no new records) and reopen
(issue 22, units). Other roles read the tree and change nothing."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from objectives import rollups
from objectives.models import QualityObjective, UnitRollup
from qms.core import services, units
from qms.core.concurrency import version_of
from qms.core.models import Membership, OrgUnit
from tests.objectives.factories import add_values, make_objective
from tests.page_forms import edit_form

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def _unit(org, code) -> OrgUnit:
    return OrgUnit.objects.get(organization=org, code=code)


@pytest.fixture
def tree(cast):
    """Acme Test Ltd (A) > Plant One (A1) > Line A (LA); Acme Test Ltd > Sales (S)."""
    root, plant = _unit(cast.org_a, "A"), _unit(cast.org_a, "A1")
    services.org_unit_create(organization=cast.org_a, name="Sales", parent=root, code="S")
    services.org_unit_create(
        organization=cast.org_a, name="Line A", parent=_unit(cast.org_a, "A1"), code="LA"
    )
    del plant
    return cast


def _browser(user) -> Client:
    browser = Client()
    browser.force_login(user)
    return browser


def _admin(cast) -> Membership:
    return Membership.objects.get(user=cast.adam, organization=cast.org_a)


def _page_url(cast, code, step=None) -> str:
    pk = _unit(cast.org_a, code).pk
    name = "core:org-unit" if step is None else f"core:org-unit-{step}"
    return reverse(name, args=[cast.org_a.slug, pk])


def _forms_of(html: bytes) -> dict[str, dict]:
    """The unit page's forms by the prefix of their version field."""
    from tests.page_forms import _Form

    parser = _Form()
    parser.feed(html.decode())
    found = {}
    for form in parser.forms:
        for name in form:
            if name.endswith("loaded_version"):
                found[name.partition("-")[0] if "-" in name else "change"] = form
    return found


def _parent_name(unit: OrgUnit) -> str | None:
    parent = units.parent_of(OrgUnit.objects.get(pk=unit.pk))
    return parent.name if parent else None


# --- pages ----------------------------------------------------------------------------------


def test_admin_sees_add_and_a_link_to_each_unit_others_see_the_tree_only(tree):
    url = reverse("core:org-units", args=[tree.org_a.slug])
    admin_page = _browser(tree.adam).get(url).content.decode()
    assert "Add a unit" in admin_page
    assert f'href="{_page_url(tree, "LA")}"' in admin_page
    for user in (tree.alice, tree.quinn, tree.carl, tree.audrey):
        page = _browser(user).get(url).content.decode()
        assert "Line A" in page
        assert "Add a unit" not in page
        assert _page_url(tree, "LA") not in page


def test_admin_adds_a_unit_under_a_parent(tree):
    browser = _browser(tree.adam)
    url = reverse("core:org-unit-add", args=[tree.org_a.slug])
    response = browser.post(
        url,
        {"name": "Goods in", "parent": _unit(tree.org_a, "A1").pk, "kind": "team", "code": "GI"},
    )
    assert response.status_code == 302
    added = _unit(tree.org_a, "GI")
    assert (added.name, added.kind, _parent_name(added)) == ("Goods in", "team", "Plant One")
    entry = added.history.latest()
    assert entry.history_user == tree.adam


def test_a_name_of_ten_thousand_characters_is_refused_and_nothing_is_added(tree):
    before = OrgUnit.objects.count()
    response = _browser(tree.adam).post(
        reverse("core:org-unit-add", args=[tree.org_a.slug]),
        {"name": "x" * 10_000, "parent": _unit(tree.org_a, "A").pk, "kind": "team"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "form-errors" in html and "at most 200 characters" in html
    assert OrgUnit.objects.count() == before


def test_a_parent_of_another_organisation_or_not_a_number_is_refused(tree):
    browser = _browser(tree.adam)
    url = reverse("core:org-unit-add", args=[tree.org_a.slug])
    before = OrgUnit.objects.count()
    for parent in (_unit(tree.org_b, "B").pk, "abc", "1.5"):
        response = browser.post(url, {"name": "Stray", "parent": parent, "kind": "team"})
        assert response.status_code == 400
        assert "Choose an open unit of this organisation" in response.content.decode()
    assert OrgUnit.objects.count() == before


def test_admin_renames_a_unit_and_the_history_says_who_and_what(tree):
    browser = _browser(tree.adam)
    url = _page_url(tree, "A1")
    data = edit_form(browser.get(url).content)
    data.update(name=["Plant 1 (Leeds)"], code=["A1"], kind=["site"])
    assert browser.post(url, data).status_code == 302
    plant = _unit(tree.org_a, "A1")
    assert plant.name == "Plant 1 (Leeds)"
    page = browser.get(url).content.decode()
    assert "Plant One" in page and "Plant 1 (Leeds)" in page  # before and after in the history


def test_a_stale_rename_is_refused_with_who_changed_it(tree):
    browser = _browser(tree.adam)
    url = _page_url(tree, "A1")
    data = edit_form(browser.get(url).content)
    units.org_unit_change(
        unit=_unit(tree.org_a, "A1"), actor=_admin(tree), name="Plant Uno", code="A1", kind="site"
    )
    data.update(name=["Plant Two"])
    response = browser.post(url, data)
    assert response.status_code == 409
    # Named as people call it, with its code, and the time as people read it (try-out: "Org
    # unit A1 was changed by … at 2026-12-03 20:53").
    assert (
        "Org unit Plant Uno (A1) was changed by Adam Test at "
        f"{timezone.localtime():%-d %b %Y}, " in response.content.decode()
    )
    assert _unit(tree.org_a, "A1").name == "Plant Uno"


def test_a_duplicate_code_is_refused_beside_the_field(tree):
    browser = _browser(tree.adam)
    url = _page_url(tree, "A1")
    data = edit_form(browser.get(url).content)
    data.update(code=["S"])
    response = browser.post(url, data)
    assert response.status_code == 400
    assert "already the code of Sales" in response.content.decode()


def test_move_takes_the_subtree_and_the_rollups_follow(tree, django_capture_on_commit_callbacks):
    line = _unit(tree.org_a, "LA")
    objective = make_objective(tree, code="LINE", unit=line)
    add_values(objective, {"2025-01-31": 95})
    rollups.recompute_all(tree.org_a.id)
    january = {"granularity": "month", "period_end": datetime.date(2025, 1, 31)}
    plant, sales = _unit(tree.org_a, "A1"), _unit(tree.org_a, "S")
    assert (
        UnitRollup.objects.values_list("objectives", flat=True).get(org_unit=plant, **january) == 1
    )
    assert not UnitRollup.objects.filter(org_unit=sales, **january).exists()

    browser = _browser(tree.adam)
    forms = _forms_of(browser.get(_page_url(tree, "A1")).content)
    data = {**forms["move"], "move-parent": [str(sales.pk)]}
    with django_capture_on_commit_callbacks(execute=True):
        response = browser.post(_page_url(tree, "A1", "move"), data, follow=True)
    assert response.status_code == 200
    html = response.content.decode()
    assert "being recomputed" in html
    assert _parent_name(plant) == "Sales"
    assert _parent_name(line) == "Plant One"  # the subtree followed
    assert OrgUnit.objects.get(pk=line.pk).path.startswith(OrgUnit.objects.get(pk=sales.pk).path)
    # The worker (eager in tests) recomputed: Sales counts the objective, and the root still.
    assert (
        UnitRollup.objects.values_list("objectives", flat=True).get(org_unit=sales, **january) == 1
    )
    root = _unit(tree.org_a, "A")
    assert (
        UnitRollup.objects.values_list("objectives", flat=True).get(org_unit=root, **january) == 1
    )
    # The moved unit's history says from where to where, by name.
    reason = OrgUnit.objects.get(pk=plant.pk).history.latest().history_change_reason
    assert reason == "Moved from under Acme Test Ltd to under Acme Test Ltd \u203a Sales"
    line_reason = OrgUnit.objects.get(pk=line.pk).history.latest().history_change_reason
    assert line_reason.startswith("Moved with Plant One from under Acme Test Ltd")


def test_move_away_empties_the_old_parents_rollup(tree, django_capture_on_commit_callbacks):
    """Plant One holds Line A's objective; once Line A moves under Sales, Plant One's rollup no
    longer counts it."""
    line = _unit(tree.org_a, "LA")
    objective = make_objective(tree, code="LINE", unit=line)
    add_values(objective, {"2025-01-31": 95})
    rollups.recompute_all(tree.org_a.id)
    plant = _unit(tree.org_a, "A1")
    assert UnitRollup.objects.filter(org_unit=plant).exists()
    with django_capture_on_commit_callbacks(execute=True):
        units.org_unit_move(unit=line, new_parent=_unit(tree.org_a, "S"), actor=_admin(tree))
    assert not UnitRollup.objects.filter(org_unit=plant).exists()
    assert UnitRollup.objects.filter(org_unit=_unit(tree.org_a, "S")).exists()


def test_the_move_choices_leave_out_the_units_own_branch(tree):
    forms_page = _browser(tree.adam).get(_page_url(tree, "A1")).content.decode()
    select = forms_page.split('name="move-parent"')[1].split("</select>")[0]
    assert "Sales" in select and "Acme Test Ltd" in select
    assert "Line A" not in select and "Plant One" not in select


@pytest.mark.parametrize("target", ["self", "child", "other_org", "text"])
def test_a_move_into_its_own_branch_or_elsewhere_is_refused(tree, target):
    browser = _browser(tree.adam)
    plant = _unit(tree.org_a, "A1")
    forms = _forms_of(browser.get(_page_url(tree, "A1")).content)
    value = {
        "self": plant.pk,
        "child": _unit(tree.org_a, "LA").pk,
        "other_org": _unit(tree.org_b, "B").pk,
        "text": "x",
    }[target]
    response = browser.post(_page_url(tree, "A1", "move"), {**forms["move"], "move-parent": value})
    assert response.status_code == 400
    assert "outside this unit" in response.content.decode()
    assert _parent_name(plant) == "Acme Test Ltd"


def test_the_service_refuses_a_move_under_itself_and_the_top_unit(tree):
    admin = _admin(tree)
    plant = _unit(tree.org_a, "A1")
    with pytest.raises(units.ValidationError, match="choose a unit outside its branch"):
        units.org_unit_move(unit=plant, new_parent=_unit(tree.org_a, "LA"), actor=admin)
    with pytest.raises(units.TransitionError, match="top unit"):
        units.org_unit_move(unit=_unit(tree.org_a, "A"), new_parent=plant, actor=admin)
    with pytest.raises(units.ValidationError, match="already under Acme Test Ltd"):
        units.org_unit_move(unit=plant, new_parent=_unit(tree.org_a, "A"), actor=admin)
    assert not plant.history.filter(history_change_reason__startswith="Moved").exists()


def test_close_is_refused_while_units_beneath_are_open_then_works(tree):
    browser = _browser(tree.adam)
    url = _page_url(tree, "A1")
    forms = _forms_of(browser.get(url).content)
    response = browser.post(
        _page_url(tree, "A1", "close"), {**forms["close"], "close-closed_on": TODAY.isoformat()}
    )
    assert response.status_code == 400
    assert "Units beneath it are still open: Line A" in response.content.decode()
    assert _unit(tree.org_a, "A1").closed_on is None

    forms = _forms_of(browser.get(_page_url(tree, "LA")).content)
    response = browser.post(
        _page_url(tree, "LA", "close"), {**forms["close"], "close-closed_on": TODAY.isoformat()}
    )
    assert response.status_code == 302
    assert _unit(tree.org_a, "LA").closed_on == TODAY
    listing = browser.get(reverse("core:org-units", args=[tree.org_a.slug])).content.decode()
    assert f"Closed on {TODAY:%-d %b %Y}" in listing


def test_close_is_refused_while_active_members_belong_to_it(tree):
    carl = Membership.objects.get(user=tree.carl)
    carl.org_unit = _unit(tree.org_a, "S")
    carl.save()
    browser = _browser(tree.adam)
    page = browser.get(_page_url(tree, "S"))
    assert "Give its active members another unit" in page.content.decode()
    forms = _forms_of(page.content)
    response = browser.post(
        _page_url(tree, "S", "close"), {**forms["close"], "close-closed_on": TODAY.isoformat()}
    )
    assert response.status_code == 400
    assert "Active members belong to it: Carl Test" in response.content.decode()
    assert _unit(tree.org_a, "S").closed_on is None


def test_close_on_a_future_day_is_refused(tree):
    with pytest.raises(units.ValidationError, match="cannot be in the future"):
        units.org_unit_close(
            unit=_unit(tree.org_a, "S"),
            actor=_admin(tree),
            on=TODAY + datetime.timedelta(days=1),
        )
    assert _unit(tree.org_a, "S").closed_on is None


def test_a_closed_unit_is_not_offered_for_a_new_objective_but_kept_on_an_existing_one(tree):
    line = _unit(tree.org_a, "LA")
    existing = make_objective(tree, code="LINE", unit=line)
    units.org_unit_close(unit=line, actor=_admin(tree))
    browser = _browser(tree.quinn)
    new_page = browser.get(reverse("objectives:create", args=[tree.org_a.slug])).content.decode()
    options = new_page.split('name="org_unit"')[1].split("</select>")[0]
    assert "Line A" not in options and "Sales" in options
    edit_page = browser.get(
        reverse("objectives:edit", args=[tree.org_a.slug, existing.code])
    ).content.decode()
    options = edit_page.split('name="org_unit"')[1].split("</select>")[0]
    assert f'value="{line.pk}" selected' in options
    data = edit_form(edit_page)
    data["title"] = ["Line A first-pass yield"]
    assert (
        browser.post(reverse("objectives:edit", args=[tree.org_a.slug, existing.code]), data)
    ).status_code == 302
    existing.refresh_from_db()
    assert (existing.title, existing.org_unit_id) == ("Line A first-pass yield", line.pk)


def test_a_closed_unit_is_not_offered_to_a_member_or_an_invitation(tree):
    sales = _unit(tree.org_a, "S")
    units.org_unit_close(unit=sales, actor=_admin(tree))
    browser = _browser(tree.adam)
    carl = Membership.objects.get(user=tree.carl)
    member_page = browser.get(reverse("core:member", args=[tree.org_a.slug, carl.pk]))
    assert "Sales" not in member_page.content.decode().split('name="org_unit"')[1].split("</sel")[0]
    data = edit_form(member_page.content)
    data["org_unit"] = [str(sales.pk)]
    refused = browser.post(reverse("core:member", args=[tree.org_a.slug, carl.pk]), data)
    assert refused.status_code == 400
    assert "Sales is closed (since" in refused.content.decode()
    invite = browser.get(reverse("core:invite", args=[tree.org_a.slug])).content.decode()
    assert "Sales" not in invite.split('name="org_unit"')[1].split("</select>")[0]


def test_reopen_puts_the_unit_back_in_the_choices(tree):
    sales = _unit(tree.org_a, "S")
    units.org_unit_close(unit=sales, actor=_admin(tree))
    browser = _browser(tree.adam)
    forms = _forms_of(browser.get(_page_url(tree, "S")).content)
    assert "close" not in forms
    assert browser.post(_page_url(tree, "S", "reopen"), forms["reopen"]).status_code == 302
    assert _unit(tree.org_a, "S").closed_on is None
    assert OrgUnit.objects.for_new_records(tree.org_a).filter(pk=sales.pk).exists()


def test_reopening_under_a_closed_parent_is_refused(tree):
    admin = _admin(tree)
    units.org_unit_close(unit=_unit(tree.org_a, "LA"), actor=admin)
    units.org_unit_close(unit=_unit(tree.org_a, "A1"), actor=admin)
    with pytest.raises(units.TransitionError, match="reopen Plant One first"):
        units.org_unit_reopen(unit=_unit(tree.org_a, "LA"), actor=admin)


@pytest.mark.parametrize("username", ["alice", "quinn", "carl", "audrey"])
def test_other_roles_are_refused_every_write_on_pages(tree, username):
    browser = _browser(getattr(tree, username))
    plant = _unit(tree.org_a, "A1")
    version = {"loaded_version": version_of(plant)}
    attempts = [
        (reverse("core:org-unit-add", args=[tree.org_a.slug]), {"name": "X", "kind": "team"}),
        (_page_url(tree, "A1"), {**version, "name": "X", "kind": "site"}),
        (_page_url(tree, "A1", "move"), {"move-parent": _unit(tree.org_a, "S").pk}),
        (_page_url(tree, "A1", "close"), {"close-closed_on": TODAY.isoformat()}),
        (_page_url(tree, "A1", "reopen"), {}),
    ]
    for url, data in attempts:
        assert browser.post(url, data).status_code == 403, url
    assert _unit(tree.org_a, "A1").name == "Plant One"
    assert _parent_name(plant) == "Acme Test Ltd"


def test_another_organisations_unit_is_404(tree):
    browser = _browser(tree.adam)
    other = _unit(tree.org_b, "B").pk
    for name in ("core:org-unit", "core:org-unit-move", "core:org-unit-close"):
        url = reverse(name, args=[tree.org_a.slug, other])
        method = browser.get if name == "core:org-unit" else browser.post
        assert method(url).status_code == 404


def test_the_audit_trail_names_the_unit_and_the_move(tree):
    units.org_unit_move(
        unit=_unit(tree.org_a, "LA"), new_parent=_unit(tree.org_a, "S"), actor=_admin(tree)
    )
    page = _browser(tree.adam).get(reverse("core:audit-trail", args=[tree.org_a.slug]))
    html = page.content.decode()
    assert (
        "Moved from under Acme Test Ltd \u203a Plant One to under Acme Test Ltd \u203a Sales"
        in html
    )
    assert "Line A" in html


# --- API ----------------------------------------------------------------------------------------


def _api(api_client, user):
    api_client.force_authenticate(user)
    return api_client


def _api_url(cast, code=None, step=None) -> str:
    base = f"/api/v1/organizations/{cast.org_a.slug}/org-units/"
    if code is None:
        return base
    url = f"{base}{_unit(cast.org_a, code).pk}/"
    return f"{url}{step}/" if step else url


def test_api_admin_adds_renames_moves_closes_and_reopens(tree, api_client):
    api = _api(api_client, tree.adam)
    created = api.post(
        _api_url(tree),
        {"name": "Goods in", "code": "GI", "kind": "team", "parent": _unit(tree.org_a, "A1").pk},
        format="json",
    )
    assert created.status_code == 201, created.json()
    assert created.json()["parent"] == _unit(tree.org_a, "A1").pk

    read = api.get(_api_url(tree, "GI"))
    renamed = api.patch(
        _api_url(tree, "GI"), {"name": "Goods inwards"}, format="json", HTTP_IF_MATCH=read["ETag"]
    )
    assert renamed.status_code == 200, renamed.json()
    assert renamed.json()["name"] == "Goods inwards"

    moved = api.post(
        _api_url(tree, "GI", "move"), {"parent": _unit(tree.org_a, "S").pk}, format="json"
    )
    assert moved.status_code == 200, moved.json()
    assert moved.json()["parent"] == _unit(tree.org_a, "S").pk

    closed = api.post(_api_url(tree, "GI", "close"), {}, format="json")
    assert closed.status_code == 200 and closed.json()["closed_on"] == TODAY.isoformat()
    again = api.post(_api_url(tree, "GI", "close"), {}, format="json")
    assert again.status_code == 409
    reopened = api.post(_api_url(tree, "GI", "reopen"))
    assert reopened.status_code == 200 and reopened.json()["closed_on"] is None


def test_api_patch_refuses_a_move_or_close_it_would_not_make(tree, api_client):
    """Found by the try-out: PATCH {"parent": …} or {"closed_on": …} answered 200 and changed
    nothing. It says where to go; the whole record sent back unchanged is still accepted."""
    api = _api(api_client, tree.adam)
    read = api.get(_api_url(tree, "LA"))
    body = read.json()
    for change in ({"parent": _unit(tree.org_a, "S").pk}, {"closed_on": "2026-12-01"}):
        refused = api.patch(_api_url(tree, "LA"), change, format="json", HTTP_IF_MATCH=read["ETag"])
        assert refused.status_code == 400, refused.json()
        (field,) = change
        assert "POST to" in refused.json()[field][0]
    assert _parent_name(_unit(tree.org_a, "LA")) == "Plant One"
    assert _unit(tree.org_a, "LA").closed_on is None
    same = api.patch(
        _api_url(tree, "LA"), {**body, "name": "Line A1"}, format="json",
        HTTP_IF_MATCH=read["ETag"],
    )  # fmt: skip
    assert same.status_code == 200 and _unit(tree.org_a, "LA").name == "Line A1"


def test_api_patch_needs_if_match_and_refuses_a_stale_one(tree, api_client):
    api = _api(api_client, tree.adam)
    read = api.get(_api_url(tree, "S"))
    assert api.patch(_api_url(tree, "S"), {"name": "X"}, format="json").status_code == 428
    units.org_unit_change(
        unit=_unit(tree.org_a, "S"),
        actor=_admin(tree),
        name="Sales & service",
        code="S",
        kind="department",
    )
    stale = api.patch(_api_url(tree, "S"), {"name": "X"}, format="json", HTTP_IF_MATCH=read["ETag"])
    assert stale.status_code == 412
    assert stale.json()["changed_by"] == "Adam Test"
    assert _unit(tree.org_a, "S").name == "Sales & service"


def test_api_refuses_malformed_input_and_changes_nothing(tree, api_client):
    api = _api(api_client, tree.adam)
    before = OrgUnit.objects.count()
    long_name = api.post(
        _api_url(tree), {"name": "x" * 10_000, "parent": _unit(tree.org_a, "A").pk}, format="json"
    )
    assert long_name.status_code == 400 and "name" in long_name.json()
    foreign = api.post(
        _api_url(tree), {"name": "Stray", "parent": _unit(tree.org_b, "B").pk}, format="json"
    )
    assert foreign.status_code == 400
    assert "in this organisation" in str(foreign.json()["parent"])
    not_a_number = api.post(_api_url(tree), {"name": "Stray", "parent": "abc"}, format="json")
    assert not_a_number.status_code == 400
    assert OrgUnit.objects.count() == before
    into_child = api.post(
        _api_url(tree, "A1", "move"), {"parent": _unit(tree.org_a, "LA").pk}, format="json"
    )
    assert into_child.status_code == 400
    assert _parent_name(_unit(tree.org_a, "A1")) == "Acme Test Ltd"


def test_api_a_closed_unit_is_refused_for_a_new_objective_but_kept_on_an_existing_one(
    tree, api_client
):
    line = _unit(tree.org_a, "LA")
    existing = make_objective(tree, code="LINE", unit=line)
    units.org_unit_close(unit=line, actor=_admin(tree))
    api = _api(api_client, tree.quinn)
    objectives_url = f"/api/v1/organizations/{tree.org_a.slug}/objectives/"
    read = api.get(f"{objectives_url}{existing.code}/")
    assert read.status_code == 200
    body = {k: v for k, v in read.json().items() if v is not None}
    body.update(code="NEW-01", title="New on a closed unit")
    for key in ("org_unit_name", "owner_name", "accountable_executive_name", "current_status"):
        body.pop(key, None)
    refused = api.post(objectives_url, body, format="json")
    assert refused.status_code == 400
    assert "Line A is closed (since" in str(refused.json()["org_unit"])
    assert not QualityObjective.objects.filter(code="NEW-01").exists()
    kept = api.patch(
        f"{objectives_url}{existing.code}/",
        {"org_unit": line.pk, "title": "Still on Line A"},
        format="json",
        HTTP_IF_MATCH=read["ETag"],
    )
    assert kept.status_code == 200, kept.json()


@pytest.mark.parametrize("username", ["alice", "quinn", "carl", "audrey"])
def test_api_other_roles_read_and_are_refused_every_write(tree, api_client, username):
    api = _api(api_client, getattr(tree, username))
    assert api.get(_api_url(tree)).status_code == 200
    read = api.get(_api_url(tree, "A1"))
    assert read.status_code == 200
    writes = [
        api.post(_api_url(tree), {"name": "X", "parent": _unit(tree.org_a, "A").pk}, format="json"),
        api.patch(_api_url(tree, "A1"), {"name": "X"}, format="json", HTTP_IF_MATCH=read["ETag"]),
        api.post(
            _api_url(tree, "A1", "move"), {"parent": _unit(tree.org_a, "S").pk}, format="json"
        ),
        api.post(_api_url(tree, "A1", "close"), {}, format="json"),
        api.post(_api_url(tree, "A1", "reopen")),
    ]
    assert [w.status_code for w in writes] == [403] * 5
    assert _unit(tree.org_a, "A1").name == "Plant One"


def test_api_another_organisations_unit_is_404(tree, api_client):
    api = _api(api_client, tree.adam)
    other = _unit(tree.org_b, "B").pk
    base = f"/api/v1/organizations/{tree.org_a.slug}/org-units/{other}/"
    assert api.get(base).status_code == 404
    assert api.post(f"{base}close/", {}, format="json").status_code == 404


def test_a_closed_unit_is_not_offered_on_a_registers_new_record_form(tree):
    """The registers' forms are generated: one rule for all of them (nonconformities here)."""
    units.org_unit_close(unit=_unit(tree.org_a, "LA"), actor=_admin(tree))
    page = _browser(tree.quinn).get(
        reverse("registers:nonconformities-new", args=[tree.org_a.slug])
    )
    assert page.status_code == 200
    options = page.content.decode().split('name="org_unit"')[1].split("</select>")[0]
    assert "Sales" in options and "Line A" not in options


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_administrators_moving_crosswise_at_once_cannot_make_a_loop(tree, monkeypatch):
    """Sales under Plant One, and at the same moment Plant One under Sales: each is fine alone,
    both together would make a loop, and each request locks its own unit before the other's (a
    deadlock on PostgreSQL without the tree's lock). The tree's lock lets one through; the
    other then sees the moved tree and is refused."""
    import contextlib
    import threading

    from django.db import connection

    from tests.factories import MembershipFactory, UserFactory

    assert connection.vendor == "postgresql"
    ann = UserFactory(username="ann", first_name="Ann", last_name="Test")
    MembershipFactory(user=ann, organization=tree.org_a, role="admin")
    browsers = {"adam": _browser(tree.adam), "ann": _browser(ann)}
    forms = {
        "adam": _forms_of(browsers["adam"].get(_page_url(tree, "S")).content)["move"],
        "ann": _forms_of(browsers["ann"].get(_page_url(tree, "A1")).content)["move"],
    }
    posts = {
        "adam": (_page_url(tree, "S", "move"), _unit(tree.org_a, "A1").pk),
        "ann": (_page_url(tree, "A1", "move"), _unit(tree.org_a, "S").pk),
    }
    both_locked = threading.Barrier(2, timeout=1)
    real_lock = units.lock_tree

    def lock_then_wait(organization_id):
        real_lock(organization_id)
        with contextlib.suppress(threading.BrokenBarrierError):
            both_locked.wait()

    monkeypatch.setattr(units, "lock_tree", lock_then_wait)
    answers = {}

    def move(who):
        url, parent = posts[who]
        try:
            answers[who] = (
                browsers[who].post(url, {**forms[who], "move-parent": parent}).status_code
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=move, args=(who,)) for who in posts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answers.values()) == [302, 400]
    paths = dict(OrgUnit.objects.filter(organization=tree.org_a).values_list("code", "path"))
    assert len(set(paths.values())) == len(paths)  # no two units on one path
    sales, plant = paths["S"], paths["A1"]
    assert not (sales.startswith(plant) and plant.startswith(sales))


def test_a_renamed_unit_takes_its_place_in_name_order(tree):
    units.org_unit_change(
        unit=_unit(tree.org_a, "A1"), actor=_admin(tree), name="Zeta Plant", code="A1", kind="site"
    )
    names = list(OrgUnit.objects.for_organization(tree.org_a).values_list("name", flat=True))
    assert names == ["Acme Test Ltd", "Sales", "Zeta Plant", "Line A"]


# --- import -------------------------------------------------------------------------------------


def _upload(browser, cast, text: str, name="units.csv"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return browser.post(
        reverse("core:org-units-import", args=[cast.org_a.slug]),
        {"file": SimpleUploadedFile(name, text.encode(), content_type="text/csv")},
    )


def test_admin_imports_a_tree_parents_after_children_and_again_adds_nothing(tree):
    browser = _browser(tree.adam)
    text = (
        "name,code,parent_code,kind\n"
        "Goods In Team,GI-T,GI,team\n"  # its parent comes on the next row
        "Goods In,GI,A1,Department\n"
        "Marketing,MK,A,\n"
        "Sales,S,A,department\n"  # already there, same name and parent: unchanged
    )
    response = _upload(browser, tree, text)
    assert response.status_code == 302
    page = browser.get(response.url).content.decode()
    assert "Added 3 units from units.csv. 1 was already there, unchanged." in page
    assert _parent_name(_unit(tree.org_a, "GI-T")) == "Goods In"
    assert _parent_name(_unit(tree.org_a, "GI")) == "Plant One"
    assert _unit(tree.org_a, "MK").kind == "department"
    assert _unit(tree.org_a, "GI").history.latest().history_change_reason == (
        "Imported from units.csv"
    )
    before = OrgUnit.objects.count()
    again = _upload(browser, tree, text)
    assert again.status_code == 302
    assert OrgUnit.objects.count() == before


def test_an_import_with_a_bad_row_imports_nothing_and_lists_each_row(tree):
    before = OrgUnit.objects.count()
    text = (
        "name,code,parent_code,kind\n"
        "Goods In,GI,A1,team\n"
        ",NONAME,A1,team\n"
        "Stray,ST,NOPE,team\n"
        "Plant Two,A1,A,site\n"  # A1 is Plant One
        "Closed child,CC,LA,shift\n"
        f"{'x' * 10_000},LONG,A,team\n"
    )
    units.org_unit_close(unit=_unit(tree.org_a, "LA"), actor=_admin(tree))
    response = _upload(_browser(tree.adam), tree, text)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Nothing was imported" in html
    assert "Row 3: the name is empty." in html
    assert "Row 4: there is no unit with the code NOPE" in html
    assert "Row 5: A1 is already Plant One under A" in html
    assert "the kind &#x27;shift&#x27; is not Company" in html
    assert "Row 7: the name has 10000 characters (at most 200)." in html
    assert OrgUnit.objects.count() == before


def test_an_import_under_a_closed_unit_or_in_a_loop_is_refused(tree):
    units.org_unit_close(unit=_unit(tree.org_a, "LA"), actor=_admin(tree))
    text = "name,code,parent_code\nUnder closed,UC,LA\nOne,L1,L2\nTwo,L2,L1\n"
    response = _upload(_browser(tree.adam), tree, text)
    html = response.content.decode()
    assert response.status_code == 400
    assert "Line A (LA) is closed and takes no new units" in html
    # Said of each row of the loop, whichever comes first (try-out: "the rows above it" on row 2).
    assert "Row 3: L1 belongs under L2, which belongs (directly or through other rows" in html
    assert "Row 4: L2 belongs under L1" in html
    assert not OrgUnit.objects.filter(code__in=["UC", "L1", "L2"]).exists()


def test_an_import_file_that_is_not_a_spreadsheet_is_refused(tree):
    response = _upload(_browser(tree.adam), tree, "hello", name="units.txt")
    assert response.status_code == 400
    assert "Choose a .csv or .xlsx file." in response.content.decode()


@pytest.mark.parametrize("username", ["alice", "quinn", "carl", "audrey"])
def test_other_roles_cannot_import_units(tree, username):
    response = _upload(_browser(getattr(tree, username)), tree, "name,code,parent_code\nX,X,A\n")
    assert response.status_code == 403
    assert not OrgUnit.objects.filter(code="X").exists()


def test_api_a_members_closed_unit_is_kept_when_the_member_changes(tree, api_client):
    sales = _unit(tree.org_a, "S")
    carl = Membership.objects.get(user=tree.carl)
    carl.org_unit = sales
    carl.save()
    # As for a member who had left when the unit closed, and was reactivated since.
    OrgUnit.objects.filter(pk=sales.pk).update(closed_on=TODAY)
    api = _api(api_client, tree.adam)
    url = f"/api/v1/organizations/{tree.org_a.slug}/memberships/{carl.pk}/"
    read = api.get(url)
    kept = api.patch(
        url, {"job_title": "Lead", "org_unit": sales.pk}, format="json", HTTP_IF_MATCH=read["ETag"]
    )
    assert kept.status_code == 200, kept.json()
    quinn = Membership.objects.get(user=tree.quinn)
    url = f"/api/v1/organizations/{tree.org_a.slug}/memberships/{quinn.pk}/"
    read = api.get(url)
    refused = api.patch(url, {"org_unit": sales.pk}, format="json", HTTP_IF_MATCH=read["ETag"])
    assert refused.status_code == 400
    assert "Sales is closed (since" in str(refused.json())


def test_codes_are_one_whatever_their_case(tree):
    """Found by the try-out: "ldS" was added beside "LDS", an import added "DC" and "dc", and
    an import's parent_code "acme" found no unit though ACME existed."""
    import pytest as _pytest
    from django.core.exceptions import ValidationError

    with _pytest.raises(ValidationError, match="already the code of Sales"):
        units.org_unit_add(
            organization=tree.org_a, actor=_admin(tree), name="Sales 2",
            parent=_unit(tree.org_a, "A"), code="s", kind="department",
        )  # fmt: skip
    twice = _upload(_browser(tree.adam), tree, "name,code,parent_code\nD1,DC,A\nD2,dc,A\n")
    assert twice.status_code == 400 and "the code dc is also on row 2" in twice.content.decode()
    lower = _upload(_browser(tree.adam), tree, "name,code,parent_code\nGoods In,GI,a1\n")
    assert lower.status_code == 302
    assert _parent_name(_unit(tree.org_a, "GI")) == "Plant One"


def test_a_unit_cannot_have_closed_before_it_was_added(tree):
    """Found by the try-out: "Closed on 1 Jan 1800" for a unit added this week."""
    import datetime

    from django.core.exceptions import ValidationError

    line = _unit(tree.org_a, "LA")
    with pytest.raises(ValidationError, match="cannot be before the unit was added"):
        units.org_unit_close(unit=line, actor=_admin(tree), on=datetime.date(1800, 1, 1))
    line.refresh_from_db()
    assert line.closed_on is None


def test_filters_mark_a_closed_unit(tree):
    """Found by the try-out: the dashboard's and the objectives list's unit filters listed
    closed units as if open. One label for a unit in every select of the tree."""
    units.org_unit_close(unit=_unit(tree.org_a, "LA"), actor=_admin(tree))
    browser = _browser(tree.quinn)
    for name in ("dashboard:dashboard", "objectives:list"):
        page = browser.get(reverse(name, args=[tree.org_a.slug])).content.decode()
        assert "Line A (closed)</option>" in page, name
        assert "Sales</option>" in page and "Sales (closed)" not in page, name
