"""The public policy page (no login) shows the certificate's status for customers and
suppliers to check: body, number, scope, valid until, "expired" plainly; nothing else."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from leadership.models import Certificate, CertificationAudit

pytestmark = pytest.mark.django_db


@pytest.fixture
def certificate(cast, published):
    certificate = Certificate.objects.create(
        organization=cast.org_a,
        certification_body="British Assessment Bureau",
        number="QMS-48213",
        scope="CNC machining of precision parts",
        sites="Secret Street 12, Sheffield",
        issued_on=datetime.date(2024, 1, 10),
        expires_on=datetime.date(2027, 1, 9),
        audit_reminder_days="60",
        expiry_reminder_days="90",
    )
    CertificationAudit.objects.create(
        organization=cast.org_a, certificate=certificate, kind="surveillance",
        planned_on=datetime.date(2026, 3, 1), lead_auditor="Arthur Confidential",
    )  # fmt: skip
    return certificate


def _page(client, cast):
    url = reverse("public-policy", args=[cast.org_a.slug])
    return client.get(url)


def test_a_valid_certificate_shows_body_number_scope_and_validity(client, cast, certificate):
    with time_machine.travel(datetime.datetime(2026, 6, 1, tzinfo=datetime.UTC)):
        text = _page(client, cast).content.decode()
    for shown in ("British Assessment Bureau", "QMS-48213", "CNC machining of precision parts",
                  "9 January 2027", ">Valid<"):  # fmt: skip
        assert shown in text
    assert "certificate-not-valid" not in text


def test_an_expired_certificate_says_so_plainly(client, cast, certificate):
    with time_machine.travel(datetime.datetime(2027, 2, 1, tzinfo=datetime.UTC)):
        text = _page(client, cast).content.decode()
    assert "This certificate is expired: it was valid until 9 January 2027." in text


def test_a_suspended_certificate_is_not_shown_as_valid(client, cast, certificate):
    certificate.status = "suspended"
    certificate.save()
    with time_machine.travel(datetime.datetime(2026, 6, 1, tzinfo=datetime.UTC)):
        text = _page(client, cast).content.decode()
    assert "This certificate is suspended." in text and ">Valid<" not in text


def test_no_certificate_shows_no_certification_section(client, cast, published):
    text = _page(client, cast).content.decode()
    assert "Certification" not in text and "certificate" not in text.lower().replace(
        "uncontrolled", ""
    )


def test_a_hidden_certificate_is_not_shown(client, cast, certificate):
    certificate.show_publicly = False
    certificate.save()
    assert "QMS-48213" not in _page(client, cast).content.decode()


def test_the_page_leaks_nothing_else_of_the_organisation(client, cast, certificate):
    text = _page(client, cast).content.decode()
    for hidden in ("Secret Street", "Arthur Confidential", "surveillance", "Surveillance",
                   "quinn", "Quinn"):  # fmt: skip
        assert hidden not in text
    # Approved by the executive is part of the policy page itself.
    assert "Beta Rival" not in text
