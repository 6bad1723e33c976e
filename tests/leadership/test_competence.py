"""The competence matrix (ISO 9001 7.2) on hand-made data: levels held against what roles and
responsibilities require, gaps, what expires in the next 90 days, the unit filter, the review
input summary, and recording a competence with its evidence file."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from leadership.models import Competence, CompetenceRecord
from leadership.selectors.competence import (
    competence_gaps_summary,
    competence_matrix,
    competence_records_for_evidence,
    training_hours_and_spend,
)
from leadership.services import competence as s
from leadership.services import resources, responsibilities, training
from tests.factories import make_unit

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 6, 1)


def _competence(members, name, validity=None):
    return s.competence_save(
        membership=members["quinn"],
        competence=Competence(name=name, level_1="aware", validity_months=validity),
    )


def _record(members, who, competence, level, attained, expires=None):
    return s.competence_record_create(
        actor=members["quinn"],
        membership=members[who],
        competence=competence,
        level=level,
        evidence_kind="assessment",
        attained_on=attained,
        expires_on=expires,
    )


@pytest.fixture
def world(cast, members):
    """Auditing required at 3 of the 5.3a holder (carl from 1 Jan) and at 2 of every quality
    manager; carl holds 2 (gap 1), quinn holds 3 expiring 30 Jul (within 90 days), adam
    holds nothing and nothing is required of him."""
    auditing = _competence(members, "Internal auditing")
    rca = _competence(members, "Root-cause analysis")
    responsibility = responsibilities.responsibility_create(
        organization=cast.org_a, actor=cast.quinn, code="5.3a", title="Conformity"
    )
    responsibilities.assignment_create(
        responsibility=responsibility,
        membership=members["carl"],
        valid_from=datetime.date(2026, 1, 1),
        actor=cast.quinn,
    )
    s.competence_requirement_set(
        membership=members["quinn"],
        competence=auditing,
        responsibility=responsibility,
        level=3,
    )
    s.competence_requirement_set(
        membership=members["quinn"], competence=auditing, role="quality_manager", level=2
    )
    _record(members, "carl", auditing, 2, datetime.date(2025, 5, 1))
    _record(members, "quinn", auditing, 3, datetime.date(2024, 7, 30), datetime.date(2026, 7, 30))
    _record(members, "quinn", rca, 1, datetime.date(2025, 1, 1))
    return {"auditing": auditing, "rca": rca, "responsibility": responsibility}


def _cell(matrix, username, competence):
    row = next(r for r in matrix.rows if r.member.user.username == username)
    return next(c for c in row.cells if c.competence == competence)


def test_the_matrix_shows_held_and_required_levels_gaps_and_expiries(world):
    matrix = competence_matrix(organization=world["auditing"].organization, today=TODAY)
    carl = _cell(matrix, "carl", world["auditing"])
    assert (carl.held, carl.required, carl.gap, carl.expiring) == (2, 3, 1, False)
    assert carl.required_by == ["5.3a"]
    quinn = _cell(matrix, "quinn", world["auditing"])
    assert (quinn.held, quinn.required, quinn.gap) == (3, 2, 0)
    assert quinn.expiring and quinn.expires_on == datetime.date(2026, 7, 30)
    adam = _cell(matrix, "adam", world["auditing"])
    assert (adam.held, adam.required, adam.gap) == (0, 0, 0)
    assert (matrix.gap_count, matrix.expiring_count) == (1, 1)


def test_a_responsibility_requires_its_level_only_while_it_is_held(world):
    before = competence_matrix(
        organization=world["auditing"].organization, today=datetime.date(2025, 12, 31)
    )
    assert _cell(before, "carl", world["auditing"]).required == 0


def test_an_expiry_beyond_90_days_or_an_expired_record_is_not_expiring(world):
    organization = world["auditing"].organization
    later = competence_matrix(organization=organization, today=datetime.date(2026, 4, 30))
    assert not _cell(later, "quinn", world["auditing"]).expiring  # 91 days ahead
    after = competence_matrix(organization=organization, today=datetime.date(2026, 7, 31))
    cell = _cell(after, "quinn", world["auditing"])
    assert (cell.held, cell.gap) == (0, 2)  # lapsed: now a gap against the role's 2


def test_a_renewed_record_hides_the_one_it_replaces(world, members):
    _record(members, "quinn", world["auditing"], 3, datetime.date(2026, 5, 1))
    matrix = competence_matrix(organization=world["auditing"].organization, today=TODAY)
    cell = _cell(matrix, "quinn", world["auditing"])
    assert (cell.held, cell.expiring, cell.expires_on) == (3, False, None)


def test_the_unit_filter_keeps_members_of_the_unit_and_below(cast, world, members):
    site = make_unit(cast.org_a, "Sheffield", kind="site", code="SHF")
    members["carl"].org_unit = site
    members["carl"].save()
    matrix = competence_matrix(organization=cast.org_a, unit=site, today=TODAY)
    assert [r.member.user.username for r in matrix.rows] == ["carl"]
    assert matrix.gap_count == 1 and matrix.expiring_count == 0


def test_the_review_input_summary_is_plain_data(cast, world):
    summary = competence_gaps_summary(organization=cast.org_a, today=TODAY)
    assert summary["gap_count"] == 1 and summary["expiring_count"] == 1
    assert summary["gaps"][0] | {"member_id": 0, "competence_id": 0} == {
        "member": "Carl Test",
        "member_id": 0,
        "competence": "Internal auditing",
        "competence_id": 0,
        "required": 3,
        "held": 2,
        "required_by": "5.3a",
    }
    assert summary["expiring"][0]["expires_on"] == datetime.date(2026, 7, 30)


def test_a_competence_with_a_validity_sets_the_expiry_of_new_records(members):
    forklift = _competence(members, "Forklift", validity=24)
    record = _record(members, "carl", forklift, 2, datetime.date(2024, 2, 29))
    assert record.expires_on == datetime.date(2026, 2, 28)


def test_evidence_rows_are_the_records_in_force_during_the_period(cast, world):
    rows = competence_records_for_evidence(
        organization=cast.org_a, start=datetime.date(2026, 8, 1), end=datetime.date(2026, 12, 31)
    )
    assert [(r.membership.user.username, r.competence.name) for r in rows] == [
        ("carl", "Internal auditing"),
        ("quinn", "Root-cause analysis"),
    ]


def test_training_hours_and_spend_add_up_per_unit_and_year(cast, members):
    site = make_unit(cast.org_a, "Sheffield", kind="site", code="SHF")
    for who in ("carl", "quinn"):
        members[who].org_unit = site
        members[who].save()
    rca = _competence(members, "RCA")
    session = training.training_session_create(
        membership=members["quinn"],
        competences=[rca],
        invitees=[members["carl"], members["quinn"], members["adam"]],
        topic="8D",
        trainer="Q",
        held_on=datetime.date(2025, 3, 1),
        duration_hours=Decimal("7.5"),
    )
    training.training_attendance_mark(
        session=session, membership=members["quinn"], attended=[members["carl"], members["quinn"]]
    )
    allocation = resources.allocation_request(
        membership=members["quinn"],
        kind="knowledge",
        title="Training budget",
        org_unit=site,
        amount=Decimal("5000"),
        unit="GBP",
        period_start=datetime.date(2025, 1, 1),
        period_end=datetime.date(2025, 12, 31),
    )
    allocation = resources.allocation_decide(
        allocation=allocation, approver=members["alice"], approve=True
    )
    resources.spend_record(
        allocation=allocation,
        membership=members["quinn"],
        date=datetime.date(2025, 3, 2),
        amount=Decimal("1200"),
    )
    rows = training_hours_and_spend(organization=cast.org_a)
    assert rows == [
        {"year": 2025, "unit": "Sheffield", "hours": Decimal("15"), "people": 2,
         "spend": Decimal("1200")},
    ]  # fmt: skip


# --- pages ---------------------------------------------------------------------------------


def test_the_matrix_page_counts_gaps_and_expiries_in_words(client, cast, world):
    traveller = time_machine.travel(datetime.datetime(2026, 6, 1, 12, tzinfo=datetime.UTC))
    traveller.start()
    client.force_login(cast.alice)
    response = client.get(reverse("leadership:competence-matrix", args=[cast.org_a.slug]))
    text = response.content.decode()
    assert 'data-testid="gap-count">1<' in text
    assert "Internal auditing at level 2, 3 required by 5.3a" in text
    assert 'data-testid="expiring-count">1<' in text
    traveller.stop()


def test_the_matrix_page_costs_the_same_queries_for_more_members(
    client, cast, world, members, django_assert_max_num_queries
):
    client.force_login(cast.quinn)
    url = reverse("leadership:competence-matrix", args=[cast.org_a.slug])
    with django_assert_max_num_queries(25):
        client.get(url)
    from tests.factories import MembershipFactory, UserFactory

    for n in range(15):
        member = MembershipFactory(
            user=UserFactory(username=f"m{n}"), organization=cast.org_a, role="contributor"
        )
        _record({**members, "x": member}, "x", world["rca"], 1, datetime.date(2025, 1, 1))
    with django_assert_max_num_queries(25):
        assert client.get(url).status_code == 200


def test_the_quality_manager_records_a_competence_with_an_evidence_file(
    client, cast, members, world, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(cast.quinn)
    response = client.post(
        reverse("leadership:competence-record-new", args=[cast.org_a.slug]),
        {
            "membership": members["carl"].pk,
            "competence": world["rca"].pk,
            "level": 2,
            "evidence_kind": "qualification",
            "evidence": "8D certificate",
            "attained_on": "2026-01-10",
            "attachment": SimpleUploadedFile("cert.pdf", b"%PDF-1.4 x", "application/pdf"),
        },
    )
    assert response.status_code == 302
    record = CompetenceRecord.objects.get(evidence="8D certificate")
    url = reverse("leadership:competence-record-attachment", args=[cast.org_a.slug, record.pk])
    assert client.get(url).status_code == 200
    assert b"".join(client.get(url).streaming_content) == b"%PDF-1.4 x"
    client.force_login(cast.carl)  # the member it is about may see it
    assert client.get(url).status_code == 200
    client.force_login(cast.adam)
    assert client.get(url).status_code == 200
    client.force_login(cast.bob)
    assert client.get(url).status_code == 404


def test_another_contributor_cannot_download_someone_elses_evidence(
    client, cast, members, world, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    from tests.factories import MembershipFactory, UserFactory

    other = MembershipFactory(
        user=UserFactory(username="olga"), organization=cast.org_a, role="contributor"
    )
    record = s.competence_record_create(
        actor=members["quinn"],
        membership=members["carl"],
        competence=world["rca"],
        level=1,
        evidence_kind="training",
        attained_on=datetime.date(2026, 1, 1),
        attachment=SimpleUploadedFile("x.pdf", b"%PDF", "application/pdf"),
    )
    client.force_login(other.user)
    url = reverse("leadership:competence-record-attachment", args=[cast.org_a.slug, record.pk])
    assert client.get(url).status_code == 404


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("run.html", b"<script>", "File extension"),
        ("big.pdf", b"x" * (10 * 1024 * 1024 + 1), "larger than 10 MB"),
    ],
)
def test_an_unsafe_or_oversized_evidence_file_is_refused_and_nothing_saved(
    client, cast, members, world, settings, tmp_path, name, content, message
):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(cast.quinn)
    response = client.post(
        reverse("leadership:competence-record-new", args=[cast.org_a.slug]),
        {
            "membership": members["carl"].pk,
            "competence": world["rca"].pk,
            "level": 2,
            "evidence_kind": "training",
            "attained_on": "2026-01-10",
            "attachment": SimpleUploadedFile(name, content),
        },
    )
    # An over-large file is "413 Content Too Large"; a file of the wrong kind a plain 400.
    assert response.status_code == (413 if name == "big.pdf" else 400)
    assert message in response.content.decode()
    assert not CompetenceRecord.objects.filter(
        competence=world["rca"], membership=members["carl"]
    ).exists()


def test_another_organisations_member_or_competence_is_not_a_choice(client, cast, members, world):
    from qms.core.models import Membership

    bob = Membership.objects.get(user=cast.bob)
    client.force_login(cast.quinn)
    response = client.post(
        reverse("leadership:competence-record-new", args=[cast.org_a.slug]),
        {
            "membership": bob.pk,
            "competence": world["rca"].pk,
            "level": 2,
            "evidence_kind": "training",
            "attained_on": "2026-01-10",
        },
    )
    assert response.status_code == 400
    assert "not one of the available choices" in response.content.decode()
    assert not CompetenceRecord.objects.filter(membership=bob).exists()


@pytest.mark.parametrize("user", ["alice", "carl", "audrey"])
def test_only_the_quality_team_records_competences(client, cast, user):
    client.force_login(getattr(cast, user))
    for name in ("competence-record-new", "competence-new", "competence-import"):
        assert client.get(reverse(f"leadership:{name}", args=[cast.org_a.slug])).status_code == 403


def test_requirements_are_set_per_responsibility_and_role_from_the_page(client, cast, world):
    client.force_login(cast.quinn)
    url = reverse("leadership:competence-requirements", args=[cast.org_a.slug, world["rca"].pk])
    response = client.post(
        url, {f"responsibility_{world['responsibility'].pk}": "2", "role_contributor": "1"}
    )
    assert response.status_code == 302
    levels = sorted(
        (r.role or r.responsibility.code, r.level) for r in world["rca"].requirements.all()
    )
    assert levels == [("5.3a", 2), ("contributor", 1)]
    assert client.post(url, {"role_contributor": "9"}).status_code == 400
    client.force_login(cast.carl)
    assert client.post(url, {"role_contributor": "3"}).status_code == 403


def _expiry_notices():
    from qms.core.notifications.models import Notification

    return sorted(
        (n.recipient.user.username, n.occasion)
        for n in Notification.objects.filter(kind="competence-expiring")
    )


def test_an_expiring_competence_is_reminded_once_to_the_member_and_the_quality_team(cast, world):
    from qms.core.notifications.services import reminders_run

    reminders_run(today=datetime.date(2026, 5, 30), organization=cast.org_a)  # 61 days before
    assert _expiry_notices() == []
    for day in (datetime.date(2026, 6, 1), datetime.date(2026, 6, 2), datetime.date(2026, 7, 1)):
        reminders_run(today=day, organization=cast.org_a)
    # quinn is both the member and the quality manager: one notice.
    assert _expiry_notices() == [("quinn", "expires-2026-07-30")]


def test_a_renewed_competence_is_not_reminded(cast, members, world):
    from qms.core.notifications.services import reminders_run

    _record(members, "quinn", world["auditing"], 3, datetime.date(2026, 5, 1))
    reminders_run(today=datetime.date(2026, 6, 15), organization=cast.org_a)
    assert _expiry_notices() == []


def test_a_contributors_expiring_competence_reaches_them_and_the_quality_manager(
    cast, members, world
):
    from qms.core.notifications.services import reminders_run

    _record(members, "carl", world["rca"], 1, datetime.date(2025, 1, 1), datetime.date(2026, 7, 1))
    reminders_run(today=datetime.date(2026, 6, 1), organization=cast.org_a)
    assert ("carl", "expires-2026-07-01") in _expiry_notices()
    assert ("quinn", "expires-2026-07-01") in _expiry_notices()


def test_the_records_page_costs_the_same_queries_for_more_records(
    client, cast, members, world, django_assert_max_num_queries
):
    client.force_login(cast.audrey)
    url = reverse("leadership:competence-records", args=[cast.org_a.slug])
    for year in range(2000, 2020):
        _record(members, "carl", world["rca"], 1, datetime.date(year, 1, 1))
    with django_assert_max_num_queries(20):
        response = client.get(url)
    assert response.status_code == 200 and "Root-cause analysis" in response.content.decode()
