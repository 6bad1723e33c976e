"""The one way a request finds its organisation and the member's role in it.

Pages (through `OrganizationMiddleware`) and the API (through `IsOrganizationMember`) both call
`resolve_membership`, so scoping is decided in one place: a stranger gets 404, never 403, so
that the existence of another organisation's records does not leak.
"""

from __future__ import annotations

from django.http import Http404
from django.utils import formats

from qms.core.models import Membership, OrgUnit
from qms.core.roles import Role

SESSION_KEY = "qms_current_organization"


class AccessExpired(Exception):
    """The member's time-boxed access (an auditor's) has ended."""

    def __init__(self, membership: Membership):
        self.membership = membership
        day = formats.date_format(membership.access_expires_on, "j F Y")
        super().__init__(
            f"Your access to {membership.organization.name} expired on {day}. "
            "Ask the organisation's administrator to extend it."
        )


def resolve_membership(user, org_slug: str) -> Membership:
    """The user's active membership of the organisation with this slug.

    Raises Http404 when there is none (unknown organisation, or not a member: the two are not
    told apart) and AccessExpired when an auditor's access has ended.
    """
    if not user.is_authenticated:
        raise Http404("No such organisation.")
    membership = (
        Membership.objects.select_related("organization", "org_unit", "user")
        .filter(
            user=user,
            organization__slug=org_slug,
            organization__is_active=True,
            is_active=True,
        )
        .first()
    )
    if membership is None:
        raise Http404("No such organisation.")
    if membership.has_expired():
        raise AccessExpired(membership)
    return membership


def default_membership(user, preferred_slug: str | None = None) -> Membership | None:
    """The membership to land on after login: the last organisation used, else the first."""
    memberships = (
        Membership.objects.current()
        .filter(user=user, organization__is_active=True)
        .select_related("organization")
    )
    if preferred_slug:
        preferred = memberships.filter(organization__slug=preferred_slug).first()
        if preferred:
            return preferred
    return memberships.order_by("organization__name").first()


def audit_scope(membership) -> OrgUnit | None:
    """The unit subtree an auditor's access is limited to, or None for the whole organisation.

    An auditor's unit (set by an administrator) limits what they read; the top unit of an
    organisation with a single tree means the whole organisation. Other roles: None (their unit
    is only where their pages start)."""
    if membership is None or membership.role != Role.AUDITOR or membership.org_unit_id is None:
        return None
    unit = membership.org_unit
    if unit.depth == 1 and (
        OrgUnit.objects.filter(organization_id=membership.organization_id, depth=1).count() == 1
    ):
        return None
    return unit


def limit_to_audit_scope(queryset, membership):
    """Records of the auditor's unit subtree only, for models that belong to a unit (directly,
    or through their objective); other querysets unchanged."""
    unit = audit_scope(membership)
    if unit is None:
        return queryset
    names = {f.name for f in queryset.model._meta.get_fields()}
    if "org_unit" in names:
        return queryset.filter(org_unit__path__startswith=unit.path)
    if "objective" in names:
        return queryset.filter(objective__org_unit__path__startswith=unit.path)
    return queryset
