"""Invitations over HTTP: the administrator's invite, send-again and withdraw (under People),
and the invited person's page behind the e-mailed link. Rules in `services`."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from qms.core.forms import add_service_errors
from qms.core.immutable import TransitionError
from qms.core.invitations import services
from qms.core.invitations.forms import AccountForm, InvitationForm
from qms.core.invitations.models import Invitation, invitation_days
from qms.core.limits import form_status
from qms.core.permissions import role_required
from qms.core.roles import ADMIN_ROLES

# The new account signed in with the password it was just given.
PASSWORD_BACKEND = "django.contrib.auth.backends.ModelBackend"  # noqa: S105  (a class path)


@role_required(ADMIN_ROLES)
@require_http_methods(["GET", "POST"])
def invite(request: HttpRequest, org_slug: str) -> HttpResponse:
    form = InvitationForm(request.POST or None, organization=request.organization)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = services.invitation_create(
                organization=request.organization, actor=request.membership, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                f"Invitation sent to {invitation.email}. {_works_until(invitation)}",
            )
            return redirect("core:members", org_slug=org_slug)
    return render(
        request,
        "core/people/invite.html",
        {
            "form": form,
            "lead": "They receive an e-mail with a link to join with the role and unit you "
            f"choose. The link works for {invitation_days()} days; you can send it again or "
            "withdraw it from People. They accept with a password of their own, or with the "
            "company sign-in.",
        },
        status=form_status(form),
    )


def _works_until(invitation: Invitation) -> str:
    return f"The link works until {services._day(invitation.expires_at)}."


def _get_invitation(request, pk: int) -> Invitation:
    invitation = (
        Invitation.objects.for_organization(request.organization.id)
        .select_related("organization")
        .filter(pk=pk)
        .first()
    )
    if invitation is None:
        raise Http404("No such invitation in this organisation.")
    return invitation


@role_required(ADMIN_ROLES)
@require_POST
def invitation_resend(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    invitation = _get_invitation(request, pk)
    try:
        invitation = services.invitation_resend(invitation=invitation, actor=request.membership)
    except (TransitionError, ValidationError) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    else:
        messages.success(
            request,
            f"Invitation sent again to {invitation.email}; the link of the earlier e-mail no "
            f"longer works. {_works_until(invitation)}",
        )
    return redirect("core:members", org_slug=org_slug)


@role_required(ADMIN_ROLES)
@require_POST
def invitation_revoke(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    invitation = _get_invitation(request, pk)
    try:
        invitation = services.invitation_revoke(invitation=invitation, actor=request.membership)
    except TransitionError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, f"Invitation of {invitation.email} withdrawn: its link no longer works."
        )
    return redirect("core:members", org_slug=org_slug)


def _joined(request, invitation: Invitation) -> HttpResponse:
    messages.success(
        request,
        f"Welcome to {invitation.organization.name}. You are a "
        f"{invitation.get_role_display().lower()} here.",
    )
    return redirect("core:org-home", org_slug=invitation.organization.slug)


@require_http_methods(["GET", "POST"])
def invitation_answer(request: HttpRequest, token: str) -> HttpResponse:
    """The page behind the e-mailed link: who invited you to what, and how to accept."""
    try:
        invitation = services.invitation_from_token(token)
    except services.InvitationInvalid as error:
        return render(request, "core/invitations/closed.html", {"reason": str(error)}, status=404)
    reason = services.closed_reason(invitation)
    if reason:
        accepted_by_you = (
            invitation.membership is not None
            and request.user.is_authenticated
            and invitation.membership.user_id == request.user.pk
        )
        if accepted_by_you and invitation.membership.is_active:
            return redirect("core:org-home", org_slug=invitation.organization.slug)
        return render(
            request,
            "core/invitations/closed.html",
            {"reason": reason, "invitation": invitation},
            status=410,
        )
    context = {"invitation": invitation, "error": None, "form": None}
    if request.user.is_authenticated:
        context["mode"] = "signed_in"
        context["matches"] = services.email_matches(invitation, request.user)
        if request.method == "POST":
            try:
                services.invitation_accept(invitation=invitation, user=request.user)
            except TransitionError as error:
                context["error"] = str(error)
            else:
                return _joined(request, invitation)
    elif services.account_exists(invitation):
        context["mode"] = "sign_in"
    else:
        context["mode"] = "new_account"
        form = AccountForm(
            request.POST or None,
            email=invitation.email,
            initial={"first_name": invitation.first_name, "last_name": invitation.last_name},
        )
        context["form"] = form
        if request.method == "POST" and form.is_valid():
            try:
                user = services.account_create_and_accept(
                    invitation=invitation,
                    first_name=form.cleaned_data["first_name"],
                    last_name=form.cleaned_data["last_name"],
                    password=form.cleaned_data["password1"],
                )
            except TransitionError as error:
                context["error"] = str(error)
            else:
                login(request, user, backend=PASSWORD_BACKEND)
                return _joined(request, invitation)
    status = 400 if request.method == "POST" else 200
    return render(request, "core/invitations/answer.html", context, status=status)
