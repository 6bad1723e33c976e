"""Certification audits in calendars: each audit of the certificate record (certification,
surveillance, recertification) on its planned day (or the day it was held), for top management,
quality managers and auditors, who take part in them."""

from __future__ import annotations

import datetime

from django.urls import reverse

from leadership.models import CertificationAudit
from qms.core.calendar.registry import CalendarEvent
from qms.core.roles import Role

AUDIT_ROLES = (Role.EXECUTIVE, Role.QUALITY_MANAGER, Role.AUDITOR)


def certification_audit_events(membership, start: datetime.date, end: datetime.date):
    if membership.role not in AUDIT_ROLES:
        return
    audits = (
        CertificationAudit.objects.filter(organization_id=membership.organization_id)
        .filter(planned_on__gte=start, planned_on__lte=end)
        .select_related("certificate")
        .order_by("planned_on", "id")
    )
    slug = membership.organization.slug
    for audit in audits:
        yield CalendarEvent(
            uid=f"certification-audit-{slug}-{audit.pk}@qms",
            summary=f"{audit.get_kind_display()} audit ({audit.certificate.certification_body})",
            start=audit.held_on or audit.planned_on,
            description=f"ISO 9001 certificate {audit.certificate.number}. "
            f"{audit.get_result_display() if audit.result else 'Not held yet.'}",
            url=reverse("leadership:certificate", args=[slug]),
        )
