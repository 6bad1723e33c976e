"""Pages of announcements and the communication plan (ISO 9001 7.3, 7.4). Leadership activities
are in `views_activities`."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from leadership.communication import permissions, selectors, services
from leadership.communication.forms import AnnouncementForm, OccurrenceDoneForm, PlanItemForm
from leadership.communication.models import OccurrenceStatus
from leadership.communication.selectors_plan import plan_item_get, plan_on_time_summary, plan_rows
from qms.core import audit
from qms.core.concurrency import StaleEdit
from qms.core.immutable import NotAllowed, TransitionError
from qms.core.limits import form_status

# The plan page lists due dates this far back and ahead of today; its on-time figures cover the
# last year.
PLAN_PAST_DAYS = 92
PLAN_AHEAD_DAYS = 62
SUMMARY_DAYS = 365


def _error_text(error: Exception) -> str:
    return " ".join(getattr(error, "messages", [str(error)]))


def _add_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


# --- announcements ------------------------------------------------------------------------------


@require_safe
def announcement_list(request: HttpRequest, org_slug: str) -> HttpResponse:
    membership = request.membership
    page = Paginator(selectors.announcement_list(membership=membership), 20).get_page(
        request.GET.get("page")
    )
    page.object_list = selectors.with_receipts(page.object_list, membership=membership)
    return render(
        request,
        "communication/announcements.html",
        {
            "page": page,
            "can_publish": permissions.can_publish(membership),
            "sees_reach": selectors.can_see_all_announcements(membership),
        },
    )


def _plan_choices(organization) -> list[tuple[str, str]]:
    """Due dates not yet done from two months back to a month ahead, as form choices."""
    today = timezone.localdate()
    choices = []
    for row in plan_rows(
        organization=organization,
        start=today - datetime.timedelta(days=62),
        end=today + datetime.timedelta(days=31),
        today=today,
    ):
        for occurrence in row.occurrences:
            if not occurrence.is_done:
                choices.append(
                    (
                        f"{row.item.pk}:{occurrence.due_on.isoformat()}",
                        f"{row.item.topic} — due {occurrence.due_on:%d %b %Y}",
                    )
                )
    return choices


@require_http_methods(["GET", "POST"])
def announcement_new(request: HttpRequest, org_slug: str) -> HttpResponse:
    membership = request.membership
    if not permissions.can_publish(membership):
        raise PermissionDenied("Only executives and quality managers publish announcements.")
    organization = request.organization
    initial = {}
    if request.GET.get("plan"):
        initial["plan_occurrence"] = request.GET["plan"]
    if request.GET.get("corrects", "").isdigit():
        initial["corrects"] = request.GET["corrects"]
    form = AnnouncementForm(
        request.POST or None,
        organization=organization,
        plan_choices=_plan_choices(organization),
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        plan = data.get("plan_occurrence")
        plan_item = plan_item_get(organization=organization, pk=plan[0]) if plan else None
        try:
            announcement = services.announcement_publish(
                author=membership,
                title=data["title"],
                body=data["body"],
                target_units=data["target_units"],
                target_roles=data["target_roles"],
                plan_item=plan_item,
                plan_due_on=plan[1] if plan else None,
                corrects=data.get("corrects"),
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(
                request,
                f"Published to {announcement.recipients_count} members. They are told in the "
                "app and by e-mail.",
            )
            return redirect("communication:announcement", org_slug=org_slug, pk=announcement.pk)
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "communication/announcement_form.html", {"form": form}, status=status)


@require_safe
def announcement_detail(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    membership = request.membership
    announcement = selectors.announcement_get(membership=membership, pk=pk)
    if announcement is None:
        raise Http404("No such announcement.")
    # Opening it is the read receipt (members it was sent to only).
    services.announcement_mark_read(announcement=announcement, membership=membership)
    receipt = selectors.receipt_for(announcement=announcement, membership=membership)
    sees_reach = selectors.can_see_all_announcements(membership)
    total, per_unit = (
        selectors.announcement_reach(announcement=announcement) if sees_reach else (None, [])
    )
    return render(
        request,
        "communication/announcement_detail.html",
        {
            "announcement": announcement,
            "receipt": receipt,
            "sees_reach": sees_reach,
            "reach_total": total,
            "reach_units": per_unit,
            "can_publish": permissions.can_publish(membership),
            "history": audit.record_history(announcement, limit=10) if sees_reach else [],
        },
    )


# --- the plan -----------------------------------------------------------------------------------


@require_safe
def plan(request: HttpRequest, org_slug: str) -> HttpResponse:
    organization = request.organization
    today = timezone.localdate()
    start = today - datetime.timedelta(days=PLAN_PAST_DAYS)
    end = today + datetime.timedelta(days=PLAN_AHEAD_DAYS)
    # Items taken out of the plan still show while due dates they had fall in the window.
    rows = [
        row
        for row in plan_rows(
            organization=organization, start=start, end=end, today=today, include_inactive=True
        )
        if row.item.is_active or row.occurrences
    ]
    membership = request.membership
    for row in rows:
        row.can_fulfil = permissions.can_fulfil(membership, row.item)
    return render(
        request,
        "communication/plan.html",
        {
            "rows": rows,
            "start": start,
            "end": end,
            "summary": plan_on_time_summary(
                organization=organization,
                start=today - datetime.timedelta(days=SUMMARY_DAYS),
                end=today,
                today=today,
            ),
            "can_edit": permissions.can_edit_plan(membership),
            "can_publish": permissions.can_publish(membership),
            "done_statuses": (OccurrenceStatus.ON_TIME, OccurrenceStatus.LATE),
        },
    )


@require_http_methods(["GET", "POST"])
def plan_item_edit(request: HttpRequest, org_slug: str, pk: int | None = None) -> HttpResponse:
    membership = request.membership
    if not permissions.can_edit_plan(membership):
        raise PermissionDenied(
            "Only quality managers, executives and administrators edit the communication plan."
        )
    organization = request.organization
    item = None
    if pk is not None:
        item = plan_item_get(organization=organization, pk=pk)
        if item is None:
            raise Http404("No such plan item.")
    form = PlanItemForm(request.POST or None, instance=item, organization=organization)
    if request.method == "POST" and form.is_valid():
        fields, units = form.service_fields()
        try:
            with form.saving():
                if item is None:
                    services.plan_item_create(actor=membership, audience_units=units, **fields)
                else:
                    # The form has already set the new values on its instance; the service
                    # re-reads the row, applies them and validates.
                    services.plan_item_update(
                        item=item, actor=membership, audience_units=units, **fields
                    )
        except StaleEdit as stale:
            form, item = form.reopened(stale), stale.current
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, "Communication plan saved.")
            return redirect("communication:plan", org_slug=org_slug)
    status = form_status(form)
    return render(
        request,
        "communication/plan_item_form.html",
        {
            "form": form,
            "item": item,
            "history": audit.record_history(item, limit=10) if item else [],
        },
        status=status,
    )


@require_POST
def occurrence_done(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    item = plan_item_get(organization=request.organization, pk=pk)
    if item is None:
        raise Http404("No such plan item.")
    if not permissions.can_fulfil(request.membership, item):
        raise PermissionDenied(
            "Only the item's communicator, a quality manager, an executive or an administrator "
            "records that it was done."
        )
    form = OccurrenceDoneForm(request.POST)
    if not form.is_valid():
        messages.error(
            request,
            "Not recorded: "
            + " ".join(
                f"{form.fields[f].label or f}: {' '.join(e)}" for f, e in form.errors.items()
            ),
        )
        return redirect("communication:plan", org_slug=org_slug)
    try:
        services.plan_occurrence_mark_done(
            item=item,
            due_on=form.cleaned_data["due_on"],
            actor=request.membership,
            note=form.cleaned_data["note"],
            done_on=form.cleaned_data["done_on"],
        )
    except (ValidationError, TransitionError, NotAllowed) as error:
        messages.error(request, "Not recorded: " + _error_text(error))
    else:
        messages.success(request, f"Recorded “{item.topic}” as done.")
    return redirect("communication:plan", org_slug=org_slug)
