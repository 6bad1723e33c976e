"""action.overdue for subscribed webhook endpoints: once per action and due date (a new due
date that passes is news again)."""

from __future__ import annotations

import datetime

from django.utils import timezone

from qms.core.actions.models import Action
from qms.core.webhooks.services import emit, subscribed_organizations


def emit_overdue(today: datetime.date | None = None) -> int:
    today = today or timezone.localdate()
    subscribed = subscribed_organizations("action.overdue")
    made = 0
    for action in (
        Action.objects.filter(organization_id__in=subscribed)
        .overdue(today)
        .select_related("owner__user", "accountable_executive__user", "organization")
        .order_by("organization_id", "number")
        .iterator(chunk_size=500)
    ):
        made += emit(
            action.organization_id,
            "action.overdue",
            f"action:{action.pk}:due:{action.due_date.isoformat()}",
            {
                "action": action.reference,
                "title": action.title,
                "due_date": action.due_date.isoformat(),
                "days_overdue": (today - action.due_date).days,
                "owner": action.owner.display_name,
                "accountable_executive": action.accountable_executive.display_name,
            },
        )
    return made
