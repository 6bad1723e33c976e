"""Reminder to acknowledge the quality policy (ISO 9001 5.2.2, 7.3). Registered from
LeadershipConfig.ready() through `register()`.

`POLICY_ACK_REMINDER_DAYS` (default 14) days after the version in force was published, each
member who has not acknowledged it yet (`pending_acknowledgements`) is reminded once for that
version (occasion "version-<id>"); a newly published version is a new occasion.

Waiting decisions (resolved once taken, by whichever executive takes them):
- a policy version submitted for approval → every executive ("submitted-<when>": submitted
  again after being returned, it is asked again);
- a resource request → the accountable executive of its objective, or every executive when it
  is tied to no objective (or its executive has left top management) ("requested").
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator

from django.conf import settings
from django.urls import reverse
from django.utils import formats, timezone

from leadership.models import PolicyVersion, ResourceAllocation
from leadership.models.resources import amount_text
from leadership.selectors.policy import current_version, pending_acknowledgements
from leadership.services.resources import OVERSPENT_KIND
from qms.core.models import Membership, Organization
from qms.core.notifications.registry import (
    NotificationSpec,
    register_kind,
    register_rule,
    register_waiting,
)
from qms.core.roles import APPROVER_ROLES

ACKNOWLEDGEMENT_PENDING = "policy-acknowledgement-pending"
POLICY_APPROVAL = "policy-approval"
RESOURCE_DECISION = "resource-decision"


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


def _executives(organization: Organization, today: datetime.date) -> list[Membership]:
    return list(
        Membership.objects.for_organization(organization)
        .current(today)
        .filter(role__in=APPROVER_ROLES)
        .select_related("user")
    )


def policy_approvals_waiting(
    organization: Organization, today: datetime.date
) -> Iterator[NotificationSpec]:
    versions = list(
        PolicyVersion.objects.filter(
            organization=organization, status=PolicyVersion.Status.SUBMITTED
        ).select_related("submitted_by")
    )
    if not versions:
        return
    executives = _executives(organization, today)
    for version in versions:
        submitted = version.submitted_at or version.updated_at
        who = version.submitted_by.get_full_name() if version.submitted_by else ""
        by = f" by {who}" if who else ""
        on = formats.date_format(timezone.localdate(submitted), "j M Y")
        for executive in executives:
            yield NotificationSpec(
                recipient=executive,
                kind=POLICY_APPROVAL,
                subject=version,
                occasion=f"submitted-{submitted:%Y%m%dT%H%M%S}",
                title=f"Quality policy version {version.number} waits for your approval",
                body=f"Submitted{by} on {on}"
                + (f": {version.change_summary}" if version.change_summary else "")
                + ". Approve it, or return it saying what should change.",
                url=reverse(
                    "leadership:policy-version",
                    kwargs={"org_slug": organization.slug, "number": version.number},
                ),
            )


def _deciders(allocation: ResourceAllocation, executives: list[Membership]) -> list[Membership]:
    """Who must decide a request: the accountable executive of its objective (the rule of
    `leadership.selectors.accountability.named_decider`); any executive when it has none."""
    objective = allocation.objective
    named = objective.accountable_executive_id if objective is not None else None
    mine = [e for e in executives if e.pk == named]
    return mine or executives


def resource_decisions_waiting(
    organization: Organization, today: datetime.date
) -> Iterator[NotificationSpec]:
    requests = list(
        ResourceAllocation.objects.for_organization(organization)
        .filter(status=ResourceAllocation.Status.REQUESTED)
        .select_related("requested_by__user", "objective__accountable_executive")
        .order_by("pk")
    )
    if not requests:
        return
    executives = _executives(organization, today)
    for allocation in requests:
        what = allocation.get_kind_display().split(" (")[0].lower()  # "People (FTE)": people
        for executive in _deciders(allocation, executives):
            yield NotificationSpec(
                recipient=executive,
                kind=RESOURCE_DECISION,
                subject=allocation,
                occasion="requested",
                title=f"Resource request waits for your decision: {allocation.title}",
                body=f"{allocation.requested_by.display_name} asks for "
                f"{amount_text(allocation.amount)} "
                f"{allocation.unit} ({what}). Approve it, or reject it saying why.",
                url=reverse(
                    "leadership:resource-detail",
                    kwargs={"org_slug": organization.slug, "pk": allocation.pk},
                ),
            )


def register() -> None:
    register_kind(
        POLICY_APPROVAL,
        "Policy waiting for approval",
        description="A quality policy version was submitted for an executive's approval "
        "(resolved once one of you approves or returns it).",
    )
    register_kind(
        RESOURCE_DECISION,
        "Resource request waiting for a decision",
        description="A resource request for an objective you are accountable for (or for no "
        "objective of a named executive) waits for your approval or rejection (resolved once "
        "it is decided).",
    )
    register_waiting(POLICY_APPROVAL, policy_approvals_waiting, models=[PolicyVersion])
    register_waiting(RESOURCE_DECISION, resource_decisions_waiting, models=[ResourceAllocation])
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
