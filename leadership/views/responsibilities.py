"""The responsibility matrix (ISO 9001 5.3) as of a date, and assigning responsibilities."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from leadership.forms import AsOfForm, AssignmentForm, ResponsibilityForm
from leadership.models import ResponsibilityAssignment
from leadership.selectors import responsibilities as selectors
from leadership.services import responsibilities as services
from qms.core.roles import QUALITY_EDITOR_ROLES

EDITORS = QUALITY_EDITOR_ROLES


@require_safe
def matrix(request: HttpRequest, org_slug: str) -> HttpResponse:
    form = AsOfForm(request.GET or None)
    day = timezone.localdate()
    if form.is_valid() and form.cleaned_data["date"]:
        day = form.cleaned_data["date"]
    can_edit = request.membership.role in EDITORS
    return render(
        request,
        "leadership/responsibilities.html",
        {
            "rows": selectors.matrix_as_of(organization=request.organization, day=day),
            "day": day,
            "is_today": day == timezone.localdate(),
            "as_of_form": form if form.is_bound else AsOfForm(initial={"date": day}),
            "assign_form": AssignmentForm(organization=request.organization) if can_edit else None,
            "responsibility_form": ResponsibilityForm() if can_edit else None,
            "can_edit": can_edit,
        },
    )


def _require_editor(request) -> None:
    if request.membership.role not in EDITORS:
        raise PermissionDenied("Only quality managers and administrators assign responsibilities.")


@require_POST
def standard_create(request: HttpRequest, org_slug: str) -> HttpResponse:
    _require_editor(request)
    created = services.responsibilities_ensure_standard(
        organization=request.organization, actor=request.user
    )
    messages.success(
        request, f"Added {created} responsibilit{'y' if created == 1 else 'ies'} of ISO 9001 5.3."
    )
    return redirect("leadership:responsibilities", org_slug=org_slug)


@require_POST
def responsibility_create(request: HttpRequest, org_slug: str) -> HttpResponse:
    _require_editor(request)
    form = ResponsibilityForm(request.POST)
    if form.is_valid():
        try:
            services.responsibility_create(
                organization=request.organization, actor=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, "Responsibility added.")
    else:
        messages.error(
            request,
            "The responsibility was not added: "
            + " ".join(f"{form.fields[f].label}: {' '.join(e)}" for f, e in form.errors.items()),
        )
    return redirect("leadership:responsibilities", org_slug=org_slug)


@require_http_methods(["POST"])
def assign(request: HttpRequest, org_slug: str) -> HttpResponse:
    _require_editor(request)
    form = AssignmentForm(request.POST, organization=request.organization)
    if form.is_valid():
        try:
            services.assignment_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, "Responsibility assigned.")
            return redirect("leadership:responsibilities", org_slug=org_slug)
    else:
        messages.error(
            request,
            "Not assigned: "
            + " ".join(
                f"{form.fields[f].label if f in form.fields else ''} {' '.join(e)}".strip()
                for f, e in form.errors.items()
            ),
        )
    return redirect("leadership:responsibilities", org_slug=org_slug)


@require_POST
def assignment_end(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    _require_editor(request)
    assignment = get_object_or_404(
        ResponsibilityAssignment.objects.for_organization(request.organization), pk=pk
    )
    try:
        services.assignment_end(
            assignment=assignment, valid_to=timezone.localdate(), actor=request.user
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, "Assignment ended today; it stays in the matrix for earlier dates."
        )
    return redirect("leadership:responsibilities", org_slug=org_slug)
