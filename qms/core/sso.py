"""Sign-in with the company account: OpenID Connect, through mozilla-django-oidc.

Why mozilla-django-oidc rather than django-allauth: we need one protocol (OIDC code flow) next
to the existing password login, configured from the environment; it is small, well kept, and
does not bring its own account pages and models.

Rules the library leaves to us, enforced here:
- a user is matched or created only by an e-mail address the provider says is **verified**;
- the ID token's signature, audience (our client id), issuer (when configured) and expiry are
  checked (the library skips the audience);
- a new user joins the organisation that `OIDC_DOMAIN_ORGANIZATIONS` maps their e-mail domain to
  (never what the provider lets the user claim), with `OIDC_DEFAULT_ROLE` if set (never
  executive or admin), otherwise with an inactive membership: no access until an admin gives a
  role. A user of an unmapped domain joins no organisation;
- an auditor's access is time-boxed: a new SSO auditor's ends `OIDC_AUDITOR_ACCESS_DAYS` after
  the first sign-in. `check_settings` (a system check, so `manage.py migrate` at start-up
  refuses) names a default role or access period that cannot work.
"""

from __future__ import annotations

import datetime
import logging

import jwt
from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured, SuspiciousOperation
from django.db import transaction
from django.http import Http404
from django.urls import path
from django.utils import timezone
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from qms.core.models import Membership, Organization
from qms.core.roles import Role

log = logging.getLogger(__name__)
# Roles a new SSO user may get without an administrator: never executive or admin.
SELF_SERVICE_ROLES = {Role.CONTRIBUTOR, Role.QUALITY_MANAGER, Role.AUDITOR}
# The longest access an SSO auditor gets without an administrator: an audit, not a job.
MAX_AUDITOR_ACCESS_DAYS = 366


def domain_organizations() -> dict[str, str]:
    """ "acme.example=acme, acme.co.uk=acme" -> {"acme.example": "acme", ...}."""
    mapping = {}
    for pair in settings.OIDC_DOMAIN_ORGANIZATIONS.split(","):
        if "=" in pair:
            domain, slug = pair.split("=", 1)
            mapping[domain.strip().lower()] = slug.strip()
    return mapping


def default_role() -> str:
    role = settings.OIDC_DEFAULT_ROLE
    if role and role not in SELF_SERVICE_ROLES:
        raise ImproperlyConfigured(
            "OIDC_DEFAULT_ROLE may be contributor, quality_manager or auditor (never executive "
            "or admin: those are given by an administrator)."
        )
    return role


def auditor_access_expires_on(today: datetime.date) -> datetime.date:
    """The last day of a new SSO auditor's access."""
    return today + datetime.timedelta(days=settings.OIDC_AUDITOR_ACCESS_DAYS)


def check_settings(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Refuse, at start-up, SSO settings that would fail the first sign-in."""
    if not settings.OIDC_ENABLED:
        return []
    errors = []
    role = settings.OIDC_DEFAULT_ROLE
    if role and role not in SELF_SERVICE_ROLES:
        errors.append(
            checks.Error(
                f"OIDC_DEFAULT_ROLE is {role!r}.",
                hint="Set it to contributor, quality_manager or auditor, or leave it empty "
                "(executives and admins are named by an administrator).",
                id="qms.sso.E001",
            )
        )
    days = settings.OIDC_AUDITOR_ACCESS_DAYS
    if role == Role.AUDITOR and not 1 <= days <= MAX_AUDITOR_ACCESS_DAYS:
        errors.append(
            checks.Error(
                f"OIDC_AUDITOR_ACCESS_DAYS is {days}: an auditor's access must end 1 to "
                f"{MAX_AUDITOR_ACCESS_DAYS} days after their first sign-in.",
                hint="Set OIDC_AUDITOR_ACCESS_DAYS to the length of the audit, e.g. 30.",
                id="qms.sso.E002",
            )
        )
    return errors


def _verified(claims: dict) -> bool:
    value = claims.get("email_verified")
    return value is True or str(value).lower() == "true"


class CompanyAccountBackend(OIDCAuthenticationBackend):
    def authenticate(self, request, **kwargs):
        # A refused token answers the failure page (a sentence), not a 400 error page.
        try:
            return super().authenticate(request, **kwargs)
        except SuspiciousOperation as refused:
            log.warning("Company sign-in refused: %s", refused)
            return None

    def _verify_jws(self, payload, key):
        header = jwt.get_unverified_header(payload)
        if header.get("alg") != self.OIDC_RP_SIGN_ALGO:
            raise SuspiciousOperation("The token's algorithm is not the one configured.")
        try:
            return jwt.decode(
                payload,
                key,
                algorithms=[self.OIDC_RP_SIGN_ALGO],
                audience=self.OIDC_RP_CLIENT_ID,
                issuer=settings.OIDC_OP_ISSUER or None,
                options={
                    "require": ["exp", "iat", "aud"],
                    "verify_iss": bool(settings.OIDC_OP_ISSUER),
                },
                leeway=30,
            )
        except jwt.InvalidTokenError as error:
            raise SuspiciousOperation(f"ID token refused: {error}") from error

    def verify_claims(self, claims):
        return bool(claims.get("email")) and _verified(claims)

    def filter_users_by_claims(self, claims):
        if not self.verify_claims(claims):
            return self.UserModel.objects.none()
        return self.UserModel.objects.filter(email__iexact=claims["email"])

    @transaction.atomic
    def create_user(self, claims):
        email = claims["email"].strip().lower()
        username, n = email, 1
        while self.UserModel.objects.filter(username=username).exists():
            n += 1
            username = f"{email}-{n}"
        user = self.UserModel.objects.create_user(
            username,
            email=email,
            first_name=str(claims.get("given_name", ""))[:150],
            last_name=str(claims.get("family_name", ""))[:150],
        )
        user.set_unusable_password()
        user.save()
        slug = domain_organizations().get(email.rsplit("@", 1)[-1])
        organization = Organization.objects.filter(slug=slug, is_active=True).first()
        if organization is not None:
            role = default_role()
            Membership.objects.create(
                user=user,
                organization=organization,
                role=role or Role.CONTRIBUTOR,
                is_active=bool(role),  # without a default role: no access until an admin acts
                access_expires_on=(
                    auditor_access_expires_on(timezone.localdate())
                    if role == Role.AUDITOR
                    else None
                ),
            )
        return user


def _only_when_configured(view):
    def wrapper(request, *args, **kwargs):
        if not settings.OIDC_ENABLED:
            raise Http404("Sign-in with a company account is not configured.")
        return view(request, *args, **kwargs)

    return wrapper


# The names are the library's: its views reverse them.
urlpatterns = [
    path(
        "authenticate/",
        _only_when_configured(OIDCAuthenticationRequestView.as_view()),
        name="oidc_authentication_init",
    ),
    path(
        "callback/",
        _only_when_configured(OIDCAuthenticationCallbackView.as_view()),
        name="oidc_authentication_callback",
    ),
]
