"""The one way a request finds its organisation and the member's role in it.

Pages (through `OrganizationMiddleware`) and the API (through `IsOrganizationMember`) both call
`resolve_membership`, so scoping is decided in one place: a stranger gets 404, never 403, so
that the existence of another organisation's records does not leak.
"""

from __future__ import annotations

from django.db.models import Count, Q
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


class MembershipEnded(AccessExpired):
    """An administrator deactivated the membership (the member left). Refused like an expired
    access: the person knew the organisation, so it is named, with what to do."""

    def __init__(self, membership: Membership):
        self.membership = membership
        Exception.__init__(self, membership_ended_message(membership))


def membership_ended_message(membership: Membership) -> str:
    day = formats.date_format(membership.ended_on, "j F Y")
    return (
        f"Your membership of {membership.organization.name} has been ended by its "
        f"administrator (on {day}), so you can no longer open it. If that is a mistake, ask "
        "them to reactivate it."
    )


def resolve_membership(user, org_slug: str) -> Membership:
    """The user's active membership of the organisation with this slug, read afresh on every
    request (so a change of role applies from the member's next request).

    Raises Http404 when there is none (unknown organisation, or not a member: the two are not
    told apart), MembershipEnded when an administrator deactivated it and AccessExpired when
    an auditor's access has ended.
    """
    if not user.is_authenticated:
        raise Http404("No such organisation.")
    membership = (
        Membership.objects.select_related("organization", "org_unit", "user")
        .filter(user=user, organization__slug=org_slug, organization__is_active=True)
        .first()
    )
    if membership is None or not (membership.is_active or membership.has_left):
        # Waiting for a first role (a new SSO user) reads as no membership, as before.
        raise Http404("No such organisation.")
    if membership.has_left:
        raise MembershipEnded(membership)
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

# Models whose unit is further away than an `org_unit` field or their objective's unit. A
# tuple of paths means the first one that is set: the record's unit is found there.
UNIT_LOOKUPS: dict[str, str | tuple[str, ...]] = {
    # An action belongs to its owner's unit (its source may be anything, a review or a
    # policy included); the evidence pack's 10.2 actions read the same way.
    "core.action": "owner__org_unit",
    "core.effectivenesscheck": "action__owner__org_unit",
    "engagement.recognition": "team",
    # An allocation serves its objective's unit (as the dashboard counts its amounts), or the
    # unit it names when it serves no objective; its spend goes with it.
    "leadership.resourceallocation": ("objective__org_unit", "org_unit"),
    "leadership.resourcespend": ("allocation__objective__org_unit", "allocation__org_unit"),
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


def unit_lookup(model) -> str | tuple[str, ...] | None:
    """The ORM path from a record of `model` to its OrgUnit (paths, the first set one counts),
    or None when it has none."""
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
    return queryset.filter(in_unit(lookup, unit))


def in_unit(lookup: str | tuple[str, ...], unit: OrgUnit) -> Q:
    """The condition "the record's unit, found through `lookup`, is in `unit`'s subtree"; for
    several paths, the first one that is set decides. Historical rows keep their foreign keys,
    so the audit trail filters its versions with it too."""
    paths = (lookup,) if isinstance(lookup, str) else lookup
    condition = Q(pk__in=[])
    for index, path in enumerate(paths):
        unset_before = Q(**{f"{earlier}__isnull": True for earlier in paths[:index]})
        condition |= unset_before & Q(**{f"{path}__path__startswith": unit.path})
    return condition


def limit_to_audit_scope(queryset, membership):
    """The records of `queryset` the member may read: all of them, unless they are an auditor
    limited to a unit (then `limit_to_unit` of that unit)."""
    return limit_to_unit(queryset, audit_scope(membership))


def units_in_scope(organization, membership):
    """The organisation's units a member's menus offer: every unit, or an auditor's subtree."""
    return limit_to_audit_scope(OrgUnit.objects.for_organization(organization), membership)


def members_in_scope(queryset, membership):
    """The members of `queryset` a member's menus offer (owners, executives, holders): all of
    them, or for an auditor limited to a unit the members who work in that subtree."""
    return limit_to_audit_scope(queryset, membership)


def whole_scope_label(membership, whole: str) -> str:
    """What a unit menu's empty choice says: `whole` ("All units"), or for an auditor limited
    to a unit that unit, since their figures and lists never go beyond it."""
    unit = audit_scope(membership)
    return whole if unit is None else f"{unit.name} (your audit scope)"


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
    for path in (lookup,) if isinstance(lookup, str) else lookup:
        target = record
        for part in path.split("__"):  # in memory: the related records are usually loaded
            target = getattr(target, part, None)
            if target is None:
                break
        if target is not None:  # the first path that is set decides
            return target.path.startswith(unit.path)
    return False


def outside_scope_text(unit: OrgUnit, count: int = 1) -> str:
    """How a page names linked records an auditor limited to `unit` may not read: it says
    that they exist (so a risk linked only to another unit's objective is not shown as linked
    to nothing) without their title, code or link."""
    if count == 1:
        return f"a record outside {unit.name}"
    return f"{count} records outside {unit.name}"


def mark_links_outside_scope(records, paths, membership) -> None:
    """For an auditor limited to a unit, on each record (and on the records reached through a
    nested path's prefetched first steps): `record.links_outside_scope[field]`, a sentence
    saying how many records linked by that many-to-many field lie outside their subtree.
    Pages whose prefetch went through the rule (so names none of them) show it beside the
    names, and count such links when they judge "nothing monitors it" or "no KPI"."""
    unit = audit_scope(membership)
    records = list(records)
    if unit is None or not records:
        return
    for path in paths:
        first, _, rest = path.partition("__")
        if rest:  # a nested path: mark the records its first step reaches
            reached = [child for record in records for child in getattr(record, first).all()]
            mark_links_outside_scope(reached, [rest], membership)
            continue
        model = type(records[0])
        related = model._meta.get_field(first).related_model
        inside = limit_to_unit(related._default_manager.all(), unit).values("pk")
        counts = dict(
            model._default_manager.filter(pk__in=[r.pk for r in records])
            .annotate(n=Count(first, filter=~Q(**{f"{first}__in": inside}), distinct=True))
            .values_list("pk", "n")
        )
        for record in records:
            marks = getattr(record, "links_outside_scope", None)
            if marks is None:
                marks = record.links_outside_scope = {}
            if counts.get(record.pk):
                marks[first] = outside_scope_text(unit, counts[record.pk])


def links_outside_scope(record, field: str) -> str:
    """The sentence `mark_links_outside_scope` left for `field`, or ""."""
    return getattr(record, "links_outside_scope", {}).get(field, "")


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
