"""Reads of management reviews shared by the pages, the API and (later) the dashboard and the
evidence pack."""

from __future__ import annotations

import datetime

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from qms.core.actions.models import Action
from qms.core.models import Membership, Organization
from reviews.models import ManagementReview, ReviewAttendee, ReviewDecision, ReviewStatus

UPCOMING = (ReviewStatus.PLANNED, ReviewStatus.PREPARED)


def review_list(organization: Organization) -> QuerySet[ManagementReview]:
    return ManagementReview.objects.for_organization(organization).select_related(
        "chair__user", "signed_off_by__user", "schedule", "org_unit"
    )


def upcoming_reviews(organization: Organization) -> QuerySet[ManagementReview]:
    return review_list(organization).filter(status__in=UPCOMING).order_by("planned_on", "number")


def next_review(organization: Organization) -> ManagementReview | None:
    return upcoming_reviews(organization).first()


def last_held_review(organization: Organization) -> ManagementReview | None:
    return (
        review_list(organization)
        .filter(status__in=[ReviewStatus.HELD, ReviewStatus.SIGNED_OFF])
        .order_by("-held_on", "-number")
        .first()
    )


def review_get(*, organization: Organization, number: int) -> ManagementReview:
    """One review with everything its page shows, in a fixed number of queries."""
    return get_object_or_404(
        review_list(organization).prefetch_related(
            "inputs",
            Prefetch(
                "attendees",
                queryset=ReviewAttendee.objects.select_related("membership__user"),
            ),
            "addenda__author__user",
        ),
        number=number,
    )


def decisions_with_actions(
    review: ManagementReview, as_signed: bool = False
) -> list[ReviewDecision]:
    """The review's decisions, each with `.actions` (the actions raised from it). `as_signed`:
    each action as it stood when the review was signed off (the signed minutes never change:
    an action closed or handed over since reads as it did when signed)."""
    decisions = list(review.decisions.all())
    actions = list(
        Action.objects.filter(
            source_type=ContentType.objects.get_for_model(ReviewDecision),
            source_id__in=[d.pk for d in decisions],
        )
        .select_related("owner__user", "accountable_executive__user")
        .order_by("number")
    )
    if as_signed and review.signed_off_at is not None:
        actions = _as_at(actions, review.signed_off_at)
    by_decision: dict[int, list[Action]] = {}
    for action in actions:
        by_decision.setdefault(action.source_id, []).append(action)
    for decision in decisions:
        decision.actions = by_decision.get(decision.pk, [])
    return decisions


def _as_at(actions: list[Action], moment: datetime.datetime) -> list[Action]:
    """Each action as its audit trail had it at `moment` (two queries); one without an entry
    by then (a record older than its trail) as it is."""
    history = Action.history.model.objects.filter(
        id__in=[a.pk for a in actions], history_date__lte=moment
    ).order_by("id", "history_date", "history_id")
    then = {row.id: row for row in history}  # the last entry of each by `moment`
    owners = {
        m.pk: m
        for m in Membership.objects.filter(
            pk__in={row.owner_id for row in then.values()}
        ).select_related("user")
    }
    result = []
    for action in actions:
        row = then.get(action.pk)
        if row is None:
            result.append(action)
            continue
        was = row.instance
        was.owner = owners.get(row.owner_id, action.owner)
        # Where it went since, for the review's page (the printed minutes leave it out).
        was.status_now = action.get_status_display()
        result.append(was)
    return result


def review_compliance(organization: Organization, since: datetime.date) -> list[dict]:
    """Planned vs held date of each review since `since` (for the dashboard's compliance
    chart and the evidence pack)."""
    return [
        {
            "reference": r.reference,
            "planned_on": r.planned_on,
            "held_on": r.held_on,
            "status": r.status,
            "days_late": r.days_late(),
        }
        for r in review_list(organization).filter(planned_on__gte=since).order_by("planned_on")
    ]


def reviews_awaiting_sign_off(organization: Organization) -> int:
    return (
        ManagementReview.objects.for_organization(organization)
        .filter(status=ReviewStatus.HELD)
        .count()
    )


def reviews_to_sign_off_by_chair(organization: Organization, executive_ids: list[int]) -> dict:
    """Reviews held and not yet signed off, by the executive who chaired them (one query)."""
    return dict(
        ManagementReview.objects.for_organization(organization)
        .filter(status=ReviewStatus.HELD, chair_id__in=executive_ids)
        .order_by()
        .values_list("chair_id")
        .annotate(n=Count("id"))
    )


def review_attendance_by_executive(organization: Organization, executive_ids: list[int]) -> dict:
    """ "2 of 3": reviews held that each executive attended, of those they were invited to
    (ISO 9001 5.1: top management takes part). One query."""
    rows = (
        ReviewAttendee.objects.filter(
            review__organization=organization,
            review__status__in=[ReviewStatus.HELD, ReviewStatus.SIGNED_OFF],
            membership_id__in=executive_ids,
        )
        .values_list("membership_id")
        .annotate(invited=Count("id"), attended=Count("id", filter=Q(attendance="attended")))
    )
    return {member: f"{attended} of {invited}" for member, invited, attended in rows}
