"""An administrator runs the organisation's units: add one, and on a unit's page change it,
move it (with the units beneath it), close or reopen it. The rules live in `qms.core.units`;
these views translate between HTTP and them."""

from __future__ import annotations

from contextlib import contextmanager

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import formats, timezone
from django.views.decorators.http import require_http_methods, require_POST

from qms.core import audit, units
from qms.core.concurrency import StaleEdit
from qms.core.forms import (
    UnitAddForm,
    UnitChangeForm,
    UnitCloseForm,
    UnitMoveForm,
    UnitReopenForm,
    add_service_errors,
)
from qms.core.immutable import TransitionError
from qms.core.limits import form_status, upload_limit
from qms.core.models import OrgUnit
from qms.core.permissions import role_required
from qms.core.roles import ADMIN_ROLES

RECOMPUTING = (
    "The results of the units above its old and new place are being recomputed by the "
    "background worker: the dashboard shows the new totals once it has run (usually within a "
    "minute)."
)


@contextmanager
def _tree_locked(request):
    """The tree's lock before the form's version check locks the unit (one order for every
    change: see `qms.core.units.lock_tree`)."""
    units.lock_tree(request.organization.id)
    yield


def _get_unit(request, pk: int) -> OrgUnit:
    unit = OrgUnit.objects.for_organization(request.organization).filter(pk=pk).first()
    if unit is None:
        raise Http404("No such unit in this organisation.")
    return unit


def _forms(unit: OrgUnit, **bound):
    """The unit page's forms, unbound except the one that was sent (`bound`)."""
    forms = {
        "change_form": UnitChangeForm(
            record=unit, initial={"name": unit.name, "code": unit.code, "kind": unit.kind}
        ),
        "move_form": UnitMoveForm(unit=unit, prefix="move"),
        "close_form": UnitCloseForm(
            unit=unit, prefix="close", initial={"closed_on": timezone.localdate()}
        ),
        "reopen_form": UnitReopenForm(unit=unit, prefix="reopen"),
    }
    forms.update(bound)
    return forms


def _page(request, unit: OrgUnit, sent=None, **bound) -> HttpResponse:
    context = {
        "unit": unit,
        "parent": units.parent_of(unit),
        "trail": units.unit_trail(unit),
        "blockers": units.close_blockers(unit) if not unit.is_closed else None,
        "history": audit.record_history(unit, limit=30),
        "today": timezone.localdate(),
        **_forms(unit, **bound),
    }
    # A stale move, close or reopen is said under the title (their forms are far down).
    context["stale_forms"] = [context[name] for name in ("move_form", "close_form", "reopen_form")]
    return render(
        request,
        "core/units/unit.html",
        context,
        status=form_status(sent) if sent is not None else 200,
    )


@role_required(ADMIN_ROLES)
@require_http_methods(["GET", "POST"])
def unit_add(request: HttpRequest, org_slug: str) -> HttpResponse:
    """A new unit, under the unit named by ?parent= if given."""
    initial = {"kind": OrgUnit.Kind.DEPARTMENT}
    parent_id = request.GET.get("parent", "")
    if parent_id.isdigit():
        initial["parent"] = int(parent_id)
    form = UnitAddForm(request.POST or None, organization=request.organization, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            unit = units.org_unit_add(
                organization=request.organization,
                actor=request.membership,
                name=data["name"],
                parent=data["parent"],
                code=data["code"],
                kind=data["kind"],
            )
        except TransitionError as error:
            form.add_error(None, str(error))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{unit.name} was added under {data['parent'].name}.")
            return redirect("core:org-units", org_slug=org_slug)
    return render(request, "core/units/add.html", {"form": form}, status=form_status(form))


@role_required(ADMIN_ROLES)
@require_http_methods(["GET", "POST"])
def unit_detail(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    """The unit, its forms (change, move, close or reopen) and its history; POST changes it."""
    unit = _get_unit(request, pk)
    if request.method == "GET":
        return _page(request, unit)
    form = UnitChangeForm(request.POST, record=unit)
    if form.is_valid():
        try:
            with transaction.atomic(), _tree_locked(request), form.saving():
                changed = units.org_unit_change(
                    unit=unit,
                    actor=request.membership,
                    name=form.cleaned_data["name"],
                    code=form.cleaned_data["code"],
                    kind=form.cleaned_data["kind"],
                )
        except StaleEdit as stale:
            form, unit = form.reopened(stale), stale.current
        except TransitionError as error:
            form.add_error(None, str(error))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{changed.name} was saved.")
            return redirect("core:org-unit", org_slug=org_slug, pk=pk)
    return _page(request, unit, sent=form, change_form=form)


@role_required(ADMIN_ROLES)
@require_POST
def unit_move(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    unit = _get_unit(request, pk)
    form = UnitMoveForm(request.POST, unit=unit, prefix="move")
    if form.is_valid():
        try:
            with transaction.atomic(), _tree_locked(request), form.saving():
                moved = units.org_unit_move(
                    unit=unit, new_parent=form.cleaned_data["parent"], actor=request.membership
                )
        except StaleEdit as stale:
            unit = stale.current
            form = UnitMoveForm(unit=unit, prefix="move")
            form.stale = stale
        except TransitionError as error:
            form.add_error(None, str(error))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                f"{moved.name} now belongs under {form.cleaned_data['parent'].name}, with the "
                f"units beneath it. {RECOMPUTING}",
            )
            return redirect("core:org-unit", org_slug=org_slug, pk=pk)
    return _page(request, unit, sent=form, move_form=form)


@role_required(ADMIN_ROLES)
@require_POST
def unit_close(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    unit = _get_unit(request, pk)
    form = UnitCloseForm(request.POST, unit=unit, prefix="close")
    if form.is_valid():
        try:
            with transaction.atomic(), _tree_locked(request), form.saving():
                closed = units.org_unit_close(
                    unit=unit, actor=request.membership, on=form.cleaned_data["closed_on"]
                )
        except StaleEdit as stale:
            unit = stale.current
            form = UnitCloseForm(
                unit=unit, prefix="close", initial={"closed_on": timezone.localdate()}
            )
            form.stale = stale
        except TransitionError as error:
            form.add_error(None, str(error))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            day = formats.date_format(closed.closed_on, "j F Y")
            messages.success(
                request,
                f"{closed.name} is closed from {day}. Its records and history stay; it is no "
                "longer offered for new records.",
            )
            return redirect("core:org-unit", org_slug=org_slug, pk=pk)
    return _page(request, unit, sent=form, close_form=form)


@role_required(ADMIN_ROLES)
@require_POST
def unit_reopen(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    unit = _get_unit(request, pk)
    form = UnitReopenForm(request.POST, unit=unit, prefix="reopen")
    if form.is_valid():
        try:
            with transaction.atomic(), _tree_locked(request), form.saving():
                reopened = units.org_unit_reopen(unit=unit, actor=request.membership)
        except StaleEdit as stale:
            unit = stale.current
            form = UnitReopenForm(unit=unit, prefix="reopen")
            form.stale = stale
        except TransitionError as error:
            form.add_error(None, str(error))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{reopened.name} is open again and takes new records.")
            return redirect("core:org-unit", org_slug=org_slug, pk=pk)
    return _page(request, unit, sent=form, reopen_form=form)


@role_required(ADMIN_ROLES)
@upload_limit("IMPORT_MAX_BYTES")
@require_http_methods(["GET", "HEAD", "POST"])
def units_import(request: HttpRequest, org_slug: str) -> HttpResponse:
    """Add units from a CSV or XLSX file (rules in `qms.core.units_import`)."""
    from qms.core.registers.forms import ImportUploadForm
    from qms.core.units_import import COLUMNS, MAX_ROWS, SHOWN_ERRORS, org_units_import

    form = ImportUploadForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        result = org_units_import(
            organization=request.organization,
            actor=request.membership,
            source=upload,
            filename=upload.name,
        )
        if result.ok:
            count = len(result.created)
            same = ""
            if result.unchanged:
                verb = "was" if result.unchanged == 1 else "were"
                same = f" {result.unchanged} {verb} already there, unchanged."
            messages.success(
                request, f"Added {count} unit{'s' if count != 1 else ''} from {upload.name}.{same}"
            )
            return redirect("core:org-units", org_slug=org_slug)
    return render(
        request,
        "core/units/import.html",
        {
            "form": form,
            "result": result,
            "errors": result.errors[:SHOWN_ERRORS] if result else [],
            "hidden_errors": max(0, len(result.errors) - SHOWN_ERRORS) if result else 0,
            "columns": COLUMNS,
            "max_rows": MAX_ROWS,
        },
        status=form_status(form, failed=result is not None and not result.ok),
    )
