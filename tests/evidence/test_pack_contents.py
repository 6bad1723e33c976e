"""A pack for known data holds exactly the expected files and rows, states what is missing,
never holds another organisation's data, and gives identical data files when built twice."""

import csv
import datetime
import io
import json
import zipfile
from decimal import Decimal

import pytest

from qms.evidence import builder
from qms.evidence.sections import REQUIRED, Scope
from tests.evidence.factories import PERIOD, objective_with_values

pytestmark = pytest.mark.django_db


def _build(cast, tmp_path, name="pack.zip", org=None):
    scope = Scope(org or cast.org_a, None, *PERIOD)
    return builder.build(scope, tmp_path / name, created_by="Test")


def _csv(archive, path):
    return list(csv.reader(io.StringIO(archive.read(path).decode())))


def test_the_pack_holds_the_objectives_measurements_of_the_period_only(cast, tmp_path):
    objective_with_values(cast)
    built = _build(cast, tmp_path)
    with zipfile.ZipFile(built.path) as archive:
        measurements = _csv(archive, "6.2-objectives/measurements.csv")
        # The three values of 2025, not the one of December 2024.
        assert [(row[0], row[1], Decimal(row[2])) for row in measurements[1:]] == [
            ("OBJ-01", "2025-01-31", Decimal("93")),
            ("OBJ-01", "2025-02-28", Decimal("87")),
            ("OBJ-01", "2025-03-31", Decimal("96")),
        ]
        as_json = json.loads(archive.read("6.2-objectives/measurements.json"))
        assert [m["period_end"] for m in as_json] == ["2025-01-31", "2025-02-28", "2025-03-31"]
        objectives = _csv(archive, "6.2-objectives/objectives.csv")
        assert objectives[1][0] == "OBJ-01"
        names = set(archive.namelist())
    assert {"index.html", "report.pdf", "manifest.json", "manifest.sig",
            "audit-trail/audit-trail.csv", "5.2-policy/policy-versions.csv",
            "9.3-management-reviews/reviews.csv",
            "10.2-improvement/actions.csv"} <= names  # fmt: skip


def test_every_required_clause_is_in_the_report_with_missing_evidence_stated(cast, tmp_path):
    built = _build(cast, tmp_path)  # an organisation with no records at all
    clauses = {f.clause for f in built.findings}
    assert set(REQUIRED) <= clauses
    missing = " ".join(f.text for f in built.findings if f.missing)
    assert "No management review was held in the period." in missing
    assert "No quality policy version was in force during the period." in missing
    assert "No certification record." in missing
    assert "0 competence records in force during the period" in missing
    with zipfile.ZipFile(built.path) as archive:
        html = archive.read("index.html").decode()
        manifest = json.loads(archive.read("manifest.json"))
        pdf = archive.read("report.pdf")
    assert "No management review was held in the period." in html
    for clause in REQUIRED:
        assert f"ISO 9001 {clause}" in html
    assert pdf.startswith(b"%PDF")
    assert manifest["period"] == {"from": "2025-01-01", "to": "2025-12-31"}
    assert manifest["organization"]["slug"] == "acme-test"


def test_another_organisations_data_never_appears(cast, tmp_path):
    objective_with_values(cast, code="OBJ-B1", org=cast.org_b, title="Beta secret objective")
    objective_with_values(cast, code="OBJ-A1")
    built = _build(cast, tmp_path)
    with zipfile.ZipFile(built.path) as archive:
        for name in archive.namelist():
            content = archive.read(name)
            assert b"Beta secret objective" not in content, name
            assert b"OBJ-B1" not in content, name


def test_the_same_request_twice_gives_identical_data_files(cast, tmp_path):
    objective_with_values(cast)
    first = _build(cast, tmp_path, "one.zip")
    second = _build(cast, tmp_path, "two.zip")

    def hashes(path):
        with zipfile.ZipFile(path) as archive:
            manifest = json.loads(archive.read("manifest.json"))
        # The report says when it was made; every data file is the same.
        return {f["path"]: f["sha256"] for f in manifest["files"]
                if f["path"] not in ("index.html", "report.pdf")}  # fmt: skip

    assert hashes(first.path) == hashes(second.path)
    assert len(hashes(first.path)) > 10


def test_a_failed_build_leaves_no_file(cast, tmp_path, monkeypatch):
    from qms.evidence import report

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(report, "render_pdf", broken)
    with pytest.raises(RuntimeError):
        _build(cast, tmp_path)
    assert not any(p.suffix in (".zip", ".partial") for p in tmp_path.iterdir())


def test_leadership_activities_are_evidence_under_5_1(cast, tmp_path):
    from leadership.communication.models import LeadershipActivity
    from qms.core.models import Membership

    alice = Membership.objects.get(user=cast.alice)
    for org, executive, title in ((cast.org_a, alice, "Gemba walk on line 3"),):
        LeadershipActivity.objects.create(
            organization=org, executive=executive, kind="other", title=title,
            occurred_on=datetime.date(2025, 5, 6),
        )  # fmt: skip
    LeadershipActivity.objects.create(
        organization=cast.org_a, executive=alice, kind="other", title="Before the period",
        occurred_on=datetime.date(2024, 5, 6),
    )  # fmt: skip
    built = _build(cast, tmp_path)
    with zipfile.ZipFile(built.path) as archive:
        rows = _csv(archive, "5.1-leadership/leadership-activities.csv")
    assert [(r[1], r[3], r[4]) for r in rows[1:]] == [
        ("2025-05-06", "Gemba walk on line 3", "Alice Test")
    ]
    assert any(f.clause == "5.1" and "1 leadership activity" in f.text for f in built.findings)


def test_an_anonymous_suggestion_is_evidence_without_its_submitter(cast, tmp_path):

    from leadership.engagement.services.suggestions import suggestion_submit
    from qms.core.models import Membership

    carl = Membership.objects.get(user=cast.carl)
    when = datetime.datetime(2025, 6, 1, 9, 0, tzinfo=datetime.UTC)
    suggestion_submit(membership=carl, title="Label the gauges", is_anonymous=True, now=when)
    built = _build(cast, tmp_path)
    with zipfile.ZipFile(built.path) as archive:
        rows = _csv(archive, "7.3-engagement/suggestions.csv")
        everything = b"".join(archive.read(n) for n in archive.namelist())
    assert [(r[1], r[3]) for r in rows[1:]] == [("Label the gauges", "Anonymous")]
    assert b"Carl" not in everything  # not in the suggestions, the audit trail or the report


def test_a_pack_limited_to_a_unit_holds_the_audit_trail_of_that_unit_only(cast, tmp_path):
    """The audit trail is an auditor's sampling tool: limited to a unit, it must not carry
    other units' changes, nor organisation-wide records (they have no unit)."""
    from django.utils import timezone

    from qms.core.models import OrgUnit
    from tests.objectives.factories import make_objective

    units = {u.code: u for u in OrgUnit.objects.filter(organization=cast.org_a)}
    top = make_objective(cast, code="OBJ-TOP", unit=units["A"])
    plant = make_objective(cast, code="OBJ-PLANT", unit=units["A1"])
    today = timezone.localdate()
    period = (today - datetime.timedelta(days=1), today + datetime.timedelta(days=1))

    def trail(unit):
        built = builder.build(Scope(cast.org_a, unit, *period), tmp_path / "p.zip", created_by="T")
        with zipfile.ZipFile(built.path) as archive:
            return [(row[1], row[2]) for row in _csv(archive, "audit-trail/audit-trail.csv")[1:]]

    everything = trail(None)
    assert ("Quality objective", str(top.pk)) in everything
    assert ("Quality objective", str(plant.pk)) in everything
    limited = trail(units["A1"])
    assert ("Quality objective", str(plant.pk)) in limited
    assert ("Quality objective", str(top.pk)) not in limited
    assert {kind for kind, _ in limited} <= {kind for kind, _ in everything}


def test_the_rollups_say_how_much_of_each_period_they_cover(cast, tmp_path):
    """Found by the try-out: the pages say "3 of 12 months", the pack's CSV did not, so a year
    with a quarter of its values read as a whole one."""
    objective_with_values(cast)  # January to March 2025
    built = _build(cast, tmp_path)
    with zipfile.ZipFile(built.path) as archive:
        rows = _csv(archive, "6.2-objectives/rollups.csv")
    assert rows[0] == [
        "Objective", "Granularity", "Period end", "Value", "Measurements", "Coverage", "Status"
    ]  # fmt: skip
    coverage = {(row[1], row[2]): row[5] for row in rows[1:]}
    assert coverage[("Year", "2025-12-31")] == "3 of 12 months"
    assert coverage[("Quarter", "2025-03-31")] == "complete"
    assert coverage[("Month", "2025-01-31")] == "complete"
