"""An auditor whose access is limited to a unit reads that unit's subtree, on every surface.

The walk: the quality manager's walk of the demo finds a real path for every page, download
and API endpoint (`routes.discover`); each is then asked by an auditor limited to Sheffield
Machining, and every answer that is not a refusal must hold no title, name or code of a record
that belongs to another unit. Pages that cannot be limited to a unit refuse with a page that
says why (the rule and its registry are in `qms.core.tenancy`).
"""

from __future__ import annotations

import io
import re
import zipfile
from html import unescape

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from objectives.models import QualityObjective
from qms.core.actions.models import Action
from qms.core.models import Membership
from qms.core.tenancy import limit_to_audit_scope, readable_by_unit_auditors
from tests.security.routes import all_routes, discover, is_api
from tests.seeded import demo_for_module

pytestmark = pytest.mark.django_db

ORG_ROUTES, _ = all_routes()
TEXT_FIELDS = ("title", "name", "code")
# What a record the auditor may read says in its own words is no leak when another unit's
# record has the same words (a risk's treatment names the action raised on it elsewhere).
OWN_WORDS = (*TEXT_FIELDS, "description", "treatment")


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with demo_for_module(django_db_blocker) as context:
        with django_db_blocker.unblock():
            _link_organisation_wide_records_to_other_units(context)
            client = Client()
            client.force_login(context.members["quality"].user)
            context.found = discover(client, context.organization.slug, ORG_ROUTES)
        yield context


def _link_organisation_wide_records_to_other_units(context):
    """Every organisation-wide register record (risks, party requirements) linked to records
    of units outside Sheffield's subtree as well as to Sheffield's own, and Sheffield's
    processes to other units' objectives and process, so that any surface naming a linked
    record without the rule shows the walk another unit's title or code."""
    from leadership.models import PartyRequirement, Process, Risk

    organization = context.organization
    shf = type(context.units["SHF"]).objects.get(pk=context.units["SHF"].pk)  # its path as stored
    objectives = QualityObjective.objects.filter(organization=organization)
    inside = objectives.filter(org_unit__path__startswith=shf.path).order_by("code")
    outside = objectives.exclude(org_unit__path__startswith=shf.path).order_by("code")
    assert inside.exists() and outside.exists()
    linked = [inside.first(), *outside[:3]]
    for risk in Risk.objects.filter(organization=organization):
        risk.objectives.add(*linked)
    for requirement in PartyRequirement.objects.filter(organization=organization):
        requirement.objectives.add(*linked)
    processes = Process.objects.filter(organization=organization)
    elsewhere = processes.exclude(org_unit__path__startswith=shf.path).first()
    assert elsewhere is not None, "the demo has a process of another unit"
    elsewhere.risks.add(*Risk.objects.filter(organization=organization))
    # And Sheffield's own processes measured by other units' KPIs, handing over to another
    # unit's process: their pages and the unit's pack name neither.
    for process in processes.filter(org_unit__path__startswith=shf.path):
        process.objectives.add(*outside[:2])
        process.hands_over_to.add(elsewhere)


@pytest.fixture
def auditor(demo):
    """The demo's auditor, limited to Sheffield Machining."""
    membership = demo.members["auditor"]
    Membership.objects.filter(pk=membership.pk).update(org_unit=demo.units["SHF"])
    membership.refresh_from_db()
    return membership


def _texts(records, fields=TEXT_FIELDS) -> set[str]:
    texts = set()
    for record in records:
        for field in fields:
            value = getattr(record, field, None)
            if isinstance(value, str) and len(value) >= 6:
                texts.add(value)
    return texts


def other_units_texts(organization, auditor) -> set[str]:
    """Titles, names and codes of the records of every model that belongs to a unit, outside
    the auditor's subtree (less any that a record they may read, of their units or of the
    organisation-wide ones, also carries: "Complaint handling" is in a risk's title)."""
    inside, outside = set(), set()
    for model in apps.get_models():
        if model.__name__.startswith("Historical") or not readable_by_unit_auditors(model):
            continue
        if not any(f.name == "organization" for f in model._meta.get_fields()):
            continue
        every = model._default_manager.filter(organization=organization)
        visible = limit_to_audit_scope(every, auditor)
        inside |= _texts(visible, OWN_WORDS)
        outside |= _texts(every.exclude(pk__in=visible.values("pk")))
    return {text for text in outside if not any(text in seen for seen in inside)}


def other_units_menu_names(organization, auditor) -> set[str]:
    """Names of the units outside the auditor's subtree and of the members who do not work in
    it: none may be a choice of a menu (filters, unit and member pickers) they are offered."""
    from qms.core.models import OrgUnit

    units = OrgUnit.objects.filter(organization=organization)
    members = Membership.objects.filter(organization=organization).select_related("user")
    inside = {u.name for u in limit_to_audit_scope(units, auditor)} | {
        m.display_name for m in limit_to_audit_scope(members, auditor)
    }
    outside = {u.name for u in units} | {m.display_name for m in members}
    return {name for name in outside - inside if not any(name in seen for seen in inside)}


OPTION = re.compile(r"<option\b[^>]*>(.*?)</option>", re.S)
# A menu's empty choice may not promise more than the auditor's unit.
WIDER_THAN_THEIR_UNIT = ("Whole organisation", "All units")


def menu_leaks(html: str, names: set[str]) -> list[str]:
    """The choices of the page's menus that name another unit or one of its members, or offer
    the whole organisation."""
    choices = [unescape(re.sub(r"<[^>]+>", "", text)).strip() for text in OPTION.findall(html)]
    return [
        choice
        for choice in choices
        if choice in WIDER_THAN_THEIR_UNIT or any(name in choice for name in names)
    ]


def _readable(response) -> str:
    content = response.content if hasattr(response, "content") else b"".join(response)
    if content[:2] == b"PK":  # XLSX, ZIP: the text of every member
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return " ".join(
                archive.read(name).decode("utf-8", "replace") for name in archive.namelist()
            )
    return content.decode("utf-8", "replace")


def test_every_answer_to_a_unit_auditor_holds_nothing_of_another_unit(demo, auditor):
    markers = other_units_texts(demo.organization, auditor)
    assert len(markers) > 20, "the demo has records in other units to look for"
    pattern = re.compile("|".join(re.escape(m) for m in sorted(markers, key=len, reverse=True)))
    menu_names = other_units_menu_names(demo.organization, auditor)
    assert "Leeds Assembly" in menu_names and len(menu_names) > 5, "the demo has others"
    page_client, api_client = Client(), APIClient()
    page_client.force_login(auditor.user)
    api_client.force_authenticate(auditor.user)
    # The quality manager's walk reaches other units' records; the auditor's own walk reaches
    # the records of their unit (whose pages may link to others').
    paths = set(demo.found.items())
    paths |= set(discover(page_client, demo.organization.slug, ORG_ROUTES).items())
    leaks, answered, menus = [], [], []
    for route, path in sorted(paths):
        client = api_client if is_api(route) else page_client
        response = client.get(path)
        if response.status_code != 200:
            assert response.status_code in (302, 403, 404, 405), (path, response.status_code)
            continue
        answered.append(route)
        text = _readable(response)
        found = pattern.findall(text)
        if found:
            leaks.append((path, sorted(set(found))[:3]))
        if "<option" in text and (offered := menu_leaks(text, menu_names)):
            menus.append((path, offered[:3]))
    assert not leaks, f"{len(leaks)} answers show other units' records: {leaks[:10]}"
    assert not menus, f"{len(menus)} pages offer other units or their people: {menus[:10]}"
    # And the limited auditor's own part of the organisation is there to audit.
    assert len(answered) >= 10, answered


def test_a_unit_auditor_reads_their_units_records_and_is_told_why_others_are_closed(
    client, demo, auditor
):
    client.force_login(auditor.user)
    slug = demo.organization.slug
    theirs = QualityObjective.objects.filter(
        organization=demo.organization, org_unit=demo.units["SHF"]
    ).first()
    other = QualityObjective.objects.filter(
        organization=demo.organization, org_unit=demo.units["LDS"]
    ).first()
    assert theirs is not None and other is not None
    listing = client.get(reverse("objectives:list", args=[slug])).content.decode()
    assert theirs.code in listing and other.title not in listing
    assert client.get(reverse("objectives:detail", args=[slug, other.code])).status_code == 404
    home = client.get(reverse("core:org-home", args=[slug])).content.decode()
    assert "Your access is limited to Sheffield Machining" in home
    # Every link the home page and the menus offer opens (nothing offered that refuses).
    for link in sorted(set(re.findall(r'href="(/o/[^"#?]+)"', home))):
        assert client.get(link).status_code == 200, link
    for name in ("core:members", "core:audit-trail", "reviews:list"):
        refused = client.get(reverse(name, args=[slug]))
        assert refused.status_code == 403, name
        assert "limited to Sheffield Machining" in refused.content.decode()
    # Their unit's actions (owned in it), not the others', and each opens (it was refused: the
    # objective page listed them as links that answered 403).
    actions = client.get(reverse("core:actions", args=[slug])).content.decode()
    owned_here = Action.objects.filter(
        organization=demo.organization, owner__org_unit__path__startswith=auditor.org_unit.path
    )
    elsewhere = Action.objects.filter(organization=demo.organization).exclude(
        pk__in=owned_here.values("pk")
    )
    assert owned_here.exists() and elsewhere.exists()
    listed = set(re.findall(r"ACT-\d+", actions))
    assert listed and listed <= {a.reference for a in owned_here}
    for action in owned_here[:3]:
        detail = reverse("core:action-detail", args=[slug, action.number])
        assert client.get(detail).status_code == 200
    other_action = reverse("core:action-detail", args=[slug, elsewhere.first().number])
    refused = client.get(other_action)
    assert refused.status_code == 403 and "Sheffield Machining" in refused.content.decode()
    # The organisation's context and risks concern every unit: readable in full.
    assert client.get(reverse("registers:risks", args=[slug])).status_code == 200
    menu = client.get(reverse("objectives:list", args=[slug])).content.decode()
    assert reverse("core:audit-trail", args=[slug]) not in menu  # no link to a closed page
    api = APIClient()
    api.force_authenticate(auditor.user)
    codes = [
        o["code"] for o in api.get(f"/api/v1/organizations/{slug}/objectives/").json()["results"]
    ]
    assert theirs.code in codes and other.code not in codes


def test_the_whole_organisation_auditor_is_not_limited(client, demo):
    """The demo's auditor sits at the top unit: everything, as before."""
    client.force_login(demo.members["auditor"].user)
    slug = demo.organization.slug
    assert client.get(reverse("core:audit-trail", args=[slug])).status_code == 200
    assert client.get(reverse("core:members", args=[slug])).status_code == 200


def test_the_api_names_no_linked_record_of_another_unit_and_refuses_composed_lists(demo, auditor):
    """Ids are not text the walk can look for: a risk's objectives and a process's
    neighbours outside the subtree are left out; lessons learned, composed from several
    registers outside the rule, are refused; the auditor's own notifications stay open."""
    from leadership.models import Process, Risk

    slug = demo.organization.slug
    api = APIClient()
    api.force_authenticate(auditor.user)
    theirs = set(
        limit_to_audit_scope(QualityObjective.objects.all(), auditor).values_list("pk", flat=True)
    )
    elsewhere = QualityObjective.objects.filter(organization=demo.organization).exclude(
        pk__in=theirs
    )
    assert Risk.objects.filter(objectives__in=elsewhere).exists(), "the fixture links some"
    risks = api.get(f"/api/v1/organizations/{slug}/risks/?page_size=100").json()["results"]
    assert risks and all(set(r["objectives"]) <= theirs for r in risks)
    their_processes = set(
        limit_to_audit_scope(Process.objects.all(), auditor).values_list("pk", flat=True)
    )
    processes = api.get(f"/api/v1/organizations/{slug}/processes/").json()["results"]
    assert processes
    for process in processes:
        assert set(process.get("hands_over_to", [])) <= their_processes
    assert api.get(f"/api/v1/organizations/{slug}/lessons/").status_code == 403
    assert api.get(f"/api/v1/organizations/{slug}/notifications/").status_code == 200


def test_a_unit_auditors_dashboard_and_its_exports_leave_out_organisation_wide_figures(
    client, demo, auditor
):
    """Reviews, each executive's accountability and the pulse survey are organisation-wide:
    they are left out of the page, the CSVs, the XLSX and the board PDF, and the filters offer
    only the auditor's units and the executives who work in them."""
    from pypdf import PdfReader

    client.force_login(auditor.user)
    slug = demo.organization.slug
    page = client.get(reverse("dashboard:dashboard", args=[slug]))
    html = page.content.decode()
    assert "panel-accountability" not in html and "limited to Sheffield Machining" in html
    units = [u.name for u in page.context["form"].fields["unit"].queryset]
    assert units == ["Sheffield Machining"]
    # Executives of other units who answer for nothing of Sheffield's (an executive
    # accountable for a Sheffield objective is named beside it, rightly).
    theirs = limit_to_audit_scope(QualityObjective.objects.all(), auditor)
    named = {o.accountable_executive.display_name for o in theirs} | {
        o.owner.display_name for o in theirs
    }
    outsiders = [
        m.display_name
        for m in Membership.objects.filter(
            organization=demo.organization, role="executive"
        ).exclude(org_unit__path__startswith=demo.units["SHF"].path)
        if m.display_name not in named
    ]
    assert outsiders, "the demo has executives of other units"
    offered = [m.display_name for m in page.context["form"].fields["executive"].queryset]
    assert not set(offered) & set(outsiders)
    for table in ("accountability", "pulse-survey", "reviews"):
        assert client.get(reverse("dashboard:table-csv", args=[slug, table])).status_code == 404
    xlsx = _readable(client.get(reverse("dashboard:board-xlsx", args=[slug])))
    pdf = client.get(reverse("dashboard:board-pdf", args=[slug]))
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    for name in outsiders:
        assert name not in html and name not in xlsx and name not in text, name


@pytest.mark.parametrize("requester", ["auditor", "quality"])
def test_a_units_evidence_pack_holds_nothing_of_another_unit(
    demo, auditor, settings, tmp_path, requester
):
    """Every file of the pack (its report too) is read like a page of the walk; the sections
    that cover the whole organisation are left out and the report says so. Whoever asked for
    it: the unit auditor gets their unit's pack, and a quality manager's pack of that unit is
    the one they would hand to such an auditor."""
    import datetime

    from pypdf import PdfReader

    from qms.evidence import services

    settings.QMS_DATA_DIR = tmp_path
    markers = other_units_texts(demo.organization, auditor)
    pattern = re.compile("|".join(re.escape(m) for m in sorted(markers, key=len, reverse=True)))
    today = demo.today
    pack = services.pack_request(
        membership=auditor if requester == "auditor" else demo.members["quality"],
        org_unit=None if requester == "auditor" else auditor.org_unit,
        period_start=today - datetime.timedelta(days=365),
        period_end=today,
        today=today,
    )
    pack = services.pack_build(pack)
    assert pack.org_unit == demo.units["SHF"] and pack.status == "ready", pack.error
    leaks = {}
    with zipfile.ZipFile(services.builder.storage_dir() / f"{pack.uuid}.zip") as archive:
        names = archive.namelist()
        for name in names:
            data = archive.read(name)
            if name.endswith(".pdf"):
                text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
            else:
                text = data.decode("utf-8", "replace")
            found = pattern.findall(text)
            if found:
                leaks[name] = sorted(set(found))[:3]
        index = archive.read("index.html").decode()
    assert not leaks, leaks
    assert any(n.startswith("6.2") or "objectives" in n for n in names)  # their objectives
    assert not any("management-reviews" in n or "5.1" in n for n in names)
    assert "holds the records of Sheffield Machining and the units under it" in index


def test_linked_records_of_other_units_are_counted_for_a_unit_auditor_never_named(
    client, demo, auditor
):
    """An organisation-wide risk or requirement linked to other units' objectives: the unit
    auditor reads their own unit's objective by name and the others as "3 records outside
    Sheffield Machining" (detail, list columns, the party's requirements). A requirement that
    only other units' objectives monitor is monitored: it was shown as "Nothing monitors it",
    which an auditor would have raised as a finding."""
    from leadership.models import PartyRequirement, Risk

    slug = demo.organization.slug
    unit = auditor.org_unit
    objectives = QualityObjective.objects.filter(organization=demo.organization)
    theirs = objectives.filter(org_unit__path__startswith=unit.path).order_by("code").first()
    others = list(objectives.exclude(org_unit__path__startswith=unit.path).order_by("code")[:3])
    risk = Risk.objects.filter(organization=demo.organization).first()
    risk.objectives.set([theirs, *others])
    requirement = PartyRequirement.objects.filter(organization=demo.organization).first()
    requirement.objectives.set(others)
    PartyRequirement.objects.filter(pk=requirement.pk).update(monitoring_register="")
    # A treatment action owned outside the unit: counted on the risk's page, not named.
    from qms.core.actions.services import action_create

    members = Membership.objects.filter(organization=demo.organization, is_active=True)
    elsewhere_owner = members.exclude(org_unit__path__startswith=unit.path).exclude(role="auditor")
    treatment = action_create(
        organization=demo.organization,
        raised_by=demo.members["quality"],
        title="Dual-source the anodising elsewhere",
        owner=elsewhere_owner.filter(role="quality_manager").first() or elsewhere_owner.first(),
        accountable_executive=members.filter(role="executive").first(),
        due_date=demo.today,
        source=risk,
        today=demo.today,
    )
    client.force_login(auditor.user)
    outside = "3 records outside Sheffield Machining"

    pages = {
        "risk": reverse("registers:risks-detail", args=[slug, risk.pk]),
        "requirement": reverse("registers:party-requirements-detail", args=[slug, requirement.pk]),
        "requirements": reverse("registers:party-requirements", args=[slug])
        + f"?party={requirement.party_id}",
        "party": reverse("registers:interested-parties-detail", args=[slug, requirement.party_id]),
    }
    texts = {name: client.get(url).content.decode() for name, url in pages.items()}

    assert str(theirs) in texts["risk"] and outside in texts["risk"]
    assert treatment.title not in texts["risk"]
    assert re.search(
        r"Also raised from it: \d+ actions? owned outside Sheffield Machining\.", texts["risk"]
    )
    for name, text in texts.items():
        for other in others:
            assert other.code not in text and other.title not in text, (name, other.code)
    assert "Nothing monitors it" not in texts["requirement"]
    assert f"Monitored</span> {outside}" in texts["requirement"]
    row = re.search(rf"{requirement.reference}.*?</tr>", texts["requirements"], re.S).group(0)
    assert outside in row and "Nothing monitors it" not in row
    assert f"monitored by {outside}" in texts["party"]
    # A quality manager reads every one by name.
    client.force_login(demo.members["quality"].user)
    page = client.get(pages["requirement"]).content.decode()
    assert all(o.code in page for o in others) and "outside" not in page


def test_a_unit_auditor_reads_the_allocations_their_units_objectives_are_given(demo, auditor):
    """An allocation belongs to its objective's unit, as the dashboard counts it: the Leeds
    auditor's API list holds the FTE that serves a Leeds objective (with no unit of its own),
    and exactly the allocations the Leeds dashboard adds up."""
    from leadership.models import ResourceAllocation
    from leadership.selectors.resources import allocation_list
    from qms.core.models import OrgUnit

    # From the database: the seeding's instance kept the path it had before its siblings came.
    leeds = OrgUnit.objects.get(pk=demo.units["LDS"].pk)
    Membership.objects.filter(pk=auditor.pk).update(org_unit=leeds)
    auditor.refresh_from_db()
    serving = ResourceAllocation.objects.filter(
        organization=demo.organization,
        org_unit__isnull=True,
        objective__org_unit__path__startswith=leeds.path,
    )
    assert serving.exists(), "the demo gives a Leeds objective an allocation"
    api = APIClient()
    api.force_authenticate(auditor.user)
    slug = demo.organization.slug
    listed = api.get(f"/api/v1/organizations/{slug}/resource-allocations/?page_size=100").json()
    ids = {a["id"] for a in listed["results"]}
    assert set(serving.values_list("pk", flat=True)) <= ids
    counted = allocation_list(organization=demo.organization, unit=leeds)
    assert ids == set(counted.values_list("pk", flat=True))
    every = ResourceAllocation.objects.filter(organization=demo.organization)
    assert ids < set(every.values_list("pk", flat=True))  # not the other units' ones


def test_a_unit_auditor_reads_the_kinds_of_interested_party(demo, auditor):
    """Kinds are organisation-wide, like the interested parties that refer to them."""
    api = APIClient()
    api.force_authenticate(auditor.user)
    answer = api.get(f"/api/v1/organizations/{demo.organization.slug}/party-kinds/")
    assert answer.status_code == 200
    assert "Customers" in {k["name"] for k in answer.json()["results"]}
