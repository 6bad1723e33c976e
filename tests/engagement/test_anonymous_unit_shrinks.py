"""An anonymous suggestion names a unit only while at least five people could have written it.
Checked when it is sent, and again whenever it is shown: if the unit shrinks afterwards (people
leave, move, or their access ends), every surface shows the unit above it that is still large
enough, or the whole organisation, so "where" never comes to point at its author (issue-20
fifth try-out). What is stored does not change; the unit comes back if the unit grows again."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from leadership.engagement.selectors import accepted_suggestions, suggestion_figures
from leadership.engagement.selectors.evidence import suggestions_for_evidence
from leadership.engagement.services import suggestions as services
from qms.core.models import Membership
from tests.factories import MembershipFactory, make_unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def line(cast, placed, units):
    """Line 3 (beneath Plant One, beneath the company) with five contributors, carl among
    them, and an anonymous suggestion about it, sent while it was large enough; quinn works
    at Plant One, alice and adam at the company."""
    members = placed
    line = make_unit(cast.org_a, "Line 3", parent=units["A1"], kind="department", code="A1L3")
    Membership.objects.filter(pk=members["carl"].pk).update(org_unit=line)
    others = [
        MembershipFactory(organization=cast.org_a, role="contributor", org_unit=line)
        for _ in range(4)
    ]
    members["carl"].refresh_from_db()
    suggestion = services.suggestion_submit(
        membership=members["carl"], title="Quieter compressor", org_unit=line, is_anonymous=True
    )
    signed = services.suggestion_submit(
        membership=members["carl"], title="Label the racks", org_unit=line
    )
    return {"unit": line, "others": others, "anonymous": suggestion, "signed": signed}


def _shrink(line) -> None:
    """Two of Line 3's five leave it: one is deactivated, one's access ends."""
    first, second = line["others"][:2]
    Membership.objects.filter(pk=first.pk).update(is_active=False, deactivated_at=timezone.now())
    Membership.objects.filter(pk=second.pk).update(
        access_expires_on=timezone.localdate() - datetime.timedelta(days=1)
    )


def _where(detail: str) -> str:
    return detail.split(">Where</dt>")[1].split("</dd>")[0].split(">", 1)[1].strip()


def _pages(client, cast, suggestion) -> dict[str, str]:
    client.force_login(cast.quinn)
    base = ["acme-test"]
    return {
        "list": client.get(reverse("engagement:suggestions", args=base)).content.decode(),
        "detail": client.get(
            reverse("engagement:suggestion", args=[*base, suggestion.pk])
        ).content.decode(),
        "figures": client.get(reverse("engagement:suggestion-figures", args=base)).content.decode(),
    }


def test_while_the_unit_is_large_enough_the_anonymous_suggestion_names_it(client, cast, line):
    assert _where(_pages(client, cast, line["anonymous"])["detail"]) == "Line 3"


def test_once_the_unit_shrinks_no_page_names_it_on_the_anonymous_suggestion(
    client, cast, line, units
):
    _shrink(line)
    pages = _pages(client, cast, line["anonymous"])
    # Plant One holds Line 3's three and quinn: four who could write, so it folds to the
    # company (alice and adam too: six).
    assert _where(pages["detail"]) == "Acme Test Ltd"
    # The list names the signed one's unit (its author is named anyway), not the anonymous.
    rows = {
        title: pages["list"][pages["list"].index(title) :].split("</tr>")[0]
        for title in ("Quieter compressor", "Label the racks")
    }
    assert "Line 3" not in rows["Quieter compressor"]
    assert "Line 3" in rows["Label the racks"]
    # The figures per unit count the anonymous one at the company, the signed one at Line 3.
    figures = pages["figures"].split("Per unit")[1]
    assert figures.count("Line 3") == 1 and "Acme Test Ltd" in figures
    # The stored unit is unchanged: it comes back when the unit is large enough again.
    line["anonymous"].refresh_from_db()
    assert line["anonymous"].org_unit == line["unit"]


def test_it_folds_into_the_nearest_unit_still_large_enough(client, cast, line, members, units):
    """Plant One with five who could write (the two who left Line 3 are replaced there)."""
    for _ in range(2):
        MembershipFactory(organization=cast.org_a, role="contributor", org_unit=units["A1"])
    _shrink(line)
    assert _where(_pages(client, cast, line["anonymous"])["detail"]) == "Plant One"


def test_the_api_figures_review_input_and_evidence_fold_it_too(
    api_client, cast, line, members, units
):
    _shrink(line)
    anonymous = line["anonymous"]
    api_client.force_authenticate(cast.quinn)
    base = "/api/v1/organizations/acme-test/suggestions/"
    assert api_client.get(f"{base}{anonymous.pk}/").json()["org_unit"] == units["A"].pk
    listed = {s["id"]: s["org_unit"] for s in api_client.get(base).json()["results"]}
    assert listed == {anonymous.pk: units["A"].pk, line["signed"].pk: line["unit"].pk}

    today = timezone.localdate()
    start = today.replace(day=1) - datetime.timedelta(days=62)
    _, by_unit = suggestion_figures(organization=cast.org_a, start=start, end=today)
    assert {u.unit_name: u.submitted for u in by_unit} == {"Acme Test Ltd": 1, "Line 3": 1}

    rows = suggestions_for_evidence(organization=cast.org_a, start=start, end=today)
    assert {r["title"]: r["unit"] for r in rows} == {
        "Quieter compressor": "Acme Test Ltd",
        "Label the racks": "Line 3",
    }
    services.suggestion_accept_as_opportunity(suggestion=anonymous, actor=members["quinn"])
    (accepted,) = accepted_suggestions(organization=cast.org_a, start=start, end=today)
    assert accepted.shown_unit_name == "Acme Test Ltd"


def test_with_no_unit_large_enough_it_reads_as_the_whole_organisation(client, cast, line):
    _shrink(line)
    Membership.objects.filter(organization=cast.org_a, user__username__in=["alice", "adam"]).update(
        is_active=False, deactivated_at=timezone.now()
    )
    where = _where(_pages(client, cast, line["anonymous"])["detail"])
    assert where == "The whole organisation"


def test_a_review_frozen_before_the_unit_shrank_keeps_no_anonymous_unit(cast, line, members):
    """A review's input is frozen (and kept in the audit trail and every pack after): an
    anonymous suggestion's unit, still large enough when the review was prepared, stayed named
    there once the unit shrank (sixth issue-20 try-out). It is not frozen at all; a signed
    suggestion's unit is."""
    from leadership.engagement.selectors import improvements_for_review

    anonymous = line["anonymous"]
    services.suggestion_accept_as_opportunity(suggestion=anonymous, actor=members["quinn"])
    services.suggestion_accept_as_opportunity(suggestion=line["signed"], actor=members["quinn"])
    today = timezone.localdate()
    frozen = improvements_for_review(organization=cast.org_a, start=today, end=today)
    units = {s["title"]: s["unit"] for s in frozen["suggestions"]}
    assert units == {"Quieter compressor": "", "Label the racks": "Line 3"}
    assert "Line 3" not in str(
        [s for s in frozen["suggestions"] if s["reference"] == anonymous.reference]
    )
