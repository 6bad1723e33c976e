"""The executive dashboard: one page composed from the apps' figures, and each chart's numbers
as CSV. Filters come from the query string, so a view can be bookmarked and shared."""

from __future__ import annotations

import dataclasses

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_safe

from objectives.models import Rag
from qms.core.documents import render_pdf
from qms.core.models import Membership
from qms.core.roles import Role
from qms.core.tenancy import audit_scope, unit_scoped
from qms.dashboard import board, tables
from qms.dashboard.filters import CUSTOM, read_filters
from qms.dashboard.leadership_record import leadership_record
from qms.dashboard.selectors import dashboard_data


def _build(request: HttpRequest):
    today = timezone.localdate()
    form, filters, problems = read_filters(
        request.GET, organization=request.organization, today=today, membership=request.membership
    )
    scope = audit_scope(request.membership)
    if scope is not None and not (filters.unit and filters.unit.path.startswith(scope.path)):
        # An auditor limited to a unit sees that subtree's dashboard.
        filters = dataclasses.replace(filters, unit=scope)
    data = dashboard_data(
        organization=request.organization,
        filters=filters,
        today=today,
        limited_to_unit=scope is not None,
    )
    return form, filters, problems + data.messages, data


@unit_scoped
@require_safe
def dashboard(request: HttpRequest, org_slug: str) -> HttpResponse:
    form, filters, problems, data = _build(request)
    for problem in problems:
        messages.warning(request, problem)
    panels = tables.panels(data, org_slug)
    query = request.GET.urlencode()
    change = data.rag_change or {}
    # An executive's own objectives are a filter (the same for anyone who opens that address),
    # offered as a link and labelled as theirs when chosen.
    own_query = everyone_query = None
    if request.membership.role == Role.EXECUTIVE:
        own, everyone = request.GET.copy(), request.GET.copy()
        own["executive"] = request.membership.pk
        everyone.pop("executive", None)
        own_query, everyone_query = f"?{own.urlencode()}", f"?{everyone.urlencode()}"
    rag_tile = [(key, label, data.rag[key], change.get(key)) for key, label in Rag.choices]
    return render(
        request,
        "dashboard/dashboard.html",
        {
            "form": form,
            "filters": filters,
            "data": data,
            "panels": panels,
            "rag_tile": rag_tile,
            "resource_tiles": tables.resource_tiles(data),
            "kpi_panel": panels["kpi-trends"],
            "trend_charts": [
                panels[k]
                for k in ("reviews", "action-closure", "open-actions", "pulse-survey")
                if k in panels
            ],
            "accountability": panels.get("accountability"),
            "query": f"?{query}" if query else "",
            "is_custom": filters.period.key == CUSTOM,
            "own_query": own_query,
            "everyone_query": everyone_query,
            "is_own_view": filters.executive is not None
            and filters.executive.pk == request.membership.pk,
        },
    )


@unit_scoped
@require_safe
def table_csv(request: HttpRequest, org_slug: str, table: str) -> HttpResponse:
    _, filters, _, data = _build(request)
    panel = tables.panels(data, org_slug, full=True).get(table)
    if panel is None:
        raise Http404("No such table on the dashboard.")
    response = HttpResponse(tables.as_csv(panel), content_type="text/csv; charset=utf-8")
    name = f"{org_slug}-{table}-{filters.period.start:%Y%m%d}-{filters.period.end:%Y%m%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_safe
def executive_record(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    """An executive's leadership record, quarter by quarter (every member may read it: it is
    how top management shows leadership)."""
    executive = get_object_or_404(
        Membership.objects.for_organization(request.organization)
        .with_role(Role.EXECUTIVE)
        .select_related("user"),
        pk=pk,
    )
    record = leadership_record(organization=request.organization, executive=executive)
    return render(
        request,
        "dashboard/leadership_record.html",
        {"record": record, "is_own": executive.pk == request.membership.pk},
    )


def _download_name(org_slug: str, filters, suffix: str) -> str:
    return f"{org_slug}-board-{filters.period.start:%Y%m%d}-{filters.period.end:%Y%m%d}.{suffix}"


@unit_scoped
@require_safe
def board_pdf(request: HttpRequest, org_slug: str) -> HttpResponse:
    """The dashboard as a PDF for the board, for the filters in the query string."""
    _, filters, _, data = _build(request)
    panels = tables.panels(data, org_slug)
    # The organisation is named once in the footer already: the scope says which part of it.
    scope = filters.unit.name if filters.unit else "whole organisation"
    pdf = render_pdf(
        "dashboard/board_pdf.html",
        board.board_context(data, panels, org_slug),
        organization=request.organization,
        title="Board report",
        period=f"{scope}, {filters.period.start:%-d %b %Y} to {filters.period.end:%-d %b %Y}",
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="{_download_name(org_slug, filters, "pdf")}"'
    )
    return response


@unit_scoped
@require_safe
def board_xlsx(request: HttpRequest, org_slug: str) -> HttpResponse:
    """Every table of the dashboard (all rows), one sheet each."""
    _, filters, _, data = _build(request)
    workbook = board.tables_xlsx(tables.panels(data, org_slug, full=True))
    response = HttpResponse(
        workbook, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="{_download_name(org_slug, filters, "xlsx")}"'
    )
    return response
