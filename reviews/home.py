"""The management review panel of the home page: when the next review is (and whether its
agenda is ready), how the last one went, and for executives the reviews awaiting sign-off."""

from __future__ import annotations

from django.utils import timezone

from qms.core.roles import APPROVER_ROLES
from reviews import selectors_meetings as selectors
from reviews.models import ManagementReview, ReviewStatus


def home_panel_context(request) -> dict:
    organization = request.organization
    today = timezone.localdate()
    upcoming = selectors.next_review(organization)
    days = (upcoming.planned_on - today).days if upcoming else None
    return {
        "next": upcoming,
        "days_to_next": days,
        "days_overdue": -days if days is not None and days < 0 else 0,
        "last": selectors.last_held_review(organization),
        "to_sign": list(
            ManagementReview.objects.for_organization(organization)
            .filter(status=ReviewStatus.HELD)
            .order_by("held_on")[:3]
        )
        if request.membership.role in APPROVER_ROLES
        else [],
    }
