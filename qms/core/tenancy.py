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


# --- auditors limited to a unit ----------------------------------------------------------------
#
# One rule for every surface. An auditor whose access an administrator limited to a unit reads
# the records of that unit's subtree, and nothing else:
# - a record is in scope when its unit (found through `unit_lookup`) is in the subtree; the
#   records of ORGANISATION_WIDE models concern every unit and hold no unit's results (context,
#   risks, interested parties, providers), so they stay readable; any other model with no unit
#   (people, the audit trail, management reviews, actions) is out of scope entirely: fail
#   closed, so a new model is hidden until someone says where its unit is;
# - a page opens for them only if its view is marked `@unit_scoped`, which promises that it
#   passes everything it shows through `limit_to_audit_scope`; the middleware refuses the
#   others with a page that says why;
# - the API: a viewset's list and detail go through `limit_to_audit_scope` (its model must have
#   a unit); other actions and views only if marked (`unit_scoped_actions`, `unit_scoped`);
# - exports and evidence packs take the unit as their filter.

# Models whose unit is further away than an `org_unit` field or their objective's unit.
UNIT_LOOKUPS = {
    "engagement.recognition": "team",
    "leadership.resourcespend": "allocation__org_unit",
    "leadership.trainingattendance": "session__org_unit",
    "reviews.customerfeedback": "nonconformity__org_unit",
    "reviews.reviewdecision": "review__org_unit",
    "evidence.packdownload": "pack__org_unit",
}


# The organisation's own context and commitments, which every unit works under: read in full.
ORGANISATION_WIDE = frozenset(
    {
        "leadership.contextissue",
        "leadership.risk",
        "leadership.interestedparty",
        "leadership.partykind",
        "leadership.partyrequirement",
        "reviews.providerevaluation",
    }
)


def readable_by_unit_auditors(model) -> bool:
    """Whether an auditor limited to a unit reads any record of `model` (see above)."""
    return model._meta.label_lower in ORGANISATION_WIDE or unit_lookup(model) is not None


def unit_lookup(model) -> str | None:
    """The ORM path from a record of `model` to its OrgUnit, or None when it has none."""
    label = model._meta.label_lower
    if label in UNIT_LOOKUPS:
        return UNIT_LOOKUPS[label]
    fields = {f.name: f for f in model._meta.get_fields() if f.concrete}
    unit = fields.get("org_unit")
    if unit is not None and unit.is_relation and unit.related_model is OrgUnit:
        return "org_unit"
    objective = fields.get("objective")
    if objective is not None and objective.is_relation:
        return "objective__org_unit"
    return None


def audit_scope(membership) -> OrgUnit | None:
    """The unit subtree an auditor's access is limited to, or None for the whole organisation.

    An auditor's unit (set by an administrator) limits what they read; the top unit of an
    organisation with a single tree means the whole organisation. Other roles: None (their unit
    is only where their pages start)."""
    if membership is None or membership.role != Role.AUDITOR or membership.org_unit_id is None:
        return None
    cached = getattr(membership, "_audit_scope", False)
    if cached is not False:
        return cached
    unit = membership.org_unit
    if unit.depth == 1 and (
        OrgUnit.objects.filter(organization_id=membership.organization_id, depth=1).count() == 1
    ):
        unit = None
    membership._audit_scope = unit
    return unit


def limit_to_unit(queryset, unit: OrgUnit | None):
    """The records of `queryset` that the rule lets into `unit`'s subtree: all of them for no
    unit; else those whose unit is in the subtree, organisation-wide records in full, and none
    of a model that has no unit. Evidence packs of a unit use it too."""
    if unit is None or queryset.model._meta.label_lower in ORGANISATION_WIDE:
        return queryset
    if queryset.model is OrgUnit:  # the units themselves: the subtree
        return queryset.filter(path__startswith=unit.path)
    lookup = unit_lookup(queryset.model)
    if lookup is None:
        return queryset.none()
    return queryset.filter(**{f"{lookup}__path__startswith": unit.path})


def limit_to_audit_scope(queryset, membership):
    """The records of `queryset` the member may read: all of them, unless they are an auditor
    limited to a unit (then `limit_to_unit` of that unit)."""
    return limit_to_unit(queryset, audit_scope(membership))


def in_audit_scope(record, membership) -> bool:
    """Whether one record is readable under the rule above (for pages that fetch by key)."""
    unit = audit_scope(membership)
    if unit is None or type(record)._meta.label_lower in ORGANISATION_WIDE:
        return True
    if isinstance(record, OrgUnit):
        return record.path.startswith(unit.path)
    lookup = unit_lookup(type(record))
    if lookup is None:
        return False
    target = record
    for part in lookup.split("__"):  # in memory: the related records are usually loaded
        target = getattr(target, part, None)
        if target is None:
            return False
    return target.path.startswith(unit.path)


def unit_scoped(view):
    """Mark a page view as open to an auditor limited to a unit: it shows nothing that has not
    been through `limit_to_audit_scope` (or its unit filter is forced to their unit)."""
    view.unit_scoped = True
    return view


def outside_scope_message(membership) -> str:
    unit = audit_scope(membership)
    return (
        f"Your access as an auditor is limited to {unit.name}. This page shows records of the "
        "whole organisation, so it is not open to you; ask the organisation's administrator "
        "if your audit needs it."
    )
