"""The competence, training and certificate API: scoped to the organisation, role-checked,
writes through the services, bad input refused with nothing changed."""

import datetime

import pytest

from leadership.models import Competence, CompetenceRecord, CompetenceRequirement, TrainingSession
from qms.core.models import Membership
from tests.security.openapi import assert_documented

pytestmark = pytest.mark.django_db


def _url(cast, path, org=None):
    return f"/api/v1/organizations/{(org or cast.org_a).slug}/{path}"


@pytest.fixture
def rca(cast):
    return Competence.objects.create(organization=cast.org_a, name="RCA")


def test_the_quality_manager_creates_a_competence_and_requires_it(api_client, cast, rca):
    api_client.force_authenticate(cast.quinn)
    response = api_client.post(_url(cast, "competences/"), {"name": "Auditing"}, format="json")
    assert response.status_code == 201
    assert (
        api_client.post(_url(cast, "competences/"), {"name": "auditing"}, format="json").status_code
        == 400
    )
    response = api_client.post(
        _url(cast, "competence-requirements/"),
        {"competence": rca.pk, "role": "contributor", "level": 3},
        format="json",
    )
    assert response.status_code == 201
    assert CompetenceRequirement.objects.get().level == 3
    response = api_client.post(
        _url(cast, "competence-requirements/"),
        {"competence": rca.pk, "role": "contributor", "level": 0},
        format="json",
    )
    assert response.status_code == 204 and not CompetenceRequirement.objects.exists()


def test_a_record_for_another_organisations_member_is_refused(api_client, cast, rca):
    bob = Membership.objects.get(user=cast.bob)
    api_client.force_authenticate(cast.quinn)
    response = api_client.post(
        _url(cast, "competence-records/"),
        {"membership": bob.pk, "competence": rca.pk, "level": 2, "evidence_kind": "training",
         "attained_on": "2026-01-01"},
        format="json",
    )  # fmt: skip
    assert response.status_code == 400
    assert not CompetenceRecord.objects.exists()


def test_records_and_gaps_read_by_every_role_written_by_the_quality_team(api_client, cast, rca):
    carl = Membership.objects.get(user=cast.carl)
    body = {"membership": carl.pk, "competence": rca.pk, "level": 2, "evidence_kind": "training",
            "attained_on": "2026-01-01"}  # fmt: skip
    for user in (cast.alice, cast.carl, cast.audrey):
        api_client.force_authenticate(user)
        assert (
            api_client.post(_url(cast, "competence-records/"), body, format="json").status_code
            == 403
        )
        assert api_client.get(_url(cast, "competence-records/")).status_code == 200
    api_client.force_authenticate(cast.quinn)
    assert (
        api_client.post(_url(cast, "competence-records/"), body, format="json").status_code == 201
    )
    gaps = api_client.get(_url(cast, "competence-records/gaps/")).json()
    assert gaps["gap_count"] == 0 and gaps["members"] >= 3
    assert api_client.get(_url(cast, "competence-records/gaps/?unit=abc")).status_code == 400
    api_client.force_authenticate(cast.bob)
    assert api_client.get(_url(cast, "competence-records/")).status_code == 404
    assert api_client.get(_url(cast, "competence-records/", cast.org_b)).json()["count"] == 0


def test_a_training_session_is_recorded_marked_and_evaluated_through_the_api(api_client, cast, rca):
    carl = Membership.objects.get(user=cast.carl)
    api_client.force_authenticate(cast.quinn)
    held = (datetime.date.today() - datetime.timedelta(days=3)).isoformat()  # noqa: DTZ011
    response = api_client.post(
        _url(cast, "training-sessions/"),
        {"topic": "8D", "competences": [rca.pk], "target_level": 2, "trainer": "Q",
         "held_on": held, "duration_hours": "4", "invitees": [carl.pk]},
        format="json",
    )  # fmt: skip
    assert response.status_code == 201, response.json()
    session = response.json()
    url = _url(cast, f"training-sessions/{session['id']}/")
    marked = api_client.post(url + "attendance/", {"members": [carl.pk]}, format="json")
    assert marked.json()["attendances"][0]["attended"] is True
    attendance = marked.json()["attendances"][0]["id"]
    evaluated = api_client.post(
        url + "evaluate/",
        {"attendance": attendance, "effectiveness": "effective", "method": "test"},
        format="json",
    )
    assert evaluated.status_code == 200
    assert evaluated.json()["attendances"][0]["effectiveness"] == "effective"
    assert CompetenceRecord.objects.get(membership=carl).level == 2
    again = api_client.post(
        url + "evaluate/",
        {"attendance": attendance, "effectiveness": "effective", "method": "test"},
        format="json",
    )
    assert again.status_code == 409
    assert CompetenceRecord.objects.count() == 1


def test_a_session_with_a_foreign_competence_or_invitee_is_refused(api_client, cast, rca):
    theirs = Competence.objects.create(organization=cast.org_b, name="Theirs")
    bob = Membership.objects.get(user=cast.bob)
    api_client.force_authenticate(cast.quinn)
    for competences, invitees in (([theirs.pk], []), ([rca.pk], [bob.pk])):
        response = api_client.post(
            _url(cast, "training-sessions/"),
            {"topic": "X", "competences": competences, "trainer": "Q", "held_on": "2026-01-01",
             "duration_hours": "1", "invitees": invitees},
            format="json",
        )  # fmt: skip
        assert response.status_code == 400
    assert not TrainingSession.objects.exists()


def test_an_executive_cannot_write_training_through_the_api(api_client, cast, rca):
    api_client.force_authenticate(cast.alice)
    response = api_client.post(
        _url(cast, "training-sessions/"),
        {"topic": "X", "competences": [rca.pk], "trainer": "Q", "held_on": "2026-01-01",
         "duration_hours": "1"},
        format="json",
    )  # fmt: skip
    assert response.status_code == 403


def test_an_unevaluated_attendance_reads_evaluated_by_null_as_the_schema_says(
    api_client, cast, rca
):
    carl = Membership.objects.get(user=cast.carl)
    api_client.force_authenticate(cast.quinn)
    held = (datetime.date.today() - datetime.timedelta(days=3)).isoformat()  # noqa: DTZ011
    response = api_client.post(
        _url(cast, "training-sessions/"),
        {"topic": "8D", "competences": [rca.pk], "target_level": 2, "trainer": "Q",
         "held_on": held, "duration_hours": "4", "invitees": [carl.pk]},
        format="json",
    )  # fmt: skip
    session = api_client.get(_url(cast, f"training-sessions/{response.json()['id']}/"))
    assert session.json()["attendances"][0]["evaluated_by"] is None
    assert_documented(session, "/api/v1/organizations/{org_slug}/training-sessions/{id}/")


def test_adding_a_certification_audit_answers_201_as_documented(api_client, cast):
    api_client.force_authenticate(cast.quinn)
    certificate = api_client.post(
        _url(cast, "certificates/"),
        {"certification_body": "BSI", "number": "FM 1", "scope": "Machining",
         "issued_on": "2026-01-10", "expires_on": "2029-01-09"},
        format="json",
    )  # fmt: skip
    assert certificate.status_code == 201, certificate.json()
    audit = api_client.post(
        _url(cast, f"certificates/{certificate.json()['id']}/audits/"),
        {"kind": "stage_1", "planned_on": "2026-03-01"},
        format="json",
    )
    assert audit.status_code == 201, audit.json()
    assert [a["kind"] for a in audit.json()["audits"]] == ["stage_1"]
    assert_documented(audit, "/api/v1/organizations/{org_slug}/certificates/{id}/audits/")
