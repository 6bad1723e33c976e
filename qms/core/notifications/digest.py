"""The executives' weekly digest: one notification per executive per ISO week, made of the
sections apps register (`register_digest_section`): objectives whose RAG status changed, overdue
actions, and later the next management review. An executive with nothing in any section gets
no digest that week."""

from __future__ import annotations

import datetime

from django.urls import reverse

from qms.core.models import Membership, Organization
from qms.core.notifications.registry import NotificationSpec, digest_sections
from qms.core.roles import Role

DIGEST_KIND = "weekly-digest"


def week_occasion(today: datetime.date) -> str:
    year, week, _ = today.isocalendar()
    return f"week-{year}-W{week:02d}"


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
    for executive in executives:
        body = digest_body(executive, today)
        if not body:
            continue
        specs.append(
            NotificationSpec(
                recipient=executive,
                kind=DIGEST_KIND,
                occasion=occasion,
                title=f"Your weekly QMS digest, {occasion.removeprefix('week-')}",
                body=body,
                url=reverse("core:org-home", kwargs={"org_slug": organization.slug}),
            )
        )
    return specs
