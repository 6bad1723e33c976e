"""Reminders about management reviews (ISO 9001 9.3), and the "next review" part of the
executives' weekly digest. Registered from ReviewsConfig.ready() through `register()`.

- `REVIEW_REMINDER_DAYS` (default 14, 7 and 1) days before a planned review → each invited
  attendee ("days-<n>-<planned date>");
- its agenda still not compiled `REVIEW_PREPARE_DAYS` (default 7) days or fewer before it → the
  quality managers and admins who prepare it ("prepare-<planned date>").
The planned date is part of each occasion: a review moved to another day is reminded again.

A waiting decision (resolved once taken): a held review whose record is complete (minutes, and
top management's attendance) → every executive, to sign it off ("sign-off"); once one signs,
the others' notifications are resolved too. A nonconformity reported and still open (nobody has
started investigating it) → the quality managers (the administrators when there is none), except
whoever reported it ("reported"); resolved once its status moves on.
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
    register_waiting,
)
from qms.core.roles import APPROVER_ROLES, QUALITY_EDITOR_ROLES, Role
from reviews.models import ManagementReview, Nonconformity, ReviewAttendee, ReviewStatus

COMING_UP = "review-coming-up"
NOT_PREPARED = "review-not-prepared"
SIGN_OFF = "review-sign-off"
NONCONFORMITY_REPORTED = "nonconformity-reported"


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


def sign_offs_waiting(
    organization: Organization, today: datetime.date
) -> Iterator[NotificationSpec]:
    """Held reviews that an executive can sign off now (the same conditions as
    `review_sign_off`: minutes recorded, a member of top management attended)."""
    reviews = list(
        ManagementReview.objects.for_organization(organization)
        .filter(status=ReviewStatus.HELD)
        .exclude(minutes="")
        .filter(attendees__attendance="attended", attendees__is_top_management=True)
        .distinct()
        .select_related("organization")
        .order_by("number")
    )
    if not reviews:
        return
    executives = list(
        Membership.objects.for_organization(organization)
        .current(today)
        .filter(role__in=APPROVER_ROLES)
        .select_related("user")
    )
    for review in reviews:
        # The review's chair signs it when they are an executive; otherwise any member of top
        # management may, and each is told so (a try-out read three e-mails as three asks).
        chair = [e for e in executives if e.pk == review.chair_id]
        who = (
            "You chair it."
            if chair
            else "Any member of top management may sign it off; once one does, it leaves "
            "everyone's list."
        )
        for executive in chair or executives:
            yield NotificationSpec(
                recipient=executive,
                kind=SIGN_OFF,
                subject=review,
                occasion="sign-off",
                title=f"{review.reference} waits for your sign-off",
                body=f"{review.title}, held on {_day(review.held_on)}: the minutes and "
                f"attendance are recorded. Read the record and sign it off; after that it "
                f"never changes (corrections are addenda). {who}",
                url=_url(review),
            )


def nonconformities_waiting(
    organization: Organization, today: datetime.date
) -> Iterator[NotificationSpec]:
    """Open nonconformities: the quality team decides what happens (owner, investigation)."""
    reported = list(
        Nonconformity.objects.for_organization(organization)
        .filter(status=Nonconformity.Status.OPEN)
        .order_by("number")
    )
    if not reported:
        return
    members = Membership.objects.for_organization(organization).current(today)
    team = list(members.with_role(Role.QUALITY_MANAGER).select_related("user")) or list(
        members.with_role(Role.ADMIN).select_related("user")
    )
    reporters = dict(
        Nonconformity.history.filter(
            id__in=[nc.pk for nc in reported], history_type="+"
        ).values_list("id", "history_user_id")
    )
    labels = dict(Nonconformity.Severity.choices)
    for nc in reported:
        reporter = reporters.get(nc.pk)
        severity = labels.get(nc.severity, nc.severity).lower()
        for member in team:
            if reporter is not None and member.user_id == reporter:
                continue  # they know: they reported it
            yield NotificationSpec(
                recipient=member,
                kind=NONCONFORMITY_REPORTED,
                subject=nc,
                occasion="reported",
                title=f"Nonconformity reported: {nc.reference} {nc.title}",
                body=f"A {severity} nonconformity detected on {_day(nc.detected_on)}. Decide "
                "who owns it and start the investigation (status “Investigating the cause”).",
                url=reverse("registers:nonconformities-detail", args=[organization.slug, nc.pk]),
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
    register_kind(
        SIGN_OFF,
        "Review waiting for sign-off",
        description="A held management review's record is complete and waits for an "
        "executive's sign-off (resolved once one of you signs).",
    )
    register_kind(
        NONCONFORMITY_REPORTED,
        "Nonconformity reported",
        description="For the quality team: a nonconformity was reported and nobody has started "
        "investigating it (resolved once its status moves on).",
    )
    register_rule(review_reminders)
    register_waiting(NONCONFORMITY_REPORTED, nonconformities_waiting, models=[Nonconformity])
    register_waiting(SIGN_OFF, sign_offs_waiting, models=[ManagementReview, ReviewAttendee])
    register_digest_section(next_review_section, order=30)
