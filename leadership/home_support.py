"""The support panel of the home page for the quality team, executives and auditors: the
competence gaps and expiries, training evaluations due, requirements nothing monitors,
processes without owner or KPI, and whether the certificate is valid."""

from __future__ import annotations

from django.utils import timezone

from leadership.selectors.certification import current_certificate
from leadership.selectors.competence import competence_matrix
from leadership.selectors.parties import unmonitored_requirements
from leadership.selectors.processes import flagged_processes
from leadership.selectors.training import evaluations_due


def support_panel_context(request) -> dict:
    organization = request.organization
    today = timezone.localdate()
    matrix = competence_matrix(organization=organization, today=today)
    certificate = current_certificate(organization, today)
    return {
        "gaps": matrix.gap_count,
        "expiring": matrix.expiring_count,
        "evaluations_due": evaluations_due(organization=organization, today=today).count(),
        "unmonitored": unmonitored_requirements(organization).count(),
        "flagged_processes": flagged_processes(organization).count(),
        "certificate": certificate,
        "certificate_state": certificate.state_on(today) if certificate else None,
    }
