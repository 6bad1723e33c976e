"""Template context every page's layout needs: navigation, organisation switcher."""

from qms.core.models import Membership
from qms.core.navigation import nav_for
from qms.core.tenancy import audit_scope


def navigation(request):
    membership = getattr(request, "membership", None)
    user = getattr(request, "user", None)
    context = {"current_membership": membership, "nav_items": [], "switchable_memberships": []}
    if user is None or not user.is_authenticated:
        return context
    context["switchable_memberships"] = (
        Membership.objects.current()
        .filter(user=user, organization__is_active=True)
        .select_related("organization")
        .order_by("organization__name")
    )
    if membership is not None:
        context["nav_items"] = nav_for(membership, request.path)
        # An auditor limited to a unit: the user menu offers only pages open to them.
        context["audit_limited"] = audit_scope(membership) is not None
    return context


def sso(request):
    """Whether the sign-in page offers the company account (OpenID Connect)."""
    from django.conf import settings

    return {
        "sso_enabled": settings.OIDC_ENABLED,
        "sso_provider_name": settings.OIDC_PROVIDER_NAME,
    }
