"""Reminder to acknowledge the quality policy (ISO 9001 5.2.2, 7.3). Registered from
LeadershipConfig.ready() through `register()`.

`POLICY_ACK_REMINDER_DAYS` (default 14) days after the version in force was published, each
member who has not acknowledged it yet (`pending_acknowledgements`) is reminded once for that
version (occasion "version-<id>"); a newly published version is a new occasion.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator

from django.conf import settings
from django.urls import reverse
from django.utils import formats, timezone

from leadership.selectors.policy import current_version, pending_acknowledgements
from leadership.services.resources import OVERSPENT_KIND
from qms.core.models import Organization
from qms.core.notifications.registry import NotificationSpec, register_kind, register_rule

ACKNOWLEDGEMENT_PENDING = "policy-acknowledgement-pending"


def reminder_days() -> int:
    return getattr(settings, "POLICY_ACK_REMINDER_DAYS", 14)


def policy_acknowledgement_reminders(
    organization: Organization, today: datetime.date
) -> Iterator[NotificationSpec]:
    version = current_version(organization)
    if version is None or version.published_at is None:
        return
    published_on = timezone.localdate(version.published_at)
    if today < published_on + datetime.timedelta(days=reminder_days()):
        return
    url = reverse("leadership:policy", kwargs={"org_slug": organization.slug})
    published = formats.date_format(published_on, "j M Y")
    for membership in pending_acknowledgements(version):
        yield NotificationSpec(
            recipient=membership,
            kind=ACKNOWLEDGEMENT_PENDING,
            subject=version,
            occasion=f"version-{version.pk}",
            title=f"Please read and acknowledge the quality policy (version {version.number})",
            body=f"Version {version.number} of {organization.name}'s quality policy was "
            f"published on {published}. Read it and confirm with one click that you have.",
            url=url,
        )


def register() -> None:
    register_kind(
        ACKNOWLEDGEMENT_PENDING,
        "Policy acknowledgement pending",
        description="The quality policy in force waits for you to read and acknowledge it.",
    )
    register_rule(policy_acknowledgement_reminders)
    # Sent when it happens (by `spend_record`), not by a rule: critical, as it is the approver's
    # control over what was spent in their name.
    register_kind(
        OVERSPENT_KIND,
        "Spend over an approved amount",
        critical=True,
        description="Spend recorded against a resource you approved went beyond the amount "
        "you approved.",
    )
