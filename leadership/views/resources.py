"""Resource allocation pages (ISO 9001 7.1): requested vs approved vs spent, decisions by top
management, spend, and off-track objectives with nothing approved behind them."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from leadership.forms import AllocationFilterForm, AllocationForm, DecisionForm, SpendForm
from leadership.models import ResourceAllocation
from leadership.permissions import can_record_spend
from leadership.selectors import resources as selectors
from leadership.services import resources as services
from qms.core import audit
from qms.core.immutable import NotAllowed, TransitionError
from qms.core.permissions import role_required
from qms.core.roles import APPROVER_ROLES, WRITER_ROLES


@require_safe
def allocation_list(request: HttpRequest, org_slug: str) -> HttpResponse:
    organization = request.organization
    form = AllocationFilterForm(
        request.GET or None, organization=organization, membership=request.membership
    )
    filters = form.cleaned_data if form.is_valid() else {}
    allocations = selectors.allocation_list(
        organization=organization,
        objective=filters.get("objective"),
        unit=filters.get("unit"),
        status=filters.get("status") or None,
        kind=filters.get("kind") or None,
    )
    page = Paginator(allocations, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "leadership/resources.html",
        {
            "form": form,
            "page": page,
            "totals": selectors.totals_by_unit_of_measure(allocations),
            "unresourced": selectors.off_track_without_resources(organization)[:10],
            "can_request": request.membership.role in WRITER_ROLES,
            "can_decide": request.membership.role in APPROVER_ROLES,
        },
    )


@require_http_methods(["GET", "POST"])
def allocation_new(request: HttpRequest, org_slug: str) -> HttpResponse:
    if request.membership.role not in WRITER_ROLES:
        raise PermissionDenied("Auditors cannot request resources.")
    initial = {"objective": request.GET.get("objective")} if request.GET.get("objective") else None
    form = AllocationForm(request.POST or None, organization=request.organization, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            allocation = services.allocation_request(
                membership=request.membership, **form.cleaned_data
            )
        except (ValidationError, TransitionError) as error:
            form.add_error(None, " ".join(getattr(error, "messages", [str(error)])))
        else:
            messages.success(request, "Request recorded. An executive approves or rejects it.")
            return redirect("leadership:resource-detail", org_slug=org_slug, pk=allocation.pk)
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "leadership/resource_form.html", {"form": form}, status=status)


def _allocation(request, pk) -> ResourceAllocation:
    return get_object_or_404(selectors.allocation_list(organization=request.organization), pk=pk)


def _detail(request, allocation, spend_form=None, status=200) -> HttpResponse:
    return render(
        request,
        "leadership/resource_detail.html",
        {
            "allocation": allocation,
            "spends": allocation.spends.select_related("recorded_by"),
            "history": audit.record_history(allocation, limit=20),
            "can_decide": request.membership.role in APPROVER_ROLES,
            "can_spend": can_record_spend(request.membership, allocation),
            "decision_form": DecisionForm(),
            "spend_form": spend_form or SpendForm(),
        },
        status=status,
    )


@require_safe
def allocation_detail(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    return _detail(request, _allocation(request, pk))


@require_POST
@role_required(APPROVER_ROLES)  # the role before the lookup: 403, whatever the key
def allocation_decide(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    allocation = _allocation(request, pk)
    form = DecisionForm(request.POST)
    comment = form.cleaned_data["comment"] if form.is_valid() else ""
    approve = request.POST.get("decision") == "approve"
    try:
        services.allocation_decide(
            allocation=allocation, approver=request.membership, approve=approve, comment=comment
        )
    except NotAllowed as error:  # the role may not: 403, not a message
        raise PermissionDenied(str(error)) from error
    except TransitionError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Approved." if approve else "Rejected.")
    return redirect("leadership:resource-detail", org_slug=org_slug, pk=pk)


@require_POST
def spend_new(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    allocation = _allocation(request, pk)
    # Who may, before the input is read: the service asks again.
    if not can_record_spend(request.membership, allocation):
        raise PermissionDenied(
            "Only the person who requested this allocation, the owner of its objective or a "
            "quality manager can record spend against it."
        )
    form = SpendForm(request.POST)
    if form.is_valid():
        try:
            services.spend_record(
                allocation=allocation, membership=request.membership, **form.cleaned_data
            )
        except NotAllowed as error:  # the role may not: 403, not a message
            raise PermissionDenied(str(error)) from error
        except TransitionError as error:
            messages.error(request, str(error))
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for field, errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, error.messages)
        else:
            messages.success(request, "Spend recorded.")
            return redirect("leadership:resource-detail", org_slug=org_slug, pk=pk)
    if form.errors:  # shown with what was typed, beside the fields
        return _detail(request, allocation, spend_form=form, status=400)
    return redirect("leadership:resource-detail", org_slug=org_slug, pk=pk)
