"""Top management's accountability pages (ISO 9001 5.1): objectives, actions, approvals,
resource decisions, for all executives and for each."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_safe

from leadership.models import PolicyVersion, ResourceAllocation
from leadership.selectors import accountability
from objectives import selectors as objective_selectors
from qms.core.actions import selectors as action_selectors
from qms.core.models import Membership
from qms.core.roles import Role


@require_safe
def executive_list(request: HttpRequest, org_slug: str) -> HttpResponse:
    return render(
        request,
        "leadership/executives.html",
        {
            "records": accountability.executive_records(organization=request.organization),
            "extra_labels": accountability.extra_column_labels(),
            "awaiting": accountability.awaiting_top_management(request.organization),
        },
    )


@require_safe
def executive_detail(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    executive = get_object_or_404(
        Membership.objects.for_organization(request.organization)
        .with_role(Role.EXECUTIVE)
        .select_related("user"),
        pk=pk,
    )
    objectives = objective_selectors.objective_list(
        organization=request.organization,
        filters=objective_selectors.ObjectiveFilters(executive_id=executive.id),
    )
    return render(
        request,
        "leadership/executive_detail.html",
        {
            "executive": executive,
            "objectives": objectives,
            "counts": objective_selectors.rag_counts(objectives.filter(status="active")),
            "policy_approvals": PolicyVersion.objects.filter(approved_by=executive).order_by(
                "-approved_at"
            ),
            "actions": action_selectors.accountable_actions(executive)[:25],
            "today": timezone.localdate(),
            "resource_decisions": ResourceAllocation.objects.filter(decided_by=executive)
            .select_related("objective", "org_unit")
            .order_by("-decided_at")[:25],
        },
    )
