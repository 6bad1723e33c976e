"""Pages of leadership activities (ISO 9001 5.1): executives log them and raise follow-up
actions; quality managers and auditors read them."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from leadership.communication import permissions, services_activities
from leadership.communication.forms import ActivityFilterForm, ActivityForm, FollowUpForm
from leadership.communication.selectors_activities import (
    activity_get,
    activity_list,
    follow_up_actions,
    follow_up_counts,
)
from leadership.communication.views import _add_errors
from qms.core import audit
from qms.core.concurrency import StaleEdit
from qms.core.immutable import NotAllowed, TransitionError
from qms.core.limits import form_status


def _require_reader(request: HttpRequest) -> None:
    if not permissions.can_read_activities(request.membership):
        raise PermissionDenied(
            "Leadership activities are read by executives, quality managers and auditors."
        )


def _activity(request: HttpRequest, pk: int):
    activity = activity_get(organization=request.organization, pk=pk)
    if activity is None:
        raise Http404("No such activity.")
    return activity


@require_safe
def activities(request: HttpRequest, org_slug: str) -> HttpResponse:
    _require_reader(request)
    organization = request.organization
    form = ActivityFilterForm(request.GET or None, organization=organization)
    filters = form.cleaned_data if form.is_valid() else {}
    executive = filters.get("executive")
    queryset = activity_list(
        organization=organization,
        executive_id=executive.pk if executive else None,
        kind=filters.get("kind") or "",
    )
    page = Paginator(queryset, 25).get_page(request.GET.get("page"))
    counts = follow_up_counts(organization=organization)
    for activity in page.object_list:
        activity.follow_up_count = counts.get(activity.pk, 0)
    return render(
        request,
        "communication/activities.html",
        {
            "form": form,
            "page": page,
            "can_log": permissions.can_log_activity(request.membership),
        },
    )


@require_http_methods(["GET", "POST"])
def activity_edit(request: HttpRequest, org_slug: str, pk: int | None = None) -> HttpResponse:
    membership = request.membership
    if not permissions.can_log_activity(membership):
        raise PermissionDenied("Only executives (top management) log leadership activities.")
    activity = _activity(request, pk) if pk is not None else None
    if activity is not None and activity.executive_id != membership.id:
        raise PermissionDenied("Only the executive who logged an activity changes it.")
    form = ActivityForm(request.POST or None, instance=activity, organization=request.organization)
    if request.method == "POST" and form.is_valid():
        try:
            with form.saving():
                if activity is None:
                    activity = services_activities.activity_log(
                        executive=membership, **form.cleaned_data
                    )
                else:
                    services_activities.activity_update(
                        activity=activity, actor=membership, **form.cleaned_data
                    )
        except StaleEdit as stale:
            form, activity = form.reopened(stale), stale.current
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, "Activity saved.")
            return redirect("communication:activity", org_slug=org_slug, pk=activity.pk)
    status = form_status(form)
    return render(
        request,
        "communication/activity_form.html",
        {"form": form, "activity": activity},
        status=status,
    )


@require_safe
def activity_detail(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    _require_reader(request)
    activity = _activity(request, pk)
    is_own = activity.executive_id == request.membership.id
    return render(
        request,
        "communication/activity_detail.html",
        {
            "activity": activity,
            "actions": follow_up_actions(activity=activity),
            "is_own": is_own,
            "follow_up_form": FollowUpForm(organization=request.organization) if is_own else None,
            "history": audit.record_history(activity, limit=10),
        },
    )


@require_POST
def activity_follow_up(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    _require_reader(request)
    activity = _activity(request, pk)
    if activity.executive_id != request.membership.id:
        raise PermissionDenied("Only the executive who logged the activity raises its follow-ups.")
    form = FollowUpForm(request.POST, organization=request.organization)
    if form.is_valid():
        try:
            action = services_activities.activity_follow_up(
                activity=activity, actor=request.membership, **form.cleaned_data
            )
        except ValidationError as error:
            _add_errors(form, error)
        except (NotAllowed, TransitionError) as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"Follow-up action {action.reference} raised.")
            return redirect("communication:activity", org_slug=org_slug, pk=pk)
    return render(
        request,
        "communication/activity_detail.html",
        {
            "activity": activity,
            "actions": follow_up_actions(activity=activity),
            "is_own": True,
            "follow_up_form": form,
            "history": audit.record_history(activity, limit=10),
        },
        status=400,
    )
