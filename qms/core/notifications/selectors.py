"""Reads of notifications that the pages, the API and the top bar share. A member only ever
sees their own."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from qms.core.models import Membership
from qms.core.notifications.models import Notification, NotificationPreference
from qms.core.notifications.registry import Kind, kinds


def notification_list(membership: Membership) -> QuerySet[Notification]:
    """The member's notifications, newest first."""
    return Notification.objects.for_recipient(membership).order_by("-created_at", "-id")


def unread_count(membership: Membership) -> int:
    """One COUNT over the (recipient, read_at) index."""
    return Notification.objects.for_recipient(membership).unread().count()


@dataclass(frozen=True)
class KindSetting:
    kind: Kind
    muted: bool


def kind_settings(membership: Membership) -> list[KindSetting]:
    """Every registered kind with whether this member muted it (critical kinds never are)."""
    muted = set(
        NotificationPreference.objects.filter(membership=membership, muted=True).values_list(
            "kind", flat=True
        )
    )
    return [KindSetting(kind, kind.key in muted and not kind.critical) for kind in kinds()]
