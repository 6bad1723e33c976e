"""Lessons learned: asked by the closing form of a nonconformity and of a missed objective, and
listed, searchable, in one place (and for the next review)."""

import datetime

import pytest
from django.urls import reverse

from leadership.engagement.lessons import lessons_learned
from leadership.engagement.selectors import lessons_for_evidence
from objectives.models import QualityObjective
from reviews.models import Nonconformity
from tests.objectives.factories import make_objective
from tests.objectives.test_pages import form_data
from tests.page_forms import versioned
from tests.reviews.factories import make_nc

pytestmark = pytest.mark.django_db
NC_CLOSE = {
    "title": "Burr on flange face",
    "source": "internal",
    "severity": "major",
    "detected_on": "2026-01-10",
    "status": "closed",
    "closed_on": "2026-02-01",
    "effective": "unknown",
}


def nc_edit(pk):
    return reverse("registers:nonconformities-edit", args=["acme-test", pk])


def test_closing_a_nonconformity_asks_for_the_lesson_learned(client, cast):
    nc = make_nc(cast)
    client.force_login(cast.quinn)
    # The page's form always sends the field, empty when nothing was written.
    response = client.post(nc_edit(nc.pk), versioned(nc, {**NC_CLOSE, "lesson_learned": "  "}))
    assert response.status_code == 400
    assert "Say what was learned before closing the nonconformity." in response.content.decode()
    nc.refresh_from_db()
    assert nc.status == "open"
    response = client.post(
        nc_edit(nc.pk), versioned(nc, {**NC_CLOSE, "lesson_learned": "Deburr before goods-out."})
    )
    assert response.status_code == 302
    nc.refresh_from_db()
    assert (nc.status, nc.lesson_learned) == ("closed", "Deburr before goods-out.")


def test_closing_an_objective_as_missed_asks_for_the_lesson_learned(client, cast):
    objective = make_objective(cast, code="OBJ-20")
    client.force_login(cast.quinn)
    edit = reverse("objectives:edit", args=["acme-test", "OBJ-20"])
    data = form_data(
        cast,
        status="missed",
        direction="higher",
        target="95",
        amber_threshold="92",
        red_threshold="88",
    )
    response = client.post(edit, versioned(objective, data))
    assert response.status_code == 400
    assert "Say what was learned before closing it as missed." in response.content.decode()
    objective.refresh_from_db()
    assert objective.status == "active"
    response = client.post(
        edit, versioned(objective, {**data, "lesson_learned": "Plan supplier capacity early."})
    )
    assert response.status_code == 302
    objective.refresh_from_db()
    assert (objective.status, objective.lesson_learned) == (
        "missed",
        "Plan supplier capacity early.",
    )


def test_lessons_are_listed_newest_first_and_searchable(client, cast):
    make_nc(
        cast,
        title="Burr",
        status="closed",
        closed_on=datetime.date(2026, 2, 1),
        lesson_learned="Deburr before goods-out.",
    )
    make_nc(cast, title="Open one", lesson_learned="Not closed yet.")
    objective = make_objective(cast, code="OBJ-30", due_date=datetime.date(2026, 3, 31))
    QualityObjective.objects.filter(pk=objective.pk).update(
        status="missed", lesson_learned="Plan supplier capacity early."
    )
    lessons = lessons_learned(organization=cast.org_a)
    assert [(x.kind, x.reference) for x in lessons] == [
        ("objective", "OBJ-30"),
        ("nonconformity", "NC-001"),
    ]
    assert [x.reference for x in lessons_learned(organization=cast.org_a, search="deburr")] == [
        "NC-001"
    ]
    rows = lessons_for_evidence(
        organization=cast.org_a, start=datetime.date(2026, 1, 1), end=datetime.date(2026, 2, 28)
    )
    assert [r["reference"] for r in rows] == ["NC-001"]
    for user in (cast.carl, cast.audrey):
        client.force_login(user)
        page = client.get(reverse("engagement:lessons", args=["acme-test"]) + "?q=supplier")
        assert "Plan supplier capacity early." in page.content.decode()
        assert "Deburr" not in page.content.decode()


def test_another_organisations_lessons_are_not_listed(cast):
    make_nc(
        cast,
        org=cast.org_b,
        title="Theirs",
        status="closed",
        closed_on=datetime.date(2026, 2, 1),
        lesson_learned="Their lesson.",
    )
    assert lessons_learned(organization=cast.org_a) == []
    assert Nonconformity.objects.count() == 1
