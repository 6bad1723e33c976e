"""Attach the organisation and membership to every page under /o/<org_slug>/."""

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from rest_framework.views import APIView

from qms.core.models import Membership
from qms.core.roles import auditor_may_write
from qms.core.tenancy import (
    SESSION_KEY,
    AccessExpired,
    MembershipEnded,
    audit_scope,
    outside_scope_message,
    resolve_membership,
)


class OrganizationMiddleware:
    """For any page whose URL names an organisation, set `request.organization` and
    `request.membership`, or answer: login page (anonymous), 404 (not a member), "access
    expired" (auditor past their date). API views resolve the same way in their permission
    class, after DRF has authenticated the token."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.organization = None
        request.membership = None
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        org_slug = view_kwargs.get("org_slug")
        if org_slug is None or _is_api_view(view_func):
            return None
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        try:
            membership = resolve_membership(request.user, org_slug)
        except AccessExpired as expired:
            # Kept for the auditor access log: a refused attempt is logged as well.
            request.expired_membership = expired.membership
            # "Go to your other organisations" only for someone who has one to go to.
            others = (
                Membership.objects.current()
                .filter(user=request.user, organization__is_active=True)
                .exclude(organization_id=expired.membership.organization_id)
                .exists()
            )
            return render(
                request,
                "core/access_expired.html",
                {
                    "message": str(expired),
                    "expired_membership": expired.membership,
                    "has_other_organisations": others,
                    "heading": "Membership ended"
                    if isinstance(expired, MembershipEnded)
                    else "Access expired",
                },
                status=403,
            )
        request.membership = membership
        request.organization = membership.organization
        if request.session.get(SESSION_KEY) != org_slug:
            request.session[SESSION_KEY] = org_slug
        if not auditor_may_write(membership, request):
            raise PermissionDenied("Auditors read the records; they do not change them.")
        if audit_scope(membership) is not None and not getattr(view_func, "unit_scoped", False):
            return render(
                request,
                "core/outside_audit_scope.html",
                {"message": outside_scope_message(membership)},
                status=403,
            )
        return None


def _is_api_view(view_func) -> bool:
    view_class = getattr(view_func, "cls", None) or getattr(view_func, "view_class", None)
    return isinstance(view_class, type) and issubclass(view_class, APIView)
