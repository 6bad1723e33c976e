"""An administrator runs the organisation's people: a member's page with their history, the
change of role, unit, job title and auditor's access, and the leaver's handover. The rules live
in `qms.core.services`; these views translate between HTTP and them."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from qms.core import audit, handover, selectors, services
from qms.core.concurrency import StaleEdit
from qms.core.forms import MemberChangeForm, MemberDeactivateForm, add_service_errors
from qms.core.immutable import TransitionError
from qms.core.limits import form_status
from qms.core.models import Membership
from qms.core.permissions import role_required
from qms.core.roles import ADMIN_ROLES, Role

CHANGED_FIELDS = ("role", "org_unit", "job_title", "access_expires_on")


def _get_member(request, pk: int) -> Membership:
    try:
        return selectors.membership_get(organization=request.organization, pk=pk)
    except Membership.DoesNotExist:
        raise Http404("No such member in this organisation.") from None


@role_required(ADMIN_ROLES)
@require_http_methods(["GET", "POST"])
def member_detail(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    """The member, the form that changes them, and their membership's history."""
    member = _get_member(request, pk)
    initial = {name: getattr(member, name) for name in CHANGED_FIELDS}
    form = MemberChangeForm(
        request.POST or None,
        organization=request.organization,
        initial=initial,
        record=member,
    )
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in CHANGED_FIELDS}
        if "end_access_today" in request.POST:
            data["access_expires_on"] = timezone.localdate()
        try:
            with form.saving():
                updated = services.membership_change(
                    membership=member, actor=request.membership, **data
                )
        except StaleEdit as stale:
            form, member = form.reopened(stale), stale.current
        except TransitionError as error:
            form.add_error(None, str(error))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{updated.display_name}'s membership was saved.")
            return redirect("core:member", org_slug=org_slug, pk=pk)
    return render(
        request,
        "core/people/member.html",
        {
            "member": member,
            "form": form,
            "is_self": member.pk == request.membership.pk,
            "open_count": len(handover.open_items(member)) if member.is_active else 0,
            "history": audit.record_history(member, limit=30),
            "today": timezone.localdate(),
            "auditor_role": Role.AUDITOR,
        },
        status=form_status(form),
    )


@role_required(ADMIN_ROLES)
@require_http_methods(["GET", "POST"])
def member_deactivate(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    """The leaver's open records, each to be given a new holder, and the confirmation."""
    member = _get_member(request, pk)
    if not member.is_active:
        messages.info(request, f"{member.display_name} is not an active member.")
        return redirect("core:member", org_slug=org_slug, pk=pk)
    items = handover.open_items(member)
    holders = list(services.handover_holders(member))
    # Bound on every POST: with nothing open, the page posts no field at all.
    data = request.POST if request.method == "POST" else None
    form = MemberDeactivateForm(data, holders=holders, items=items)
    if request.method == "POST" and form.is_valid():
        shown = set(request.POST.getlist("shown"))
        try:
            if shown != {item.ref for item in items}:
                # Something was opened or closed while the page was open: show the new list.
                raise ValidationError(
                    f"What {member.display_name} is responsible for changed since you opened "
                    "this page: check the list below and confirm again. Nothing was changed."
                )
            handed = services.membership_deactivate(
                membership=member,
                actor=request.membership,
                give_all_to=form.cleaned_data["give_all_to"],
                give_to=form.give_to(),
            )
        except TransitionError as error:
            form.add_error(None, str(error))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            count = len(handed)
            handed_text = (
                f" {count} open {'record was' if count == 1 else 'records were'} handed over."
                if count
                else ""
            )
            messages.success(
                request,
                f"{member.display_name} was deactivated and can no longer open "
                f"{request.organization.name}.{handed_text}",
            )
            return redirect("core:member", org_slug=org_slug, pk=pk)
    return render(
        request,
        "core/people/deactivate.html",
        {"member": member, "form": form, "rows": form.rows()},
        status=form_status(form),
    )


@role_required(ADMIN_ROLES)
@require_POST
def member_reactivate(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    member = _get_member(request, pk)
    try:
        services.membership_reactivate(membership=member, actor=request.membership)
    except TransitionError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            f"{member.display_name} can open {request.organization.name} again, as "
            f"{member.get_role_display().lower()}.",
        )
    return redirect("core:member", org_slug=org_slug, pk=pk)
