"""Objective pages: list, detail (chart, forecast, values, plan, history), create/edit, and
the owner's quick "log this period's value" form. Rules live in services and permissions."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from objectives import charts, selectors, services
from objectives.forecast import objective_forecast
from objectives.forms import MeasurementForm, ObjectiveFilterForm, ObjectiveForm, PlanStepForm
from objectives.models import Granularity, Measurement, Rag
from objectives.periods import describe
from objectives.permissions import can_edit_objectives, can_log_values, can_plan
from objectives.status import no_data_sentence
from objectives.views.red_panel import red_panel
from qms.core import audit
from qms.core.actions.panels import source_actions_panel
from qms.core.concurrency import StaleEdit
from qms.core.limits import form_status
from qms.core.permissions import role_required
from qms.core.roles import QUALITY_EDITOR_ROLES
from qms.core.tenancy import audit_scope, in_audit_scope, limit_to_audit_scope, unit_scoped
from qms.core.worker_wait import not_picked_up

PAGE_SIZE = 25


def _objective(request, code: str):
    """The objective with this code, or 404 (also outside an auditor's unit)."""
    objective = selectors.objective_get(organization=request.organization, code=code)
    unit = audit_scope(request.membership)
    if unit is not None and not objective.org_unit.path.startswith(unit.path):
        raise Http404("No such objective.")
    return objective


@unit_scoped
@require_safe
def objective_list(request: HttpRequest, org_slug: str) -> HttpResponse:
    organization = request.organization
    form = ObjectiveFilterForm(
        request.GET or None, organization=organization, membership=request.membership
    )
    filters = selectors.ObjectiveFilters()
    if form.is_valid():
        data = form.cleaned_data
        filters = selectors.ObjectiveFilters(
            unit=data["unit"],
            owner_id=data["owner"].id if data["owner"] else None,
            executive_id=data["executive"].id if data["executive"] else None,
            status=data["status"] or None,
            rag=data["rag"] or None,
            search=data["q"].strip(),
            sort=data["sort"] or "code",
        )
    scope = request.membership
    objectives = limit_to_audit_scope(
        selectors.objective_list(organization=organization, filters=filters), scope
    )
    page = Paginator(objectives, PAGE_SIZE).get_page(request.GET.get("page"))
    counts = selectors.rag_counts(
        limit_to_audit_scope(
            selectors.objective_list(
                organization=organization,
                filters=selectors.ObjectiveFilters(unit=filters.unit, status="active"),
            ),
            scope,
        )
    )
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("sort", None)
    return render(
        request,
        "objectives/objective_list.html",
        {
            "form": form,
            "page": page,
            "counts": counts,
            "rag_labels": dict(Rag.choices),
            "sort": filters.sort,
            "filter_query": query.urlencode(),
            "can_edit": can_edit_objectives(request.membership),
        },
    )


@unit_scoped
@require_safe
def objective_detail(request: HttpRequest, org_slug: str, code: str) -> HttpResponse:
    objective = _objective(request, code)
    return _render_detail(request, objective)


def _render_detail(request, objective, log_form=None, step_form=None, status=200):
    series = selectors.measurement_series(objective)
    forecast = objective_forecast(objective, series)
    page = Paginator(selectors.measurements(objective), 24).get_page(request.GET.get("page"))
    membership = request.membership
    today = timezone.localdate()
    pending_since = selectors.status_pending_since(objective)
    if log_form is None and can_log_values(membership, objective):
        log_form = MeasurementForm(objective=objective, today=today)
    if step_form is None and can_plan(membership, objective):
        step_form = PlanStepForm(organization=request.organization)
    return render(
        request,
        "objectives/objective_detail.html",
        {
            "objective": objective,
            # An auditor limited to a unit is not sent to a parent objective above it (404).
            "status_pending_since": pending_since,
            # Past a worker's reasonable delay: say so plainly instead of "in a moment".
            "status_not_picked_up": not_picked_up(
                pending_since,
                what="the recalculation of this objective's status",
                kept="the value is saved",
            ),
            "parent_in_scope": objective.parent_id is not None
            and in_audit_scope(objective.parent, membership),
            "figure": charts.objective_figure(objective, series, forecast),
            "forecast": forecast,
            "series_count": len(series),
            "page": page,
            "quarters": selectors.rollups_read(objective, Granularity.QUARTER, 8, today),
            "years": selectors.rollups_read(objective, Granularity.YEAR, 5, today),
            "steps": selectors.plan_steps(objective),
            "children": selectors.children(objective),
            "history": audit.record_history(objective, limit=20, within=audit_scope(membership)),
            # Off track or gone silent: raising an action is the obvious next step, so it leads.
            # An objective with no value yet is neither: it says so in its status instead.
            "actions_panel": source_actions_panel(
                source=objective,
                membership=membership,
                prominent=objective.status == objective.Status.ACTIVE
                and (
                    objective.current_status == Rag.RED
                    or (
                        objective.current_status == Rag.NO_DATA
                        and objective.current_period_end is not None
                    )
                ),
                prompt=f"{no_data_sentence(objective, today)} There is no open action."
                if objective.current_status == Rag.NO_DATA
                else "",
            ),
            "no_data_sentence": no_data_sentence(objective, today),
            "log_form": log_form,
            "step_form": step_form,
            **red_panel(objective, membership),
            "can_edit": can_edit_objectives(membership),
            "current_period_label": describe(objective.frequency, objective.current_period_end)
            if objective.current_period_end
            else None,
        },
        status=status,
    )


@role_required(QUALITY_EDITOR_ROLES)
@require_http_methods(["GET", "POST"])
def objective_create(request: HttpRequest, org_slug: str) -> HttpResponse:
    form = ObjectiveForm(request.POST or None, organization=request.organization)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            objective = services.objective_create(
                organization=request.organization, actor=request.user, **fields
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, f"Objective {objective.code} created.")
            return redirect("objectives:detail", org_slug=org_slug, code=objective.code)
    status = 400 if form.is_bound and form.errors else 200
    return render(
        request, "objectives/objective_form.html", {"form": form, "objective": None}, status=status
    )


@role_required(QUALITY_EDITOR_ROLES)
@require_http_methods(["GET", "POST"])
def objective_edit(request: HttpRequest, org_slug: str, code: str) -> HttpResponse:
    objective = _objective(request, code)
    form = ObjectiveForm(
        request.POST or None, instance=objective, organization=request.organization
    )
    if request.method == "POST" and form.is_valid():
        changes = {name: form.cleaned_data[name] for name in form.changed_data}
        if changes:
            try:
                with form.saving():
                    objective = services.objective_update(
                        objective=objective, actor=request.user, **changes
                    )
            except StaleEdit as stale:
                form, objective = form.reopened(stale), stale.current
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, f"Objective {objective.code} updated.")
                return redirect("objectives:detail", org_slug=org_slug, code=objective.code)
        else:
            return redirect("objectives:detail", org_slug=org_slug, code=objective.code)
    status = form_status(form)
    return render(
        request,
        "objectives/objective_form.html",
        {"form": form, "objective": objective},
        status=status,
    )


@require_POST
def measurement_log(request: HttpRequest, org_slug: str, code: str) -> HttpResponse:
    objective = _objective(request, code)
    if not can_log_values(request.membership, objective):
        raise PermissionDenied("Only the objective's owner or a quality manager logs its values.")
    withdrawing = "withdraw" in request.POST
    form = MeasurementForm(
        request.POST, objective=objective, today=timezone.localdate(), withdrawing=withdrawing
    )
    if form.is_valid() and withdrawing:
        return _withdraw(request, objective, form)
    if form.is_valid():
        try:
            measurement, created = services.measurement_record(
                objective=objective,
                period_end=form.cleaned_data["period_end"],
                value=form.cleaned_data["value"],
                note=form.cleaned_data["note"],
                actor=request.user,
                source=Measurement.Source.FORM,
                reason=form.cleaned_data["reason"],
                replaces=form.replaces(form.cleaned_data["period_end"]),
            )
        except ValidationError as error:
            _add_errors(form, error)
        except services.MeasurementConflict as error:
            form.add_error(None, str(error))
            return _render_detail(request, objective, log_form=form, status=409)
        else:
            period = describe(objective.frequency, measurement.period_end)
            verb = "recorded" if created else "corrected (the earlier value stays in the history)"
            messages.success(request, f"Value for {period} {verb}.")
            return redirect("objectives:detail", org_slug=org_slug, code=code)
    return _render_detail(request, objective, log_form=form, status=400)


def _withdraw(request, objective, form) -> HttpResponse:
    """The withdraw button of the log form: the chosen period's value goes, with a reason."""
    end = form.cleaned_data["period_end"]
    period = describe(objective.frequency, end)
    measurement = Measurement.objects.filter(objective=objective, period_end=end).first()
    if measurement is None:
        form.add_error("period_end", f"{period} has no value to withdraw.")
        return _render_detail(request, objective, log_form=form, status=400)
    try:
        services.measurement_withdraw(
            measurement=measurement, actor=request.user, reason=form.cleaned_data["reason"]
        )
    except ValidationError as error:
        _add_errors(form, error)
        return _render_detail(request, objective, log_form=form, status=400)
    messages.success(
        request, f"Value for {period} withdrawn (it stays in the history, with your reason)."
    )
    return redirect("objectives:detail", org_slug=objective.organization.slug, code=objective.code)


@require_POST
def plan_step_create(request: HttpRequest, org_slug: str, code: str) -> HttpResponse:
    objective = _objective(request, code)
    if not can_plan(request.membership, objective):
        raise PermissionDenied("Only the objective's owner or a quality manager plans it.")
    form = PlanStepForm(request.POST, organization=request.organization)
    if form.is_valid():
        try:
            services.plan_step_create(objective=objective, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, "Plan step added.")
            return redirect("objectives:detail", org_slug=org_slug, code=code)
    return _render_detail(request, objective, step_form=form, status=400)


def _add_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)
