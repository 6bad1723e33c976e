"""Reminders about management reviews (ISO 9001 9.3), and the "next review" part of the
executives' weekly digest. Registered from ReviewsConfig.ready() through `register()`.

- `REVIEW_REMINDER_DAYS` (default 14, 7 and 1) days before a planned review → each invited
  attendee ("days-<n>-<planned date>");
- its agenda still not compiled `REVIEW_PREPARE_DAYS` (default 7) days or fewer before it → the
  quality managers and admins who prepare it ("prepare-<planned date>").
The planned date is part of each occasion: a review moved to another day is reminded again.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator

from django.conf import settings
from django.urls import reverse
from django.utils import formats

from qms.core.models import Membership, Organization
from qms.core.notifications.registry import (
    NotificationSpec,
    register_digest_section,
    register_kind,
    register_rule,
)
from qms.core.roles import QUALITY_EDITOR_ROLES
from reviews.models import ManagementReview, ReviewStatus

COMING_UP = "review-coming-up"
NOT_PREPARED = "review-not-prepared"


def reminder_days() -> list[int]:
    return sorted(getattr(settings, "REVIEW_REMINDER_DAYS", [14, 7, 1]), reverse=True)


def prepare_days() -> int:
    return getattr(settings, "REVIEW_PREPARE_DAYS", 7)


def _url(review: ManagementReview) -> str:
    return reverse("reviews:detail", args=[review.organization.slug, review.number])


def _day(value: datetime.date) -> str:
    return formats.date_format(value, "j M Y")


def review_reminders(
    organization: Organization, today: datetime.date
) -> Iterator[NotificationSpec]:
    horizon = today + datetime.timedelta(days=max([*reminder_days(), prepare_days()]))
    reviews = (
        ManagementReview.objects.for_organization(organization)
        .filter(
            status__in=[ReviewStatus.PLANNED, ReviewStatus.PREPARED],
            planned_on__gte=today,
            planned_on__lte=horizon,
        )
        .select_related("organization")
        .prefetch_related("attendees__membership__user")
    )
    organisers = list(
        Membership.objects.for_organization(organization)
        .current()
        .filter(role__in=QUALITY_EDITOR_ROLES)
        .select_related("user")
    )
    for review in reviews:
        days = (review.planned_on - today).days
        planned = review.planned_on.isoformat()
        # The reminder for the nearest threshold reached (a run missed on day 14 still reminds
        # on day 13 for "14 days"), once per threshold.
        reached = [d for d in reminder_days() if days <= d]
        if reached:
            threshold = min(reached)
            for attendee in review.attendees.all():
                yield NotificationSpec(
                    recipient=attendee.membership,
                    kind=COMING_UP,
                    subject=review,
                    occasion=f"days-{threshold}-{planned}",
                    title=f"Management review {review.reference} in {days} day"
                    f"{'s' if days != 1 else ''}",
                    body=f"{review.title} is planned for {_day(review.planned_on)}"
                    + (f" ({review.location})." if review.location else "."),
                    url=_url(review),
                )
        if review.status == ReviewStatus.PLANNED and days <= prepare_days():
            for organiser in organisers:
                yield NotificationSpec(
                    recipient=organiser,
                    kind=NOT_PREPARED,
                    subject=review,
                    occasion=f"prepare-{planned}",
                    title=f"Compile the agenda of {review.reference}: the review is in {days} days",
                    body=f"{review.title} on {_day(review.planned_on)} has no agenda yet. "
                    "Compiling it builds the 9.3.2 inputs from the data.",
                    url=_url(review),
                )


def next_review_section(
    membership: Membership, today: datetime.date
) -> tuple[str, list[str]] | None:
    """Digest: the next management review, and whether its agenda is ready."""
    review = (
        ManagementReview.objects.for_organization(membership.organization_id)
        .filter(status__in=[ReviewStatus.PLANNED, ReviewStatus.PREPARED])
        .order_by("planned_on", "number")
        .first()
    )
    if review is None:
        return None  # nothing planned: the reviews page says so; the digest stays short
    days = (review.planned_on - today).days
    when = f"in {days} days" if days >= 0 else f"{-days} days overdue"
    ready = "agenda ready" if review.status == ReviewStatus.PREPARED else "agenda not compiled"
    return (
        "Next management review",
        [f"{review.reference} {review.title}: {_day(review.planned_on)} ({when}, {ready})"],
    )


def register() -> None:
    register_kind(
        COMING_UP,
        "Management review coming up",
        description="A review you are invited to is 14, 7 or 1 day away.",
    )
    register_kind(
        NOT_PREPARED,
        "Review agenda not compiled",
        description="A review is a week away and its agenda is not compiled yet.",
    )
    register_rule(review_reminders)
    register_digest_section(next_review_section, order=30)
