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

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from objectives.models import QualityObjective
from qms.core.models import Membership
from qms.core.tenancy import limit_to_audit_scope, readable_by_unit_auditors
from tests.security.routes import all_routes, discover, is_api
from tests.seeded import demo_for_module

pytestmark = pytest.mark.django_db

ORG_ROUTES, _ = all_routes()
TEXT_FIELDS = ("title", "name", "code")


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with demo_for_module(django_db_blocker) as context:
        with django_db_blocker.unblock():
            client = Client()
            client.force_login(context.members["quality"].user)
            context.found = discover(client, context.organization.slug, ORG_ROUTES)
        yield context


@pytest.fixture
def auditor(demo):
    """The demo's auditor, limited to Sheffield Machining."""
    membership = demo.members["auditor"]
    Membership.objects.filter(pk=membership.pk).update(org_unit=demo.units["SHF"])
    membership.refresh_from_db()
    return membership


def _texts(records) -> set[str]:
    texts = set()
    for record in records:
        for field in TEXT_FIELDS:
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
        inside |= _texts(visible)
        outside |= _texts(every.exclude(pk__in=visible.values("pk")))
    return {text for text in outside if not any(text in seen for seen in inside)}


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
    page_client, api_client = Client(), APIClient()
    page_client.force_login(auditor.user)
    api_client.force_authenticate(auditor.user)
    # The quality manager's walk reaches other units' records; the auditor's own walk reaches
    # the records of their unit (whose pages may link to others').
    paths = set(demo.found.items())
    paths |= set(discover(page_client, demo.organization.slug, ORG_ROUTES).items())
    leaks, answered = [], []
    for route, path in sorted(paths):
        client = api_client if is_api(route) else page_client
        response = client.get(path)
        if response.status_code != 200:
            assert response.status_code in (302, 403, 404, 405), (path, response.status_code)
            continue
        answered.append(route)
        found = pattern.findall(_readable(response))
        if found:
            leaks.append((path, sorted(set(found))[:3]))
    assert not leaks, f"{len(leaks)} answers show other units' records: {leaks[:10]}"
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
    for name in ("core:members", "core:audit-trail", "core:actions", "reviews:list"):
        refused = client.get(reverse(name, args=[slug]))
        assert refused.status_code == 403, name
        assert "limited to Sheffield Machining" in refused.content.decode()
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
    linked_elsewhere = Risk.objects.filter(organization=demo.organization).exclude(
        objectives__org_unit__path__startswith=demo.units["SHF"].path
    )
    assert linked_elsewhere.filter(objectives__isnull=False).exists(), "the demo has some"
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


def test_a_unit_auditors_evidence_pack_holds_nothing_of_another_unit(
    demo, auditor, settings, tmp_path
):
    """Every file of the pack (its report too) is read like a page of the walk; the sections
    that cover the whole organisation are left out and the report says so."""
    import datetime

    from pypdf import PdfReader

    from qms.evidence import services

    settings.QMS_DATA_DIR = tmp_path
    markers = other_units_texts(demo.organization, auditor)
    pattern = re.compile("|".join(re.escape(m) for m in sorted(markers, key=len, reverse=True)))
    today = demo.today
    pack = services.pack_request(
        membership=auditor,
        org_unit=None,
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
    assert "limited to Sheffield Machining" in index
