"""The pages every register gets: list, detail, new, edit, import (and its CSV template).

Each view is called with the register's key by the URL patterns of `qms.core.registers.urls`;
querysets start from the request's organisation, so another organisation's record is a 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import models
from django.db.models import Count, Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_safe

from qms.core import audit
from qms.core.actions.panels import source_actions_panel
from qms.core.actions.sources import source_for_model
from qms.core.concurrency import StaleEdit
from qms.core.immutable import NotAllowed
from qms.core.limits import form_status, upload_limit
from qms.core.models import Membership
from qms.core.registers import services
from qms.core.registers.definition import Register, get_register
from qms.core.registers.forms import MAX_IMPORT_BYTES, MAX_IMPORT_ROWS, ImportUploadForm
from qms.core.registers.importing import import_file, template_csv
from qms.core.tenancy import (
    audit_scope,
    in_audit_scope,
    limit_to_audit_scope,
    links_outside_scope,
    mark_links_outside_scope,
    outside_scope_message,
    outside_scope_text,
    readable_by_unit_auditors,
    unit_scoped,
)

PAGE_SIZE = 25


def register_url(register: Register, page: str, org_slug: str, pk: int | None = None) -> str:
    name = f"registers:{register.key}" + (f"-{page}" if page != "list" else "")
    kwargs: dict = {"org_slug": org_slug}
    if pk is not None:
        kwargs["pk"] = pk
    return reverse(name, kwargs=kwargs)


def _urls(register: Register, org_slug: str) -> dict:
    return {
        page: register_url(register, page, org_slug)
        for page in ("list", "new", "import", "template")
    }


def scoped_prefetch(model, path: str, membership) -> Prefetch:
    """A register's prefetch of linked records (a risk's objectives, a requirement's processes)
    through the audit-scope rule, so that their columns and pages name none outside it."""
    for part in path.split("__"):
        model = model._meta.get_field(part).related_model
    return Prefetch(path, queryset=limit_to_audit_scope(model._default_manager.all(), membership))


def _records(register: Register, request: HttpRequest):
    if audit_scope(request.membership) is not None and not readable_by_unit_auditors(
        register.model
    ):
        # Records that belong to no unit and are not organisation-wide (qms.core.tenancy).
        raise PermissionDenied(outside_scope_message(request.membership))
    records = (
        register.model.objects.for_organization(request.organization)
        .select_related(*register.select_related)
        .prefetch_related(
            *(
                scoped_prefetch(register.model, path, request.membership)
                for path in register.prefetch_related
            )
        )
    )
    # An auditor limited to a unit reads that subtree only (registers whose records have one).
    return limit_to_audit_scope(records, request.membership)


def _cells(register: Register, record) -> list[dict]:
    cells = []
    for column in register.columns:
        value = column.value(record)
        cells.append(
            {
                "text": "—" if value in (None, "") else value,
                "chip": column.chip(record) if column.chip else "",
                "numeric": column.numeric,
            }
        )
    return cells


@unit_scoped
@require_safe
def record_list(request: HttpRequest, org_slug: str, key: str) -> HttpResponse:
    register = get_register(key)
    records = _records(register, request)
    filterset = register.filterset_class(request.GET or None, queryset=records, request=request)
    filtered = filterset.qs
    sorts = {column.sort for column in register.columns if column.sort}
    sort = request.GET.get("sort", "")
    ordering = [sort, "-number"] if sort.lstrip("-") in sorts else list(register.ordering)
    page = Paginator(filtered.order_by(*ordering), PAGE_SIZE).get_page(request.GET.get("page"))
    # The prefetch names no linked record outside a unit auditor's subtree; the columns say
    # that there are some ("Monitored by: 2 records outside …", not "Nothing monitors it").
    mark_links_outside_scope(page.object_list, register.prefetch_related, request.membership)
    status_field = register.model._meta.get_field(register.status_field)
    counted = dict(
        limit_to_audit_scope(
            register.model.objects.for_organization(request.organization), request.membership
        )
        .order_by()
        .values_list(register.status_field)
        .annotate(n=Count("id"))
    )
    counts = [
        {"value": value, "label": label, "count": counted.get(value, 0)}
        for value, label in status_field.choices
    ]
    detail = f"registers:{register.key}-detail"
    extra = {}
    if register.list_template and register.may_import(request.membership):
        extra = register.list_context(request) if register.list_context else {}
        extra["list_template"] = register.list_template
    return render(
        request,
        "registers/list.html",
        {
            **extra,
            "register": register,
            "filter_form": filterset.form,
            "page": page,
            "rows": [
                (record, reverse(detail, args=[org_slug, record.pk]), _cells(register, record))
                for record in page.object_list
            ],
            "counts": counts,
            "status_param": register.status_field,
            "active_status": request.GET.get(register.status_field, ""),
            "total": sum(counted.values()),
            "sort": sort,
            "urls": _urls(register, org_slug),
            "can_create": request.membership.role in register.create_roles,
            "can_import": register.may_import(request.membership),
        },
    )


def _display(record, name: str, membership=None):
    field = record._meta.get_field(name)
    if field.many_to_many:
        # Linked records of another unit are not named to an auditor limited to a unit; that
        # they exist is said (marked by the detail view).
        linked = [str(o) for o in limit_to_audit_scope(getattr(record, name).all(), membership)]
        outside = links_outside_scope(record, name)
        return ", ".join([*linked, outside] if outside else linked) or None
    value = getattr(record, name)
    if (
        field.is_relation
        and value is not None
        and audit_scope(membership) is not None
        and not in_audit_scope(value, membership)
    ):
        if isinstance(value, Membership):  # a person, not a record
            return f"a member outside {audit_scope(membership).name}"
        return outside_scope_text(audit_scope(membership))
    if isinstance(value, Membership):
        return f"{value.display_name} ({value.get_role_display().lower()})"
    if getattr(field, "choices", None) and value not in (None, ""):
        return getattr(record, f"get_{name}_display")()
    if isinstance(field, models.BooleanField):
        return {True: "Yes", False: "No"}.get(value)
    return value


@unit_scoped
@require_safe
def record_detail(request: HttpRequest, org_slug: str, key: str, pk: int) -> HttpResponse:
    register = get_register(key)
    record = get_object_or_404(_records(register, request), pk=pk)
    many = [n for n in register.detail_fields if record._meta.get_field(n).many_to_many]
    mark_links_outside_scope(
        [record], dict.fromkeys([*register.prefetch_related, *many]), request.membership
    )
    fields = []
    for name in register.detail_fields:
        field = record._meta.get_field(name)
        fields.append(
            {
                "label": field.verbose_name,
                "value": _display(record, name, request.membership),
                "long": isinstance(field, models.TextField),
            }
        )
    actions_panel = None
    if source_for_model(register.model) is not None:
        prominent = register.action_prominent
        actions_panel = source_actions_panel(
            source=record,
            membership=request.membership,
            prominent=bool(prominent and prominent(record)),
            prompt=register.action_prompt,
        )
    return render(
        request,
        "registers/detail.html",
        {
            "register": register,
            "record": record,
            "fields": fields,
            "history": audit.record_history(
                record, limit=20, within=audit_scope(request.membership)
            ),
            "actions_panel": actions_panel,
            "urls": _urls(register, org_slug),
            "edit_url": register_url(register, "edit", org_slug, record.pk),
            "can_edit": request.membership.role in register.edit_roles,
        },
    )


def _form_page(request, org_slug, register, record, creating: bool) -> HttpResponse:
    roles = register.create_roles if creating else register.edit_roles
    if request.membership.role not in roles:
        raise PermissionDenied(f"Your role cannot change {register.title.lower()}.")
    form = register.form_class(
        request.POST or None, organization=request.organization, instance=record
    )
    if creating and register.is_reporter(request.membership):
        for name in [n for n in form.fields if n not in register.reporter_fields]:
            del form.fields[name]
    if request.method == "POST" and form.is_valid():
        record = form.save(commit=False)
        many = {
            n: form.cleaned_data[n]
            for n in services.m2m_fields(register.model)
            if n in form.cleaned_data
        }
        save = services.record_create if creating else services.record_update
        try:
            with form.saving():
                save(register=register, membership=request.membership, record=record, m2m=many)
        except StaleEdit as stale:
            form = form.reopened(stale)
            record = stale.current
        except NotAllowed as error:
            raise PermissionDenied(str(error)) from error
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            verb = "recorded" if creating else "saved"
            messages.success(request, f"{record.reference} {verb}.")
            return redirect(register_url(register, "detail", org_slug, record.pk))
    return render(
        request,
        "registers/form.html",
        {
            "register": register,
            "form": form,
            "record": None if creating else record,
            "urls": _urls(register, org_slug),
            "cancel_url": register_url(register, "list", org_slug)
            if creating
            else register_url(register, "detail", org_slug, record.pk),
        },
        status=form_status(form),
    )


@require_http_methods(["GET", "HEAD", "POST"])
def record_new(request: HttpRequest, org_slug: str, key: str) -> HttpResponse:
    register = get_register(key)
    record = register.model(organization=request.organization)
    return _form_page(request, org_slug, register, record, creating=True)


@require_http_methods(["GET", "HEAD", "POST"])
def record_edit(request: HttpRequest, org_slug: str, key: str, pk: int) -> HttpResponse:
    register = get_register(key)
    record = get_object_or_404(_records(register, request), pk=pk)
    return _form_page(request, org_slug, register, record, creating=False)


@upload_limit("IMPORT_MAX_BYTES")
@require_http_methods(["GET", "HEAD", "POST"])
def record_import(request: HttpRequest, org_slug: str, key: str) -> HttpResponse:
    register = get_register(key)
    if not register.may_import(request.membership):
        raise PermissionDenied(f"Your role cannot import {register.title.lower()}.")
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        result = import_file(
            register=register, membership=request.membership, source=upload, filename=upload.name
        )
        if result.ok:
            count = len(result.created)
            noun = register.singular if count == 1 else register.title.lower()
            messages.success(request, f"Imported {count} {noun} from {upload.name}.")
            return redirect(register_url(register, "list", org_slug))
    return render(
        request,
        "registers/import.html",
        {
            "register": register,
            "form": form,
            "result": result,
            "hidden_errors": max(0, result.error_count - len(result.errors)) if result else 0,
            "urls": _urls(register, org_slug),
            "max_mb": MAX_IMPORT_BYTES // (1024 * 1024),
            "max_rows": MAX_IMPORT_ROWS,
        },
        status=form_status(form, failed=result is not None and not result.ok),
    )


@require_safe
def import_template(request: HttpRequest, org_slug: str, key: str) -> HttpResponse:
    register = get_register(key)
    response = HttpResponse(template_csv(register), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{register.key}-template.csv"'
    return response
