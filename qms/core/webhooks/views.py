"""Administrators' webhook pages: the organisation's endpoints, each with its secret and
recent deliveries."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from qms.core.concurrency import StaleEdit
from qms.core.limits import form_status
from qms.core.permissions import role_required
from qms.core.roles import Role
from qms.core.webhooks import services
from qms.core.webhooks.forms import WebhookForm
from qms.core.webhooks.models import Webhook

ADMINS = [Role.ADMIN]


def _form_errors(form, error: ValidationError) -> None:
    for field, problems in error.message_dict.items():
        form.add_error(field if field in form.fields else None, problems)


@require_http_methods(["GET", "HEAD", "POST"])
@role_required(ADMINS)
def webhook_list(request: HttpRequest, org_slug: str) -> HttpResponse:
    form = WebhookForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            webhook = services.webhook_create(
                membership=request.membership, url=data["url"], events=data["events"],
                description=data["description"],
            )  # fmt: skip
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, "Webhook added. Copy its secret to verify deliveries.")
            return redirect("core:webhook", org_slug, webhook.pk)
    webhooks = Webhook.objects.for_organization(request.organization)
    return render(
        request,
        "core/webhooks.html",
        {"form": form, "webhooks": webhooks},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "HEAD", "POST"])
@role_required(ADMINS)
def webhook_detail(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    webhook = get_object_or_404(Webhook.objects.for_organization(request.organization), pk=pk)
    initial = {"url": webhook.url, "events": webhook.events, "description": webhook.description,
               "is_active": webhook.is_active}  # fmt: skip
    form = WebhookForm(request.POST or None, initial=initial, record=webhook)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with form.saving():
                services.webhook_update(webhook=webhook, membership=request.membership, **data)
        except StaleEdit as stale:
            form, webhook = form.reopened(stale), stale.current
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, "Webhook saved.")
            return redirect("core:webhook", org_slug, webhook.pk)
    return render(
        request,
        "core/webhook_detail.html",
        {"webhook": webhook, "form": form, "deliveries": webhook.deliveries.all()[:50]},
        status=form_status(form),
    )


@require_POST
@role_required(ADMINS)
def webhook_secret(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    webhook = get_object_or_404(Webhook.objects.for_organization(request.organization), pk=pk)
    services.webhook_new_secret(webhook=webhook, membership=request.membership)
    messages.success(request, "New secret made: update the receiver, the old one is void.")
    return redirect("core:webhook", org_slug, webhook.pk)


@require_POST
@role_required(ADMINS)
def webhook_delete(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    webhook = get_object_or_404(Webhook.objects.for_organization(request.organization), pk=pk)
    services.webhook_delete(webhook=webhook, membership=request.membership)
    messages.success(request, "Webhook deleted.")
    return redirect("core:webhooks", org_slug)
