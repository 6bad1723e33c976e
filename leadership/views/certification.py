"""The certificate page: is our certificate valid, until when, for what scope, and how its
audit cycle went (dates, results, findings from the audit-findings register)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from leadership.forms_competence import CertificateForm, CertificationAuditForm
from leadership.models import Certificate, CertificationAudit
from leadership.selectors import certification as selectors
from leadership.services import certification as services
from leadership.views.competence import _editor, _errors, _require_editor
from qms.core.concurrency import StaleEdit
from qms.core.limits import form_status


@require_safe
def certificate_page(request: HttpRequest, org_slug: str) -> HttpResponse:
    organization = request.organization
    today = timezone.localdate()
    certificates = list(selectors.certificate_list(organization=organization))
    current = selectors.current_certificate(organization, today)
    audits = list(current.audits.all()) if current else []
    findings = selectors.findings_by_audit(audits) if audits else {}
    return render(
        request,
        "leadership/certificate.html",
        {
            "current": current,
            "state": current.state_on(today) if current else None,
            "days_left": (current.expires_on - today).days if current else None,
            "audits": [(a, findings.get(a.pk, [])) for a in audits],
            "others": [c for c in certificates if current is None or c.pk != current.pk],
            "can_edit": _editor(request),
            "today": today,
        },
    )


@require_http_methods(["GET", "POST"])
def certificate_edit(request: HttpRequest, org_slug: str, pk: int | None = None) -> HttpResponse:
    _require_editor(request)
    certificate = (
        get_object_or_404(Certificate.objects.for_organization(request.organization), pk=pk)
        if pk
        else Certificate(organization=request.organization)
    )
    form = CertificateForm(request.POST or None, instance=certificate)
    if request.method == "POST" and form.is_valid():
        try:
            with form.saving():
                services.certificate_save(membership=request.membership, certificate=form.instance)
        except StaleEdit as stale:
            form, certificate = form.reopened(stale), stale.current
        except ValidationError as error:
            form.add_error(None, _errors(error))
        else:
            messages.success(request, "Certificate saved.")
            return redirect("leadership:certificate", org_slug=org_slug)
    status = form_status(form)
    return render(
        request,
        "leadership/certificate_form.html",
        {"form": form, "certificate": certificate if pk else None},
        status=status,
    )


@require_http_methods(["GET", "POST"])
def audit_edit(
    request: HttpRequest, org_slug: str, certificate_pk: int, pk: int | None = None
) -> HttpResponse:
    _require_editor(request)
    certificate = get_object_or_404(
        Certificate.objects.for_organization(request.organization), pk=certificate_pk
    )
    audit = (
        get_object_or_404(CertificationAudit.objects.filter(certificate=certificate), pk=pk)
        if pk
        else CertificationAudit(organization=request.organization, certificate=certificate)
    )
    form = CertificationAuditForm(request.POST or None, instance=audit)
    if request.method == "POST" and form.is_valid():
        try:
            with form.saving():
                services.certification_audit_save(
                    membership=request.membership, audit=form.instance
                )
        except StaleEdit as stale:
            form, audit = form.reopened(stale), stale.current
        except ValidationError as error:
            form.add_error(None, _errors(error))
        else:
            messages.success(request, "Audit saved.")
            return redirect("leadership:certificate", org_slug=org_slug)
    status = form_status(form)
    return render(
        request,
        "leadership/certification_audit_form.html",
        {"form": form, "certificate": certificate, "audit": audit if pk else None},
        status=status,
    )
