"""Reads of announcements that pages, the API, the staff board and the evidence pack share.

Plan reads live in `selectors_plan`, leadership activities in `selectors_activities`; the
evidence pack's and the leadership record's selectors are re-exported here so that the top layer
imports one module.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from leadership.communication.models import Announcement, AnnouncementRecipient
from qms.core.models import Membership, Organization, OrgUnit
from qms.core.roles import AUDITOR_AND_MANAGERS


def recent_announcements(*, membership: Membership, limit: int = 5) -> list[Announcement]:
    """Published announcements targeted at this member, newest first, each with `.is_read`
    (and `.read_at`) for them. One query."""
    rows = (
        AnnouncementRecipient.objects.filter(membership=membership)
        .select_related("announcement__author__user")
        .order_by("-announcement__published_at", "-announcement_id")[:limit]
    )
    result = []
    for row in rows:
        announcement = row.announcement
        announcement.read_at = row.read_at
        announcement.is_read = row.read_at is not None
        result.append(announcement)
    return result


def unread_announcements_count(*, membership: Membership) -> int:
    return AnnouncementRecipient.objects.filter(membership=membership, read_at__isnull=True).count()


def can_see_all_announcements(membership: Membership) -> bool:
    """Management and auditors see every announcement and its reach; others the ones sent to
    them."""
    return membership.role in AUDITOR_AND_MANAGERS


def announcements_visible_to(membership: Membership) -> QuerySet[Announcement]:
    queryset = Announcement.objects.for_organization(membership.organization)
    if not can_see_all_announcements(membership):
        queryset = queryset.filter(recipients__membership=membership)
    return queryset


def announcement_list(*, membership: Membership) -> QuerySet[Announcement]:
    """Announcements this member may see, newest first, with their authors. Pass the page shown
    to `with_receipts` for read counts (counting over every announcement's recipients would
    cost a scan of thousands of rows per announcement)."""
    return (
        announcements_visible_to(membership)
        .select_related("author__user", "plan_occurrence")
        .prefetch_related("target_units")
        .order_by("-published_at", "-id")
    )


def with_receipts(announcements, *, membership: Membership) -> list[Announcement]:
    """Set on each announcement `read_count` (members who read it), `my_receipt` (whether it
    was sent to this member) and `my_unread` (sent to them and not read). One query."""
    announcements = list(announcements)
    rows = (
        AnnouncementRecipient.objects.filter(announcement__in=[a.pk for a in announcements])
        .values("announcement_id")
        .annotate(
            read=Count("id", filter=Q(read_at__isnull=False)),
            mine=Count("id", filter=Q(membership=membership)),
            mine_unread=Count("id", filter=Q(membership=membership, read_at__isnull=True)),
        )
    )
    counts = {row["announcement_id"]: row for row in rows}
    for announcement in announcements:
        row = counts.get(announcement.pk, {})
        announcement.read_count = row.get("read", 0)
        announcement.my_receipt = bool(row.get("mine", 0))
        announcement.my_unread = bool(row.get("mine_unread", 0))
    return announcements


def announcement_get(*, membership: Membership, pk: int) -> Announcement | None:
    return (
        announcements_visible_to(membership)
        .select_related("author__user", "plan_occurrence__item", "corrects", "organization")
        .prefetch_related("target_units", "corrections")
        .filter(pk=pk)
        .first()
    )


def receipt_for(*, announcement: Announcement, membership: Membership):
    return AnnouncementRecipient.objects.filter(
        announcement=announcement, membership=membership
    ).first()


@dataclass
class UnitReach:
    unit_id: int | None
    unit_name: str
    targeted: int
    read: int

    @property
    def rate(self) -> float:
        return self.read / self.targeted if self.targeted else 0.0

    @property
    def percent(self) -> int:
        return round(100 * self.rate)


def announcement_reach(*, announcement: Announcement) -> tuple[UnitReach, list[UnitReach]]:
    """(overall, per unit) reach: members who read it / members it was sent to, counted by the
    unit each member belonged to when it was published. Units in tree order; members without a
    unit last. Two queries."""
    rows = (
        AnnouncementRecipient.objects.filter(announcement=announcement)
        .values("org_unit_id")
        .annotate(targeted=Count("id"), read=Count("id", filter=Q(read_at__isnull=False)))
    )
    counts = {row["org_unit_id"]: (row["targeted"], row["read"]) for row in rows}
    units = OrgUnit.objects.filter(pk__in=[k for k in counts if k is not None]).order_by("path")
    per_unit = [UnitReach(u.pk, u.name, *counts[u.pk]) for u in units]
    if None in counts:
        per_unit.append(UnitReach(None, "No unit", *counts[None]))
    total = UnitReach(
        None,
        "All recipients",
        sum(t for t, _ in counts.values()),
        sum(r for _, r in counts.values()),
    )
    return total, per_unit


def announcements_sent(
    *,
    organization: Organization,
    executive_ids: list[int],
    start: datetime.date,
    end: datetime.date,
) -> dict[int, int]:
    """{membership id: announcements they published between start and end (days included)}
    for the given executives' memberships; zero counts included. One query."""
    rows = (
        Announcement.objects.for_organization(organization)
        .filter(
            author_id__in=executive_ids,
            published_at__date__gte=start,
            published_at__date__lte=end,
        )
        .values("author_id")
        .annotate(n=Count("id"))
    )
    result = dict.fromkeys(executive_ids, 0)
    result.update({row["author_id"]: row["n"] for row in rows})
    return result


def announcements_for_evidence(
    *,
    organization: Organization,
    unit: OrgUnit | None = None,
    start: datetime.date,
    end: datetime.date,
) -> list[dict]:
    """One row per announcement published in the period (days included), oldest first then by
    id: title, author, audience, the plan due date it fulfils, recipients, readers and reach
    rate (read / targeted). With a unit, announcements that reached members of its subtree, and
    the counts are those of the subtree. Two queries."""
    receipts = AnnouncementRecipient.objects.filter(organization=organization)
    if unit is not None:
        receipts = receipts.filter(org_unit__path__startswith=unit.path)
    counts = {
        row["announcement_id"]: (row["targeted"], row["read"])
        for row in receipts.filter(
            announcement__published_at__date__gte=start,
            announcement__published_at__date__lte=end,
        )
        .values("announcement_id")
        .annotate(targeted=Count("id"), read=Count("id", filter=Q(read_at__isnull=False)))
    }
    announcements = (
        Announcement.objects.for_organization(organization)
        .filter(pk__in=list(counts))
        .select_related("author__user", "plan_occurrence__item")
        .prefetch_related("target_units")
        .order_by("published_at", "id")
    )
    rows = []
    for announcement in announcements:
        targeted, read = counts[announcement.pk]
        occurrence = announcement.plan_occurrence
        rows.append(
            {
                "id": announcement.pk,
                "published_at": announcement.published_at.isoformat(),
                "title": announcement.title,
                "author": announcement.author.display_name,
                "target_units": ", ".join(u.name for u in announcement.target_units.all())
                or "Everyone",
                "target_roles": ", ".join(announcement.target_roles) or "All staff roles",
                "plan_item": (
                    f"{occurrence.item.topic} (due {occurrence.due_on.isoformat()})"
                    if occurrence
                    else ""
                ),
                "corrects_id": announcement.corrects_id or "",
                "targeted": targeted,
                "read": read,
                "reach_rate": round(read / targeted, 3) if targeted else 0.0,
            }
        )
    return rows


# The evidence pack's and leadership record's selectors, from one module.
from leadership.communication.selectors_activities import (  # noqa: E402
    activities_for_evidence,
    activities_logged,
)
from leadership.communication.selectors_plan import (  # noqa: E402
    plan_for_evidence,
    plan_on_time_summary,
)

__all__ = [
    "activities_for_evidence",
    "activities_logged",
    "announcement_reach",
    "announcements_for_evidence",
    "announcements_sent",
    "plan_for_evidence",
    "plan_on_time_summary",
    "recent_announcements",
]
