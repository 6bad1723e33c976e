"""Competence pages (ISO 9001 7.2): the matrix of members x competences with gaps and expiries,
the competences and what each responsibility and role requires, members' records with their
evidence, and the import of existing records. Everyone reads; the quality team writes."""

from __future__ import annotations

import os

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from leadership.forms_competence import (
    CompetenceForm,
    CompetenceRecordForm,
    MatrixFilterForm,
    RecordFilterForm,
    RequirementsForm,
)
from leadership.models import Competence, CompetenceRequirement, Responsibility
from leadership.selectors import competence as selectors
from leadership.services import competence as services
from leadership.services.competence_import import COLUMNS, competence_records_import, template_csv
from qms.core import audit
from qms.core.concurrency import StaleEdit
from qms.core.immutable import NotAllowed
from qms.core.limits import form_status, upload_limit
from qms.core.registers.forms import ImportUploadForm
from qms.core.roles import AUDITOR_AND_MANAGERS, QUALITY_EDITOR_ROLES, Role


def _editor(request) -> bool:
    return request.membership.role in QUALITY_EDITOR_ROLES


def _require_editor(request) -> None:
    if not _editor(request):
        raise PermissionDenied("Only a quality manager or an administrator can change this.")


def _errors(error) -> str:
    return " ".join(getattr(error, "messages", [str(error)]))


@require_safe
def matrix(request: HttpRequest, org_slug: str) -> HttpResponse:
    organization = request.organization
    form = MatrixFilterForm(
        request.GET or None, organization=organization, membership=request.membership
    )
    unit = form.cleaned_data.get("unit") if form.is_valid() else None
    today = timezone.localdate()
    result = selectors.competence_matrix(organization=organization, unit=unit, today=today)
    return render(
        request,
        "leadership/competence_matrix.html",
        {
            "form": form,
            "matrix": result,
            "gaps": result.gaps()[:50],
            "expiring": result.expiring()[:50],
            "training_figures": selectors.training_hours_and_spend(
                organization=organization, unit=unit
            ),
            "currency": organization.currency,
            "can_edit": _editor(request),
        },
    )


@require_safe
def competence_list(request: HttpRequest, org_slug: str) -> HttpResponse:
    competences = selectors.competence_list(request.organization).prefetch_related(
        "requirements__responsibility"
    )
    return render(
        request,
        "leadership/competences.html",
        {"competences": competences, "can_edit": _editor(request)},
    )


@require_http_methods(["GET", "POST"])
def competence_edit(request: HttpRequest, org_slug: str, pk: int | None = None) -> HttpResponse:
    _require_editor(request)
    competence = (
        get_object_or_404(Competence.objects.for_organization(request.organization), pk=pk)
        if pk
        else Competence(organization=request.organization)
    )
    form = CompetenceForm(
        request.POST or None, instance=competence, organization=request.organization
    )
    if request.method == "POST" and form.is_valid():
        try:
            with form.saving():
                services.competence_save(membership=request.membership, competence=form.instance)
        except StaleEdit as stale:
            form, competence = form.reopened(stale), stale.current
        except ValidationError as error:
            form.add_error(None, _errors(error))
        else:
            messages.success(request, f"Competence {competence.name} saved.")
            return redirect(
                "leadership:competence-requirements", org_slug=org_slug, pk=competence.pk
            )
    status = form_status(form)
    return render(
        request,
        "leadership/competence_form.html",
        {"form": form, "competence": competence if pk else None},
        status=status,
    )


@require_http_methods(["GET", "POST"])
def competence_requirements(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    organization = request.organization
    competence = get_object_or_404(Competence.objects.for_organization(organization), pk=pk)
    responsibilities = list(Responsibility.objects.for_organization(organization))
    roles = [(v, label) for v, label in Role.choices if v != Role.AUDITOR]
    current = {}
    for requirement in CompetenceRequirement.objects.filter(competence=competence):
        key = (
            ("responsibility", requirement.responsibility_id)
            if requirement.responsibility_id
            else ("role", requirement.role)
        )
        current[key] = requirement.level
    form = RequirementsForm(
        request.POST or None, responsibilities=responsibilities, roles=roles, current=current
    )
    if request.method == "POST":
        _require_editor(request)
        if form.is_valid():
            for name, responsibility, role in form.rows:
                services.competence_requirement_set(
                    membership=request.membership,
                    competence=competence,
                    responsibility=responsibility,
                    role=role,
                    level=form.cleaned_data.get(name),
                )
            messages.success(request, "Requirements saved; the matrix shows the new gaps.")
            return redirect("leadership:competences", org_slug=org_slug)
    status = 400 if form.is_bound and form.errors else 200
    return render(
        request,
        "leadership/competence_requirements.html",
        {
            "competence": competence,
            "form": form,
            "can_edit": _editor(request),
            "history": audit.record_history(competence, limit=10),
        },
        status=status,
    )


@require_safe
def record_list(request: HttpRequest, org_slug: str) -> HttpResponse:
    organization = request.organization
    form = RecordFilterForm(
        request.GET or None, organization=organization, membership=request.membership
    )
    member = form.cleaned_data.get("member") if form.is_valid() else None
    records = selectors.record_list(organization=organization, membership=member)
    page = Paginator(records, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "leadership/competence_records.html",
        {
            "form": form,
            "page": page,
            "today": timezone.localdate(),
            "can_edit": _editor(request),
            "can_see_evidence": request.membership.role in AUDITOR_AND_MANAGERS,
        },
    )


@upload_limit("ATTACHMENT_MAX_BYTES")
@require_http_methods(["GET", "POST"])
def record_new(request: HttpRequest, org_slug: str) -> HttpResponse:
    _require_editor(request)
    initial = {}
    for name in ("membership", "competence"):
        if request.GET.get(name, "").isdigit():
            initial[name] = request.GET[name]
    form = CompetenceRecordForm(
        request.POST or None,
        request.FILES or None,
        organization=request.organization,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.competence_record_create(actor=request.membership, **form.cleaned_data)
        except (ValidationError, NotAllowed) as error:
            form.add_error(None, _errors(error))
        else:
            messages.success(request, "Competence record saved.")
            return redirect("leadership:competence-matrix", org_slug=org_slug)
    return render(
        request,
        "leadership/competence_record_form.html",
        {"form": form},
        status=form_status(form),
    )


@require_safe
def record_attachment(request: HttpRequest, org_slug: str, pk: int) -> FileResponse:
    """A record's evidence file, for the quality team, executives and auditors, and for the
    member it is about; never through a public URL."""
    record = get_object_or_404(
        selectors.record_list(organization=request.organization).exclude(attachment=""), pk=pk
    )
    if (
        request.membership.role not in AUDITOR_AND_MANAGERS
        and record.membership_id != request.membership.pk
    ):
        raise Http404("No such file.")
    return _serve(record.attachment)


def _serve(field_file) -> FileResponse:
    try:
        handle = field_file.open("rb")
    except FileNotFoundError:
        raise Http404("The file is missing from storage.") from None
    return FileResponse(handle, as_attachment=True, filename=os.path.basename(field_file.name))


@upload_limit("IMPORT_MAX_BYTES")
@require_http_methods(["GET", "POST"])
def records_import(request: HttpRequest, org_slug: str) -> HttpResponse:
    _require_editor(request)
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        result = competence_records_import(
            actor=request.membership, source=upload, filename=upload.name
        )
        if result.ok:
            messages.success(
                request,
                f"Imported {len(result.created)} competence record"
                f"{'' if len(result.created) == 1 else 's'}.",
            )
            return redirect("leadership:competence-records", org_slug=org_slug)
    status = form_status(form, failed=result is not None and not result.ok)
    return render(
        request,
        "leadership/competence_import.html",
        {"form": form, "result": result, "columns": COLUMNS},
        status=status,
    )


@require_safe
def import_template(request: HttpRequest, org_slug: str) -> HttpResponse:
    response = HttpResponse(template_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="competence-records.csv"'
    return response
