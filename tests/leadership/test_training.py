"""Training (ISO 9001 7.2 c): a session is recorded, the register taken, effectiveness
evaluated, and the evaluation updates the attendee's competence record and the matrix."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from leadership.models import Competence, CompetenceRecord, TrainingAttendance, TrainingSession
from leadership.selectors.competence import competence_matrix, training_sessions_for_evidence
from leadership.services import competence as competence_services
from leadership.services import training as s
from qms.core.immutable import NotAllowed, TransitionError
from qms.core.models import Membership
from qms.core.notifications.models import Notification
from qms.core.notifications.services import reminders_run

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


@pytest.fixture
def rca(members):
    competence = competence_services.competence_save(
        membership=members["quinn"], competence=Competence(name="Root-cause analysis")
    )
    competence_services.competence_requirement_set(
        membership=members["quinn"], competence=competence, role="contributor", level=3
    )
    return competence


@pytest.fixture
def session(members, rca):
    session = s.training_session_create(
        membership=members["quinn"],
        competences=[rca],
        invitees=[members["carl"], members["adam"]],
        topic="8D workshop",
        target_level=3,
        trainer="Quinn",
        held_on=TODAY - datetime.timedelta(days=100),
        duration_hours=Decimal("7"),
    )
    s.training_attendance_mark(
        session=session, membership=members["quinn"], attended=[members["carl"]]
    )
    return session


def _attendance(session, who):
    return session.attendances.get(membership__user__username=who)


def test_a_session_without_an_evaluation_date_is_evaluated_90_days_later(session):
    assert session.evaluation_due_on == session.held_on + datetime.timedelta(days=90)


def test_an_effective_evaluation_records_the_competence_at_the_target_level(session, members, rca):
    gap_before = competence_matrix(organization=rca.organization, today=TODAY).gap_count
    records = s.training_evaluate(
        attendance=_attendance(session, "carl"),
        evaluator=members["quinn"],
        result="effective",
        method="observation",
    )
    assert [(r.membership.user.username, r.level, r.evidence_kind) for r in records] == [
        ("carl", 3, "training")
    ]
    assert records[0].training_attendance == _attendance(session, "carl")
    assert competence_matrix(organization=rca.organization, today=TODAY).gap_count == gap_before - 1


def test_partly_effective_records_one_level_below_and_not_effective_records_nothing(members, rca):
    session = s.training_session_create(
        membership=members["quinn"],
        competences=[rca],
        invitees=[members["carl"], members["alice"]],
        topic="RCA",
        target_level=2,
        trainer="Q",
        held_on=TODAY - datetime.timedelta(days=10),
        duration_hours=Decimal("2"),
    )
    s.training_attendance_mark(
        session=session, membership=members["quinn"], attended=[members["carl"], members["alice"]]
    )
    partly = s.training_evaluate(
        attendance=_attendance(session, "carl"), evaluator=members["quinn"], result="partly",
        method="test",
    )  # fmt: skip
    assert [r.level for r in partly] == [1]
    assert (
        s.training_evaluate(
            attendance=_attendance(session, "alice"),
            evaluator=members["quinn"],
            result="not_effective",
            method="interview",
        )
        == []
    )
    assert CompetenceRecord.objects.filter(membership=members["alice"]).count() == 0


def test_an_absentee_cannot_be_evaluated_nor_an_attendee_twice(session, members):
    with pytest.raises(TransitionError, match="take the register first"):
        s.training_evaluate(
            attendance=_attendance(session, "adam"), evaluator=members["quinn"],
            result="effective", method="test",
        )  # fmt: skip
    s.training_evaluate(
        attendance=_attendance(session, "carl"), evaluator=members["quinn"], result="effective",
        method="test",
    )  # fmt: skip
    with pytest.raises(TransitionError, match="already evaluated"):
        s.training_evaluate(
            attendance=_attendance(session, "carl"), evaluator=members["quinn"],
            result="effective", method="test",
        )  # fmt: skip
    assert CompetenceRecord.objects.filter(membership=members["carl"]).count() == 1


def test_only_the_quality_team_evaluates(session, members):
    with pytest.raises(NotAllowed):
        s.training_evaluate(
            attendance=_attendance(session, "carl"), evaluator=members["alice"],
            result="effective", method="test",
        )  # fmt: skip


def test_the_register_takes_only_invitees_and_not_before_the_day(members, rca, session, cast):
    bob = Membership.objects.get(user=cast.bob)
    with pytest.raises(Exception, match="invited"):
        s.training_attendance_mark(session=session, membership=members["quinn"], attended=[bob])
    future = s.training_session_create(
        membership=members["quinn"], competences=[rca], invitees=[members["carl"]],
        topic="Later", trainer="Q", held_on=TODAY + datetime.timedelta(days=3),
        duration_hours=Decimal("1"),
    )  # fmt: skip
    with pytest.raises(TransitionError, match="on or after the day"):
        s.training_attendance_mark(
            session=future, membership=members["quinn"], attended=[members["carl"]]
        )


def test_another_organisations_member_cannot_be_invited(members, session, cast):
    bob = Membership.objects.get(user=cast.bob)
    with pytest.raises(Exception, match="current members of this organisation"):
        s.training_invite(session=session, membership=members["quinn"], invitees=[bob])
    assert session.attendances.count() == 2


def test_evaluation_due_is_reminded_once_to_the_quality_team(session, cast):
    for _ in range(2):
        reminders_run(today=TODAY, organization=cast.org_a)
    sent = Notification.objects.filter(kind="training-evaluation-due")
    assert [n.recipient.user.username for n in sent] == ["quinn"]
    assert "8D workshop" in sent[0].title


def test_no_evaluation_reminder_before_the_date_or_once_evaluated(session, members, cast):
    reminders_run(
        today=session.evaluation_due_on - datetime.timedelta(days=1), organization=cast.org_a
    )
    assert not Notification.objects.filter(kind="training-evaluation-due").exists()
    s.training_evaluate(
        attendance=_attendance(session, "carl"), evaluator=members["quinn"], result="effective",
        method="test",
    )  # fmt: skip
    reminders_run(today=TODAY, organization=cast.org_a)
    assert not Notification.objects.filter(kind="training-evaluation-due").exists()


def test_evidence_rows_list_sessions_of_the_period_with_attendance_and_effectiveness(
    session, members, cast
):
    s.training_evaluate(
        attendance=_attendance(session, "carl"), evaluator=members["quinn"], result="effective",
        method="test",
    )  # fmt: skip
    rows = training_sessions_for_evidence(
        organization=cast.org_a, start=session.held_on, end=session.held_on
    )
    assert [(r["topic"], r["invited"], r["attended"]) for r in rows] == [("8D workshop", 2, 1)]
    assert [(a["username"], a["attended"], a["result"]) for a in rows[0]["attendees"]] == [
        ("adam", False, ""),
        ("carl", True, "Effective"),
    ]
    assert training_sessions_for_evidence(organization=cast.org_a, start=TODAY, end=TODAY) == []


# --- pages ---------------------------------------------------------------------------------


def test_the_quality_manager_records_marks_and_evaluates_from_the_pages(client, cast, members, rca):
    client.force_login(cast.quinn)
    slug = cast.org_a.slug
    response = client.post(
        reverse("leadership:training-new", args=[slug]),
        {
            "topic": "Gauges",
            "kind": "session",
            "competences": [rca.pk],
            "target_level": 3,
            "trainer": "Metrology Ltd",
            "held_on": (TODAY - datetime.timedelta(days=1)).isoformat(),
            "duration_hours": "3.5",
            "invitees": [members["carl"].pk],
        },
    )
    assert response.status_code == 302
    session = TrainingSession.objects.get(topic="Gauges")
    client.post(
        reverse("leadership:training-attendance", args=[slug, session.pk]),
        {"attended": [members["carl"].pk]},
    )
    attendance = session.attendances.get()
    assert attendance.attended is True
    client.post(
        reverse("leadership:training-evaluate", args=[slug, session.pk, attendance.pk]),
        {"result": "effective", "method": "observation", "evaluated_on": TODAY.isoformat()},
    )
    assert CompetenceRecord.objects.get(membership=members["carl"]).level == 3


def test_a_session_with_a_foreign_competence_is_refused_and_nothing_saved(client, cast):
    foreign = Competence.objects.create(organization=cast.org_b, name="Theirs")
    client.force_login(cast.quinn)
    response = client.post(
        reverse("leadership:training-new", args=[cast.org_a.slug]),
        {"topic": "X", "kind": "session", "competences": [foreign.pk], "target_level": 2,
         "trainer": "T", "held_on": "2026-01-01", "duration_hours": "1"},
    )  # fmt: skip
    assert response.status_code == 400
    assert not TrainingSession.objects.exists()


def test_bad_evaluation_input_changes_nothing(client, cast, session):
    client.force_login(cast.quinn)
    attendance = _attendance(session, "carl")
    client.post(
        reverse("leadership:training-evaluate", args=[cast.org_a.slug, session.pk, attendance.pk]),
        {"result": "brilliant", "method": "observation", "evaluated_on": "2026-13-01"},
    )
    attendance.refresh_from_db()
    assert attendance.result == ""


@pytest.mark.parametrize("user", ["alice", "carl", "audrey"])
def test_only_the_quality_team_writes_training(client, cast, session, user):
    client.force_login(getattr(cast, user))
    slug = cast.org_a.slug
    assert client.get(reverse("leadership:training-new", args=[slug])).status_code == 403
    attendance = _attendance(session, "carl")
    response = client.post(
        reverse("leadership:training-evaluate", args=[slug, session.pk, attendance.pk]),
        {"result": "effective", "method": "observation", "evaluated_on": TODAY.isoformat()},
    )
    assert response.status_code == 403
    assert (
        client.get(reverse("leadership:training-detail", args=[slug, session.pk])).status_code
        == 200
    )


def test_another_organisation_sees_404_for_the_session(client, cast, session):
    client.force_login(cast.bob)
    assert (
        client.get(
            reverse("leadership:training-detail", args=[cast.org_b.slug, session.pk])
        ).status_code
        == 404
    )


def test_the_training_list_costs_the_same_queries_for_more_sessions(
    client, cast, members, rca, django_assert_max_num_queries
):
    client.force_login(cast.quinn)
    for n in range(12):
        s.training_session_create(
            membership=members["quinn"], competences=[rca], invitees=[members["carl"]],
            topic=f"S{n}", trainer="Q", held_on=TODAY, duration_hours=Decimal("1"),
        )  # fmt: skip
    with django_assert_max_num_queries(20):
        assert client.get(reverse("leadership:training", args=[cast.org_a.slug])).status_code == 200
    assert TrainingAttendance.objects.count() == 12


def test_materials_are_served_to_members_only_and_unsafe_files_refused(
    client, cast, members, rca, settings, tmp_path
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    client.force_login(cast.quinn)
    slug = cast.org_a.slug
    form = {"topic": "Slides", "kind": "session", "competences": [rca.pk], "target_level": 2,
            "trainer": "T", "held_on": "2026-01-01", "duration_hours": "1"}  # fmt: skip
    bad = client.post(
        reverse("leadership:training-new", args=[slug]),
        {**form, "materials": SimpleUploadedFile("x.svg", b"<svg onload=alert(1)>")},
    )
    assert bad.status_code == 400 and not TrainingSession.objects.exists()
    client.post(
        reverse("leadership:training-new", args=[slug]),
        {**form, "materials": SimpleUploadedFile("slides.pdf", b"%PDF-1.4 slides")},
    )
    session = TrainingSession.objects.get()
    url = reverse("leadership:training-materials", args=[slug, session.pk])
    client.force_login(cast.carl)
    response = client.get(url)
    assert b"".join(response.streaming_content) == b"%PDF-1.4 slides"
    assert response["Content-Disposition"].startswith("attachment")
    client.force_login(cast.bob)
    assert client.get(url).status_code == 404
