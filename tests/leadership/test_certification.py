"""The certificate and its audit cycle: reminders before each audit and before expiry (each
once), the audits' findings from the register, the evidence rows, roles and tenancy."""

import datetime

import pytest
from django.urls import reverse

from leadership.models import Certificate, CertificationAudit
from leadership.selectors.certification import certificates_for_evidence, current_certificate
from leadership.services import certification as s
from qms.core.notifications.models import Notification
from qms.core.notifications.services import reminders_run
from qms.core.registers.definition import get_register
from qms.core.registers.services import record_create

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.fixture
def certificate(members):
    certificate = s.certificate_save(
        membership=members["quinn"],
        certificate=Certificate(
            certification_body="BAB",
            number="QMS-1",
            scope="Machining",
            sites="Sheffield",
            issued_on=D(2024, 1, 10),
            expires_on=D(2027, 1, 9),
            audit_reminder_days="30, 7",
            expiry_reminder_days="90",
        ),
    )
    s.certification_audit_save(
        membership=members["quinn"],
        audit=CertificationAudit(
            certificate=certificate, kind="surveillance", planned_on=D(2026, 3, 1),
            audit_reference="CB-26",
        ),
    )  # fmt: skip
    return certificate


def _sent(kind):
    return sorted(
        (n.recipient.user.username, n.occasion) for n in Notification.objects.filter(kind=kind)
    )


def test_the_team_is_reminded_at_each_lead_time_before_an_audit_once(cast, certificate):
    for day in (D(2026, 1, 20), D(2026, 1, 30), D(2026, 1, 31), D(2026, 2, 22), D(2026, 2, 23)):
        reminders_run(today=day, organization=cast.org_a)
    assert _sent("certification-audit-coming") == [
        ("alice", "2026-03-01-30d"),
        ("alice", "2026-03-01-7d"),
        ("quinn", "2026-03-01-30d"),
        ("quinn", "2026-03-01-7d"),
    ]


def test_a_late_first_run_sends_only_the_nearest_reminder(cast, certificate):
    reminders_run(today=D(2026, 2, 27), organization=cast.org_a)
    assert {o for _, o in _sent("certification-audit-coming")} == {"2026-03-01-7d"}


def test_expiry_is_reminded_once_and_not_for_a_withdrawn_certificate(cast, members, certificate):
    reminders_run(today=D(2026, 10, 11), organization=cast.org_a)
    reminders_run(today=D(2026, 10, 12), organization=cast.org_a)
    assert _sent("certificate-expiring") == [
        ("alice", "2027-01-09-90d"),
        ("quinn", "2027-01-09-90d"),
    ]
    Notification.objects.all().delete()
    certificate.status = "withdrawn"
    s.certificate_save(membership=members["quinn"], certificate=certificate)
    reminders_run(today=D(2026, 12, 1), organization=cast.org_a)
    assert _sent("certificate-expiring") == []


def test_bad_lead_times_are_refused_with_a_sentence(members, certificate):
    certificate.audit_reminder_days = "thirty"
    with pytest.raises(Exception, match="numbers separated by commas"):
        s.certificate_save(membership=members["quinn"], certificate=certificate)


def test_the_audit_shows_its_findings_from_the_register(client, cast, members, certificate):
    record_create(
        register=get_register("audit-findings"),
        membership=members["quinn"],
        record=get_register("audit-findings").model(
            title="Calibration records incomplete", audit_kind="certification",
            audit_reference="CB-26", audit_date=D(2026, 3, 1), finding_type="minor",
        ),
    )  # fmt: skip
    client.force_login(cast.audrey)
    text = client.get(reverse("leadership:certificate", args=[cast.org_a.slug])).content.decode()
    assert "AF-001" in text and "Minor nonconformity" in text
    rows = certificates_for_evidence(
        organization=cast.org_a, start=D(2026, 1, 1), end=D(2026, 12, 31)
    )
    assert rows[0]["audits"][0]["findings"] == ["AF-001"]
    assert rows[0]["number"] == "QMS-1" and rows[0]["state_at_end"] == "Valid"


def test_the_current_certificate_is_the_valid_one_else_the_latest(cast, members, certificate):
    assert current_certificate(cast.org_a, D(2026, 6, 1)) == certificate
    assert current_certificate(cast.org_a, D(2028, 6, 1)) == certificate  # expired, still shown
    assert current_certificate(cast.org_b, D(2026, 6, 1)) is None


def test_the_quality_manager_records_a_certificate_from_the_page(client, cast):
    client.force_login(cast.quinn)
    response = client.post(
        reverse("leadership:certificate-new", args=[cast.org_a.slug]),
        {"certification_body": "BSI", "number": "FS 1", "standard": "ISO 9001", "edition": "2015",
         "scope": "All", "issued_on": "2025-01-01", "expires_on": "2027-12-31",
         "status": "active", "audit_reminder_days": "60, 30", "expiry_reminder_days": "90",
         "show_publicly": "on"},
    )  # fmt: skip
    assert response.status_code == 302
    assert Certificate.objects.get().number == "FS 1"


def test_an_expiry_before_issue_changes_nothing(client, cast):
    client.force_login(cast.quinn)
    response = client.post(
        reverse("leadership:certificate-new", args=[cast.org_a.slug]),
        {"certification_body": "BSI", "number": "FS 1", "standard": "ISO 9001", "edition": "2015",
         "scope": "All", "issued_on": "2025-01-01", "expires_on": "2024-12-31",
         "status": "active", "audit_reminder_days": "60", "expiry_reminder_days": "90"},
    )  # fmt: skip
    assert response.status_code == 400
    assert not Certificate.objects.exists()


@pytest.mark.parametrize("user", ["alice", "carl", "audrey"])
def test_only_the_quality_team_changes_the_certificate(client, cast, certificate, user):
    client.force_login(getattr(cast, user))
    slug = cast.org_a.slug
    assert client.get(reverse("leadership:certificate", args=[slug])).status_code == 200
    assert client.get(reverse("leadership:certificate-new", args=[slug])).status_code == 403
    assert (
        client.get(
            reverse("leadership:certification-audit-new", args=[slug, certificate.pk])
        ).status_code
        == 403
    )


def test_another_organisation_cannot_reach_the_certificate(client, api_client, cast, certificate):
    client.force_login(cast.bob)
    assert (
        client.get(
            reverse("leadership:certificate-edit", args=[cast.org_b.slug, certificate.pk])
        ).status_code
        == 404
    )
    api_client.force_authenticate(cast.bob)
    url = f"/api/v1/organizations/{cast.org_b.slug}/certificates/{certificate.pk}/"
    assert api_client.get(url).status_code == 404


def test_the_api_adds_an_audit_and_refuses_a_result_without_a_date(api_client, cast, certificate):
    api_client.force_authenticate(cast.quinn)
    url = f"/api/v1/organizations/{cast.org_a.slug}/certificates/{certificate.pk}/audits/"
    bad = api_client.post(url, {"kind": "surveillance", "planned_on": "2027-01-01",
                                "result": "recommended"}, format="json")  # fmt: skip
    assert bad.status_code == 400
    good = api_client.post(url, {"kind": "recertification", "planned_on": "2026-12-01"},
                           format="json")  # fmt: skip
    assert good.status_code == 201
    assert [a["kind"] for a in good.json()["audits"]] == ["surveillance", "recertification"]
    api_client.force_authenticate(cast.alice)
    assert api_client.post(url, {"kind": "surveillance", "planned_on": "2027-02-01"},
                           format="json").status_code == 403  # fmt: skip


def test_certification_audits_are_in_the_calendars_of_top_management_and_auditors(
    cast, members, certificate
):
    from leadership.calendar import certification_audit_events

    window = (D(2026, 1, 1), D(2026, 12, 31))
    alice = list(certification_audit_events(members["alice"], *window))
    assert [(e.start, e.summary) for e in alice] == [(D(2026, 3, 1), "Surveillance audit (BAB)")]
    assert list(certification_audit_events(members["carl"], *window)) == []
