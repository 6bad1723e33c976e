"""Small views of actions that other pages embed: the "Your actions" panel on the organisation's
home page, and the "Actions" section on a source's page (an objective, a review decision...)."""

from __future__ import annotations

import datetime
from urllib.parse import urlencode

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from qms.core.actions import permissions, selectors
from qms.core.actions.models import OPEN_STATUSES, Action
from qms.core.actions.sources import source_ref
from qms.core.models import Membership
from qms.core.tenancy import audit_scope, limit_to_audit_scope


def home_panel_context(request) -> dict:
    """The member's open actions: how many, how many overdue, how many due within a week, the
    five due soonest, and how many done actions wait for this member's effectiveness check."""
    membership = request.membership
    today = timezone.localdate()
    week_end = today + datetime.timedelta(days=7)
    counts = (
        Action.objects.for_organization(membership.organization_id)
        .filter(owner=membership, status__in=OPEN_STATUSES)
        .aggregate(
            open=Count("id"),
            overdue=Count("id", filter=Q(due_date__lt=today)),
            due_this_week=Count("id", filter=Q(due_date__gte=today, due_date__lte=week_end)),
        )
    )
    return {
        "counts": counts,
        "soonest": list(selectors.my_actions(membership)[:5]),
        "to_verify": selectors.awaiting_verification(membership).count(),
        "today": today,
    }


def new_action_url(source, *, org_slug: str) -> str:
    """The "raise an action" page, with `source` filled in when given."""
    url = reverse("core:action-new", kwargs={"org_slug": org_slug})
    return f"{url}?{urlencode({'source': source_ref(source)})}" if source is not None else url


def source_actions_panel(
    *, source, membership: Membership, prominent: bool = False, prompt: str = ""
) -> dict:
    """Context for `core/actions/source_panel.html`: the actions raised from `source`, and the
    link to raise one when this member may. `prominent` makes the link a primary button (e.g.
    when the source is off track) and, with no open action, says `prompt` (a sentence on why
    one is needed; an off-track objective's wording by default)."""
    today = timezone.localdate()
    # An auditor limited to a unit reads the actions owned in it (qms.core.tenancy's rule);
    # the others are counted, never named, so that a risk treated by another unit's action is
    # not said to have none.
    every = selectors.actions_for_source(source)
    actions = list(limit_to_audit_scope(every, membership))
    unit = audit_scope(membership)
    hidden = every.exclude(pk__in=[a.pk for a in actions]) if unit is not None else None
    outside = hidden.count() if hidden is not None else 0
    return {
        "actions": actions,
        "outside": (
            f"{outside} action{'s' if outside != 1 else ''} owned outside {unit.name}"
            if outside
            else ""
        ),
        "outside_open": outside and any(a.is_open for a in hidden),
        "open_count": sum(1 for a in actions if a.is_open),
        "overdue_count": sum(1 for a in actions if a.is_overdue(today)),
        "today": today,
        "raise_url": new_action_url(source, org_slug=membership.organization.slug)
        if permissions.can_raise(membership)
        else None,
        "prominent": prominent,
        "prompt": prompt or "This is off track and has no open action.",
    }
