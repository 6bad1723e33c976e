"""Reads of the certificate and its audit cycle: the current certificate, what the public page
may show, upcoming audits, each audit's findings, and the rows of the evidence pack."""

from __future__ import annotations

import datetime

from django.db.models import Q, QuerySet

from leadership.models import Certificate, CertificationAudit
from qms.core.models import Organization, OrgUnit
from qms.core.registers.definition import get_register


def certificate_list(*, organization: Organization) -> QuerySet[Certificate]:
    return Certificate.objects.for_organization(organization).prefetch_related("audits")


def current_certificate(organization: Organization, today: datetime.date) -> Certificate | None:
    """The valid certificate expiring last; else the most recent one (expired, suspended...)."""
    certificates = Certificate.objects.for_organization(organization)
    return (
        certificates.valid_on(today).order_by("-expires_on", "-id").first()
        or certificates.order_by("-expires_on", "-id").first()
    )


def public_certificate(organization: Organization, today: datetime.date) -> dict | None:
    """Only what a customer or supplier needs to check the certificate, or None when there is
    none to show: no sites, no audits, no people."""
    certificate = current_certificate(organization, today)
    if certificate is None or not certificate.show_publicly:
        return None
    label, style = certificate.state_on(today)
    return {
        "certification_body": certificate.certification_body,
        "number": certificate.number,
        "standard": f"{certificate.standard}:{certificate.edition}",
        "scope": certificate.scope,
        "valid_until": certificate.expires_on,
        "state": label,
        "style": style,
        "is_valid": certificate.is_valid_on(today),
    }


def upcoming_audits(
    organization: Organization, today: datetime.date
) -> QuerySet[CertificationAudit]:
    return (
        CertificationAudit.objects.for_organization(organization)
        .filter(held_on__isnull=True, planned_on__gte=today)
        .select_related("certificate")
        .order_by("planned_on")
    )


def audit_findings(audit: CertificationAudit) -> list:
    """The audit-findings register's records of this audit (by its reference), when that
    register is installed (its app sits above this one)."""
    if not audit.audit_reference:
        return []
    try:
        register = get_register("audit-findings")
    except KeyError:
        return []
    return list(
        register.model.objects.for_organization(audit.organization)
        .filter(audit_reference__iexact=audit.audit_reference)
        .order_by("number")
    )


def findings_by_audit(audits) -> dict[int, list]:
    """Findings of several audits in one query: {audit id: [finding, ...]}."""
    references = {a.audit_reference.lower(): a.pk for a in audits if a.audit_reference}
    if not references:
        return {}
    try:
        register = get_register("audit-findings")
    except KeyError:
        return {}
    organization_id = next(iter(audits)).organization_id
    query = Q()
    for reference in references:
        query |= Q(audit_reference__iexact=reference)
    found: dict[int, list] = {}
    for finding in (
        register.model.objects.filter(organization_id=organization_id)
        .filter(query)
        .order_by("number")
    ):
        found.setdefault(references[finding.audit_reference.lower()], []).append(finding)
    return found


def certificates_for_evidence(
    *,
    organization: Organization,
    unit: OrgUnit | None = None,
    start: datetime.date,
    end: datetime.date,
) -> list[dict]:
    """Certificates in force at some time in [start, end], each with its whole audit cycle
    (dates, results, findings' references), oldest first. Organisation-wide."""
    certificates = list(
        Certificate.objects.for_organization(organization)
        .filter(issued_on__lte=end, expires_on__gte=start)
        .prefetch_related("audits")
        .order_by("issued_on", "id")
    )
    audits = [a for c in certificates for a in c.audits.all()]
    findings = findings_by_audit(audits) if audits else {}
    return [
        {
            "certification_body": c.certification_body,
            "number": c.number,
            "standard": f"{c.standard}:{c.edition}",
            "scope": c.scope,
            "sites": [line.strip() for line in c.sites.splitlines() if line.strip()],
            "issued_on": c.issued_on,
            "expires_on": c.expires_on,
            "status": c.get_status_display(),
            "state_at_end": c.state_on(end)[0],
            "audits": [
                {
                    "kind": a.get_kind_display(),
                    "planned_on": a.planned_on,
                    "held_on": a.held_on,
                    "lead_auditor": a.lead_auditor,
                    "audit_reference": a.audit_reference,
                    "result": a.get_result_display() if a.result else "Not held yet",
                    "findings": [f.reference for f in findings.get(a.pk, [])],
                }
                for a in sorted(c.audits.all(), key=lambda a: (a.planned_on, a.pk))
            ],
        }
        for c in certificates
    ]
