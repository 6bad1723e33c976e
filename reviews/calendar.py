"""Management reviews in calendars: in the feed of each member expected at them, and as e-mail
invitations when a review is planned or moved. The UID is the review's, so a moved review
updates the entry; its SEQUENCE grows with each change."""

from __future__ import annotations

import datetime

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from qms.core.calendar.registry import CalendarEvent
from qms.core.models import Membership
from qms.core.roles import Role
from reviews.models import ManagementReview, ReviewAttendee, ReviewStatus

# Top management and quality managers are expected at every review of their organisation.
EXPECTED_ROLES = (Role.EXECUTIVE, Role.QUALITY_MANAGER)


def review_event(review: ManagementReview) -> CalendarEvent:
    slug = review.organization.slug
    return CalendarEvent(
        uid=f"review-{slug}-{review.number}@qms",
        summary=f"{review.reference} {review.title}",
        start=review.planned_on,
        description="ISO 9001 9.3 management review. The agenda and its inputs are on the "
        "review's page.",
        url=reverse("reviews:detail", args=[slug, review.number]),
        location=review.location,
        # Seconds since 2020: grows whenever the review is saved (moved, renamed...).
        sequence=int(review.updated_at.timestamp()) - 1_577_836_800,
        cancelled=review.status == ReviewStatus.SKIPPED,
    )


def review_events(membership: Membership, start: datetime.date, end: datetime.date):
    reviews = (
        ManagementReview.objects.for_organization(membership.organization_id)
        .filter(planned_on__gte=start, planned_on__lte=end)
        .select_related("organization")
        .order_by("planned_on", "number")
    )
    if membership.role not in EXPECTED_ROLES:
        reviews = reviews.filter(Q(chair=membership) | Q(attendees__membership=membership))
        reviews = reviews.distinct()
    for review in reviews:
        yield review_event(review)


def invitees(review: ManagementReview) -> list[Membership]:
    """Who gets the invitation: top management, quality managers, the chair and attendees."""
    return list(
        Membership.objects.for_organization(review.organization_id)
        .active()
        .filter(
            Q(role__in=EXPECTED_ROLES)
            | Q(pk=review.chair_id)
            | Q(pk__in=ReviewAttendee.objects.filter(review=review).values("membership_id"))
        )
        .select_related("user")
        .distinct()
    )


def invitation_still_useful(review: ManagementReview, today: datetime.date | None = None) -> bool:
    """An invitation (or cancellation) is worth sending only while the meeting is ahead. It is
    queued when a review is planned or moved and sent by the worker: one that was stopped for
    a while (or the demo, which replays months of reviews before its worker first starts) would
    otherwise e-mail everyone about meetings that were held long ago."""
    today = today or timezone.localdate()
    return review.status in (
        ReviewStatus.PLANNED,
        ReviewStatus.PREPARED,
        ReviewStatus.SKIPPED,
    ) and (review.planned_on >= today)


def send_invitation(review: ManagementReview) -> int:
    """E-mail the review as a calendar invitation (ICS attached) to each invitee with an
    address; returns how many were sent. A skipped review is sent as a cancellation."""
    from django.core.mail import EmailMultiAlternatives

    from qms.core.calendar.ics import invitation
    from qms.core.notifications.services import absolute_url

    if not invitation_still_useful(review):
        return 0
    event = review_event(review)
    body = invitation(event)
    method = "CANCEL" if event.cancelled else "REQUEST"
    sent = 0
    for member in invitees(review):
        if not member.user.email:
            continue
        verb = "cancelled" if event.cancelled else f"on {review.planned_on:%-d %B %Y}"
        message = EmailMultiAlternatives(
            subject=f"{review.reference} {review.title}: {verb}",
            body=f"{review.reference} {review.title} is {verb}.\n\n"
            f"Open: {absolute_url(event.url)}\n\n— QMS leadership dashboard, "
            f"{review.organization.name}.",
            to=[member.user.email],
        )
        message.attach("invite.ics", body, f"text/calendar; method={method}; charset=utf-8")
        message.send()
        sent += 1
    return sent
