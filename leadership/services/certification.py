"""Writes of the certificate and its audit cycle. The quality team keeps them."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from leadership.models import Certificate, CertificationAudit
from leadership.services.competence import check_editor
from qms.core.models import Membership


@transaction.atomic
def certificate_save(*, membership: Membership, certificate: Certificate) -> Certificate:
    check_editor(membership, "the certificate")
    if certificate.pk and certificate.organization_id != membership.organization_id:
        raise ValidationError("This certificate is not your organisation's.")
    certificate.organization_id = membership.organization_id
    certificate._history_user = membership.user
    certificate.full_clean()
    certificate.save()
    return certificate


@transaction.atomic
def certification_audit_save(
    *, membership: Membership, audit: CertificationAudit
) -> CertificationAudit:
    check_editor(membership, "the certificate's audits")
    if audit.certificate.organization_id != membership.organization_id:
        raise ValidationError({"certificate": "Choose a certificate of this organisation."})
    audit.organization_id = membership.organization_id
    audit._history_user = membership.user
    audit.full_clean()
    audit.save()
    return audit
