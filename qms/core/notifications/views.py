"""Notification pages under /o/<org_slug>/notifications/: the member's own list (newest first,
unread highlighted), opening one (marks it read and follows its link), "mark all read", and the
settings page where non-critical kinds are muted. Every member, whatever the role, has these."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from qms.core.notifications import selectors, services
from qms.core.tenancy import unit_scoped

PAGE_SIZE = 25


@unit_scoped
@require_safe
def notification_list(request: HttpRequest, org_slug: str) -> HttpResponse:
    notifications = selectors.notification_list(request.membership)
    page = Paginator(notifications, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "core/notifications/list.html",
        {"page": page, "unread_count": selectors.unread_count(request.membership)},
    )


@unit_scoped
@require_POST
def notification_open(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    """Mark one read and go to what it is about (another member's notification: 404)."""
    notification = get_object_or_404(selectors.notification_list(request.membership), pk=pk)
    services.notification_mark_read(notification=notification)
    target = notification.url
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect("core:notifications", org_slug=org_slug)


@unit_scoped
@require_POST
def notifications_read_all(request: HttpRequest, org_slug: str) -> HttpResponse:
    count = services.notifications_mark_all_read(membership=request.membership)
    messages.success(request, f"{count} notification{'s' if count != 1 else ''} marked as read.")
    return redirect("core:notifications", org_slug=org_slug)


@unit_scoped
@require_http_methods(["GET", "POST"])
def notification_settings(request: HttpRequest, org_slug: str) -> HttpResponse:
    """Mute or unmute each non-critical kind; escalations are always delivered."""
    if request.method == "POST":
        services.notification_preferences_set(
            membership=request.membership, muted_kinds=request.POST.getlist("muted")
        )
        messages.success(request, "Your notification settings were saved.")
        return redirect("core:notification-settings", org_slug=org_slug)
    return render(
        request,
        "core/notifications/settings.html",
        {"settings": selectors.kind_settings(request.membership)},
    )
