"""Action pages under /o/<org_slug>/actions/: the list with filters, "my actions", detail with
its workflow steps and history, and the forms to raise and edit. Rules live in services and
`permissions`; these views only translate between HTTP and them."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from qms.core import audit
from qms.core.actions import permissions, selectors, services
from qms.core.actions.forms import (
    ActionEditForm,
    ActionFilterForm,
    ActionForm,
    CancelForm,
    CloseForm,
    VerifyForm,
)
from qms.core.actions.models import Action, ActionStatus
from qms.core.actions.sources import resolve_source_ref, source_ref
from qms.core.concurrency import StaleEdit
from qms.core.forms import add_service_errors
from qms.core.immutable import NotAllowed, TransitionError
from qms.core.limits import form_status
from qms.core.tenancy import audit_scope, in_audit_scope, unit_scoped

PAGE_SIZE = 25


@unit_scoped
@require_safe
def action_list(request: HttpRequest, org_slug: str) -> HttpResponse:
    organization = request.organization
    today = timezone.localdate()
    within = audit_scope(request.membership)
    form = ActionFilterForm(
        request.GET or None, organization=organization, membership=request.membership
    )
    filters = selectors.ActionFilters(within=within)
    if form.is_valid():
        data = form.cleaned_data
        filters = selectors.ActionFilters(
            status=data["status"] or None,
            owner_id=data["owner"].id if data["owner"] else None,
            executive_id=data["executive"].id if data["executive"] else None,
            source_kind=data["source"] or None,
            overdue=data["overdue"],
            search=data["q"].strip(),
            sort=data["sort"] or "due",
            within=within,
        )
    actions = selectors.action_list(organization=organization, filters=filters, today=today)
    page = Paginator(actions.values_list("pk", flat=True), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    page.object_list = selectors.attach_sources(
        selectors.actions_in_order(actions, list(page.object_list)), within=within
    )
    counts = selectors.status_counts(organization=organization, filters=filters, today=today)
    query = request.GET.copy()
    query.pop("page", None)
    status_query = query.copy()
    status_query.pop("status", None)
    status_query.pop("overdue", None)
    query.pop("sort", None)
    return render(
        request,
        "core/actions/list.html",
        {
            "form": form,
            "page": page,
            "today": today,
            "sort": filters.sort,
            "counts": counts,
            "status_tabs": [(key, label, counts[key]) for key, label in ActionStatus.choices],
            "current_status": filters.status,
            "filter_query": query.urlencode(),
            "status_query": status_query.urlencode(),
            "can_raise": permissions.can_raise(request.membership),
            "is_filtered": any(k for k in request.GET if k not in ("page", "sort")),
        },
    )


@require_safe
def my_actions(request: HttpRequest, org_slug: str) -> HttpResponse:
    """What this member has to do, answers for, and may check."""
    membership = request.membership
    owned = selectors.attach_sources(selectors.my_actions(membership))
    accountable = selectors.attach_sources(selectors.accountable_actions(membership)[:50])
    to_verify = selectors.attach_sources(selectors.awaiting_verification(membership)[:50])
    return render(
        request,
        "core/actions/mine.html",
        {
            "owned": owned,
            "accountable": accountable,
            "to_verify": to_verify,
            "today": timezone.localdate(),
            "can_raise": permissions.can_raise(membership),
        },
    )


def _get_action(request, number: int) -> Action:
    try:
        action = selectors.action_get(organization=request.organization, number=number)
    except Action.DoesNotExist:
        raise Http404("No such action.") from None
    if not in_audit_scope(action, request.membership):
        raise PermissionDenied(
            f"{action.reference} is owned outside {audit_scope(request.membership).name}, the "
            "unit your audit access is limited to."
        )
    return action


@unit_scoped
@require_safe
def action_detail(request: HttpRequest, org_slug: str, number: int) -> HttpResponse:
    return _render_detail(request, _get_action(request, number))


def _render_detail(request, action: Action, *, forms: dict | None = None, status: int = 200):
    membership = request.membership
    selectors.attach_sources([action], within=audit_scope(membership))
    forms = forms or {}
    can_work = permissions.can_work_on(membership, action)
    can_edit = permissions.can_edit(membership, action)
    can_verify = permissions.can_verify(membership, action)
    return render(
        request,
        "core/actions/detail.html",
        {
            "action": action,
            "today": timezone.localdate(),
            "checks": action.effectiveness_checks.select_related("checked_by__user"),
            "history": audit.record_history(action, limit=30, within=audit_scope(membership)),
            "can_edit": can_edit and action.is_open,
            "can_start": can_work and action.status == ActionStatus.OPEN,
            "can_close": can_work and action.is_open,
            "can_cancel": can_edit and action.is_open,
            "can_verify": can_verify and action.status == ActionStatus.DONE,
            # Explains why the verify form is absent for the owner.
            "owner_cannot_verify": action.status == ActionStatus.DONE
            and action.owner_id == membership.id,
            "close_form": forms.get("close") or CloseForm(),
            "verify_form": forms.get("verify") or VerifyForm(),
            "cancel_form": forms.get("cancel") or CancelForm(),
        },
        status=status,
    )


def _source_from_query(request):
    """The source named by ?source=<app_label>.<model_name>:<pk>, or 404 when it is malformed,
    of an unknown kind, or not this organisation's."""
    ref = request.GET.get("source") or request.POST.get("source")
    if not ref:
        return None
    try:
        return resolve_source_ref(ref, organization=request.organization)
    except ValidationError:
        raise Http404("No such source in this organisation.") from None


@require_http_methods(["GET", "POST"])
def action_new(request: HttpRequest, org_slug: str) -> HttpResponse:
    membership = request.membership
    if not permissions.can_raise(membership):
        raise PermissionDenied("Auditors cannot raise actions.")
    source = _source_from_query(request)
    form = ActionForm(
        request.POST or None,
        organization=request.organization,
        membership=membership,
        initial=_initial_for(membership, source),
    )
    if request.method == "POST" and form.is_valid():
        try:
            action = services.action_create(
                organization=request.organization,
                raised_by=membership,
                source=source,
                **form.cleaned_data,
            )
        except NotAllowed as error:
            form.add_error(None, str(error))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{action.reference} raised and assigned.")
            return redirect("core:action-detail", org_slug=org_slug, number=action.number)
    return render(
        request,
        "core/actions/form.html",
        {
            "form": form,
            "action": None,
            "source_info": selectors.describe_source(source) if source is not None else None,
            "source_ref": source_ref(source) if source is not None else "",
        },
        status=400 if form.is_bound and form.errors else 200,
    )


def _initial_for(membership, source) -> dict:
    """Sensible defaults: the raiser owns it unless the source has an owner; the source's
    accountable executive answers for it (any source model with those fields)."""
    initial = {"owner": membership.pk if membership.role != "auditor" else None}
    if source is not None:
        for name in ("owner", "accountable_executive"):
            value = getattr(source, f"{name}_id", None)
            if value is not None and (name != "owner" or membership.role != "contributor"):
                initial[name] = value
    return initial


@require_http_methods(["GET", "POST"])
def action_edit(request: HttpRequest, org_slug: str, number: int) -> HttpResponse:
    action = _get_action(request, number)
    membership = request.membership
    if not permissions.can_edit(membership, action):
        raise PermissionDenied("Only quality managers, administrators and executives edit actions.")
    if not action.is_open:
        messages.error(
            request,
            f"{action.reference} is {action.get_status_display().lower()} and can no longer be "
            "edited.",
        )
        return redirect("core:action-detail", org_slug=org_slug, number=number)
    initial = {name: getattr(action, name) for name in services.EDITABLE_FIELDS}
    form = ActionEditForm(
        request.POST or None,
        organization=request.organization,
        membership=membership,
        initial=initial,
        record=action,
    )
    if request.method == "POST" and form.is_valid():
        changes = {name: form.cleaned_data[name] for name in form.changed_data if name != "reason"}
        if not changes:
            return redirect("core:action-detail", org_slug=org_slug, number=number)
        try:
            with form.saving():
                services.action_update(
                    action=action, actor=membership, reason=form.cleaned_data["reason"], **changes
                )
        except StaleEdit as stale:
            form, action = form.reopened(stale), stale.current
        except TransitionError as error:  # includes NotAllowed, already ruled out above
            form.add_error(None, str(error))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{action.reference} updated.")
            return redirect("core:action-detail", org_slug=org_slug, number=number)
    selectors.attach_sources([action])
    return render(
        request,
        "core/actions/form.html",
        {"form": form, "action": action, "source_info": action.source_info, "source_ref": ""},
        status=form_status(form),
    )


def _step(request, org_slug: str, number: int, form_class, form_key: str, run, done: str, rule):
    """Run one workflow step from a POSTed form: 403 for a member who may not (asked first, so
    whatever they sent), a message for a step not allowed now, the detail page with the errors
    (400) for bad input."""
    action = _get_action(request, number)
    if not rule(request.membership, action):
        raise PermissionDenied("You may not take this step on this action.")
    form = form_class(request.POST) if form_class else None
    if form is not None and not form.is_valid():
        return _render_detail(request, action, forms={form_key: form}, status=400)
    try:
        run(action, form.cleaned_data if form is not None else {})
    except NotAllowed as error:
        raise PermissionDenied(str(error)) from error
    except TransitionError as error:
        messages.error(request, str(error))
    except ValidationError as error:
        add_service_errors(form, error)
        return _render_detail(request, action, forms={form_key: form}, status=400)
    else:
        messages.success(request, done.format(ref=action.reference))
    return redirect("core:action-detail", org_slug=org_slug, number=number)


@require_POST
def action_start(request: HttpRequest, org_slug: str, number: int) -> HttpResponse:
    return _step(
        request,
        org_slug,
        number,
        None,
        "",
        lambda action, data: services.action_start(action=action, actor=request.membership),
        "{ref} started.",
        permissions.can_work_on,
    )


@require_POST
def action_close(request: HttpRequest, org_slug: str, number: int) -> HttpResponse:
    return _step(
        request,
        org_slug,
        number,
        CloseForm,
        "close",
        lambda action, data: services.action_close(
            action=action, actor=request.membership, note=data["note"]
        ),
        "{ref} closed. Its effectiveness is checked next, by someone other than the owner.",
        permissions.can_work_on,
    )


@require_POST
def action_verify(request: HttpRequest, org_slug: str, number: int) -> HttpResponse:
    return _step(
        request,
        org_slug,
        number,
        VerifyForm,
        "verify",
        lambda action, data: services.action_verify(
            action=action,
            verifier=request.membership,
            result=data["result"],
            evidence=data["evidence"],
            new_due_date=data["new_due_date"],
        ),
        "Effectiveness check of {ref} recorded.",
        permissions.can_verify,
    )


@require_POST
def action_cancel(request: HttpRequest, org_slug: str, number: int) -> HttpResponse:
    return _step(
        request,
        org_slug,
        number,
        CancelForm,
        "cancel",
        lambda action, data: services.action_cancel(
            action=action, actor=request.membership, reason=data["reason"]
        ),
        "{ref} cancelled.",
        permissions.can_edit,
    )
