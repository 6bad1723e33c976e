"""Core pages: landing, organisation home, people, org units, audit trail, system status,
and the member's API token."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from rest_framework.authtoken.models import Token

from qms.core import audit, selectors
from qms.core.forms import MemberFilterForm
from qms.core.health import health_response
from qms.core.home import landing_url_name, panels_for
from qms.core.models import WorkerHeartbeat
from qms.core.outbox import enqueue
from qms.core.permissions import role_required
from qms.core.roles import ADMIN_ROLES, AUDIT_TRAIL_ROLES, Role
from qms.core.tasks import heartbeat
from qms.core.tenancy import (
    SESSION_KEY,
    audit_scope,
    default_membership,
    readable_by_unit_auditors,
    unit_scoped,
)

PAGE_SIZE = 25
# Open invitations listed on People, newest first; the heading says "50+" beyond.
INVITATIONS_SHOWN = 50
ENDED_SHOWN = 100  # auditors whose access ended, listed on the People page


@require_safe
def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico whatever the page says: point them at ours (no 404 in the
    log for every first page)."""
    return redirect(static("favicon.svg"), permanent=True)


@login_required
@require_safe
def landing(request: HttpRequest) -> HttpResponse:
    """After login: the organisation used last, else the first one; or say there is none."""
    membership = default_membership(request.user, request.session.get(SESSION_KEY))
    if membership is None:
        ended = selectors.ended_memberships(user=request.user)
        request.ended_memberships = ended  # the auditor access log records the attempt
        return render(
            request, "core/no_organization.html", {"ended": ended}, status=403 if ended else 200
        )
    return redirect(landing_url_name(membership.role), org_slug=membership.organization.slug)


def unit_registers():
    """The registers whose records belong to a unit: what an auditor limited to one can open."""
    from qms.core.registers.definition import all_registers

    return [r for r in all_registers() if readable_by_unit_auditors(r.model)]


@unit_scoped
@require_safe
def org_home(request: HttpRequest, org_slug: str) -> HttpResponse:
    """The first page in an organisation: what there is, and what to do next for this role."""
    organization = request.organization
    scope = audit_scope(request.membership)
    if scope is not None:
        return render(
            request,
            "core/org_home_unit_auditor.html",
            {"scope": scope, "registers": unit_registers()},
        )
    context = {
        "role_counts": selectors.role_counts(organization=organization),
        "units": selectors.org_unit_tree(organization=organization),
        "expiring_auditors": selectors.expiring_auditor_access(organization=organization),
        "panels": panels_for(request),
    }
    return render(request, "core/org_home.html", context)


@require_safe
def members(request: HttpRequest, org_slug: str) -> HttpResponse:
    """Everyone sees who is a member and their role; administrators open each member's page,
    and also list the members who left."""
    is_admin = request.membership.role in ADMIN_ROLES
    form = MemberFilterForm(request.GET or None)
    if not is_admin:
        del form.fields["status"]
    data = form.cleaned_data if form.is_valid() else {}
    left = is_admin and data.get("status") == "left"
    memberships = selectors.membership_list(
        organization=request.organization, role=data.get("role") or None, left=left
    )
    page = Paginator(memberships, PAGE_SIZE).get_page(request.GET.get("page"))
    # Auditors past their last day: on the books, but no longer current members. Few (an
    # audit's auditors), so listed whole under their own heading, on the first page.
    ended = []
    if not left and page.number == 1:
        ended = list(
            selectors.access_ended_list(
                organization=request.organization, role=data.get("role") or None
            )[:ENDED_SHOWN]
        )
    context = {"form": form, "page": page, "is_admin": is_admin, "left": left, "ended": ended}
    if is_admin:
        from qms.core.invitations.models import Invitation

        shown = Invitation.objects.for_people_page(request.organization.id, INVITATIONS_SHOWN)
        context["invitations"] = shown[:INVITATIONS_SHOWN]
        context["invitations_more"] = len(shown) > INVITATIONS_SHOWN
    return render(request, "core/members.html", context)


@require_safe
def org_units(request: HttpRequest, org_slug: str) -> HttpResponse:
    """The tree of units for everyone; administrators also add, open and change them."""
    units = selectors.org_unit_tree(organization=request.organization)
    is_admin = request.membership.role in ADMIN_ROLES
    return render(request, "core/org_units.html", {"units": units, "is_admin": is_admin})


@role_required(AUDIT_TRAIL_ROLES)
@require_safe
def audit_trail(request: HttpRequest, org_slug: str) -> HttpResponse:
    """The organisation's changes, newest first, one page at a time ("older" follows a cursor)."""
    before = parse_datetime(request.GET.get("before", "")) if request.GET.get("before") else None
    if before is not None and timezone.is_naive(before):
        before = timezone.make_aware(before, datetime.UTC)
    entries = audit.organization_trail(request.organization.id, before=before, limit=PAGE_SIZE)
    older = entries[-1].when.isoformat() if len(entries) == PAGE_SIZE else None
    return render(
        request,
        "core/audit_trail.html",
        {"entries": entries, "older": older, "is_first_page": before is None},
    )


@require_safe
@role_required(ADMIN_ROLES | {Role.QUALITY_MANAGER})
def system_status(request: HttpRequest, org_slug: str) -> HttpResponse:
    return render(request, "core/system.html", {"status": selectors.worker_status()})


@require_POST
@role_required(ADMIN_ROLES)
def system_send_test_task(request: HttpRequest, org_slug: str) -> HttpResponse:
    """Queue a heartbeat through the broker; the page shows when the worker has run it."""
    enqueue(heartbeat, WorkerHeartbeat.Source.MANUAL)
    messages.success(
        request,
        "A test task was queued. Reload this page in a few seconds: "
        "'Last test task' shows when the worker ran it.",
    )
    return redirect("core:system", org_slug=org_slug)


@login_required
@require_http_methods(["GET", "POST"])
def api_token(request: HttpRequest) -> HttpResponse:
    """Show the member's API token; POST creates or replaces it (the old one stops working)."""
    if request.method == "POST":
        Token.objects.filter(user=request.user).delete()
        token = Token.objects.create(user=request.user)
        messages.success(
            request, "A new API token was created. Any previous token no longer works."
        )
        return render(request, "core/api_token.html", {"token": token, "just_created": True})
    token = Token.objects.filter(user=request.user).first()
    return render(request, "core/api_token.html", {"token": token, "just_created": False})


def not_found(request: HttpRequest, exception=None) -> HttpResponse:
    """404: the API's JSON error for API paths (a client reads `detail`), the page otherwise."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not found."}, status=404)
    return render(request, "404.html", {"exception": exception}, status=404)


def health(request: HttpRequest) -> HttpResponse:
    """Liveness for the container's health check (answered earlier still by
    qms.core.health.HealthCheckMiddleware; this view keeps it in the URL map)."""
    return health_response()
