"""The executives' weekly digest: one notification per executive per ISO week, made of the
sections apps register (`register_digest_section`): the decisions waiting for the executive,
objectives whose RAG status changed, overdue actions, and the next management review. An
executive with nothing in any section gets no digest that week."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import formats

from qms.core.models import Membership, Organization
from qms.core.notifications.registry import NotificationSpec, digest_sections, waiting
from qms.core.roles import Role

DIGEST_KIND = "weekly-digest"


def week_occasion(today: datetime.date) -> str:
    year, week, _ = today.isocalendar()
    return f"week-{year}-W{week:02d}"


def waiting_section(membership: Membership, today: datetime.date) -> tuple[str, list[str]] | None:
    """Digest: the decisions still waiting for this executive (a decision taken meanwhile, by
    them or anyone entitled, is resolved and not listed), oldest first."""
    from qms.core.notifications.models import Notification

    waiting_kinds = [decision.kind for decision in waiting()]
    notifications = (
        Notification.objects.for_recipient(membership)
        .unresolved()
        .filter(kind__in=waiting_kinds)
        .order_by("created_at", "id")
    )
    lines = [
        f"{n.title} — waiting since {formats.date_format(n.created_at.date(), 'j M Y')}"
        for n in notifications
    ]
    return ("Waiting for your decision", lines) if lines else None


def digest_body(membership: Membership, today: datetime.date) -> str:
    """The digest's text, or "" when no section has anything to say."""
    parts = []
    for section in digest_sections():
        result = section(membership, today)
        if not result:
            continue
        heading, lines = result
        if not lines:
            continue
        parts.append("\n".join([heading, *(f"- {line}" for line in lines)]))
    return "\n\n".join(parts)


def digest_specs(organization: Organization, today: datetime.date) -> list[NotificationSpec]:
    specs = []
    executives = (
        Membership.objects.for_organization(organization)
        .current(today)
        .with_role(Role.EXECUTIVE)
        .select_related("user", "organization")
    )
    occasion = week_occasion(today)
    week_start = today - datetime.timedelta(days=today.weekday())
    for executive in executives:
        body = digest_body(executive, today)
        if not body:
            continue
        specs.append(
            NotificationSpec(
                recipient=executive,
                kind=DIGEST_KIND,
                occasion=occasion,
                # The week as people read it; the ISO week stays the occasion's key.
                title=f"Your weekly QMS digest, week of {week_start:%-d %b %Y}",
                body=body,
                url=reverse("core:org-home", kwargs={"org_slug": organization.slug}),
            )
        )
    return specs
