"""Process pages beyond the register's own (ISO 9001 4.4): a process's overview, the evidence
that quality runs inside it (KPIs' status and trend, open risks, nonconformities, actions), the
map of hand-overs between processes, and the kinds of interested party (4.2)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from leadership.forms_competence import PartyKindForm
from leadership.registers_support import party_kind_counts
from leadership.selectors import processes as selectors
from leadership.selectors.parties import unmonitored_requirements
from leadership.services.parties import (
    CONTEXT_EDITORS,
    party_kind_add,
    party_kinds_ensure_standard,
)
from leadership.views.competence import _errors


@require_safe
def process_overview(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    process = get_object_or_404(selectors.process_list(organization=request.organization), pk=pk)
    return render(
        request,
        "leadership/process_overview.html",
        {
            "process": process,
            "overview": selectors.process_overview(process, timezone.localdate()),
            "receives_from": process.receives_from.order_by("number"),
        },
    )


@require_safe
def process_map(request: HttpRequest, org_slug: str) -> HttpResponse:
    processes = list(selectors.process_list(organization=request.organization))
    return render(
        request,
        "leadership/process_map.html",
        {
            "processes": processes,
            "flagged": [p for p in processes if selectors.process_flags(p)],
            "unmonitored": unmonitored_requirements(request.organization)[:20],
        },
    )


@require_http_methods(["GET", "POST"])
def party_kinds(request: HttpRequest, org_slug: str) -> HttpResponse:
    organization = request.organization
    can_edit = request.membership.role in CONTEXT_EDITORS
    form = PartyKindForm(request.POST or None, organization=organization)
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied("Your role cannot add kinds of interested party.")
        if form.is_valid():
            try:
                kind = party_kind_add(membership=request.membership, name=form.cleaned_data["name"])
            except ValidationError as error:
                form.add_error("name", _errors(error))
            else:
                messages.success(request, f"Kind of party {kind.name} added.")
                return redirect("leadership:party-kinds", org_slug=org_slug)
    elif can_edit:
        party_kinds_ensure_standard(organization)
    status = 400 if form.is_bound and form.errors else 200
    return render(
        request,
        "leadership/party_kinds.html",
        {"kinds": party_kind_counts(organization), "form": form, "can_edit": can_edit},
        status=status,
    )
