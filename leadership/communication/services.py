"""Writes of communication: the plan and its occurrences, publishing and reading announcements,
and delivering them. Each checks who may act (NotAllowed: 403), validates (ValidationError: 400)
and records the member in the audit trail. Leadership activities are in `services_activities`.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from leadership.communication import permissions
from leadership.communication.models import (
    Announcement,
    AnnouncementRecipient,
    CommunicationPlanItem,
    PlanOccurrence,
)
from qms.core.immutable import NotAllowed, TransitionError
from qms.core.models import Membership, OrgUnit
from qms.core.notifications.models import EmailStatus, Notification, NotificationPreference
from qms.core.outbox import enqueue
from qms.core.roles import Role

ANNOUNCEMENT_KIND = "announcement"
PLAN_FIELDS = {
    "topic",
    "description",
    "recurrence",
    "starts_on",
    "ends_on",
    "audience_roles",
    "channel",
    "communicator",
    "is_active",
}
# Recipients are written and notified in batches so that memory stays flat for thousands.
BATCH_SIZE = 500


def _check_units(units: Iterable[OrgUnit], organization_id: int, field: str) -> list[OrgUnit]:
    units = list(units or [])
    if any(unit.organization_id != organization_id for unit in units):
        raise ValidationError({field: "Choose units of this organisation."})
    return units


def _check_communicator(item: CommunicationPlanItem) -> None:
    communicator = item.communicator if item.communicator_id else None
    if communicator is None:
        raise ValidationError({"communicator": "Say who communicates this item."})
    if communicator.organization_id != item.organization_id:
        raise ValidationError({"communicator": "Choose a member of this organisation."})
    if communicator.role == Role.AUDITOR or not communicator.is_active:
        raise ValidationError(
            {"communicator": "The communicator must be an active member who is not an auditor."}
        )


# --- the plan -----------------------------------------------------------------------------------


@transaction.atomic
def plan_item_create(
    *, actor: Membership, audience_units: Iterable[OrgUnit] = (), **fields
) -> CommunicationPlanItem:
    if not permissions.can_edit_plan(actor):
        raise NotAllowed(
            "Only quality managers, executives and administrators edit the communication plan."
        )
    unknown = set(fields) - PLAN_FIELDS
    if unknown:
        raise ValueError(f"Unknown fields: {', '.join(sorted(unknown))}")
    item = CommunicationPlanItem(organization_id=actor.organization_id, **fields)
    if not item.is_active:
        item.deactivated_on = timezone.localdate()
    units = _check_units(audience_units, actor.organization_id, "audience_units")
    item.full_clean()
    _check_communicator(item)
    item._history_user = actor.user
    item.save()
    item.audience_units.set(units)
    return item


@transaction.atomic
def plan_item_update(
    *,
    item: CommunicationPlanItem,
    actor: Membership,
    audience_units: Iterable[OrgUnit] | None = None,
    **changes,
) -> CommunicationPlanItem:
    """Change a plan item. Occurrences already done keep their record."""
    if not permissions.can_edit_plan(actor) or actor.organization_id != item.organization_id:
        raise NotAllowed(
            "Only quality managers, executives and administrators edit the communication plan."
        )
    unknown = set(changes) - PLAN_FIELDS
    if unknown:
        raise ValueError(f"Unknown fields: {', '.join(sorted(unknown))}")
    locked = CommunicationPlanItem.objects.select_for_update().get(pk=item.pk)
    was_active = locked.is_active
    for name, value in changes.items():
        setattr(locked, name, value)
    if was_active and not locked.is_active:
        locked.deactivated_on = timezone.localdate()
    elif locked.is_active:
        locked.deactivated_on = None
    locked.full_clean()
    _check_communicator(locked)
    locked._history_user = actor.user
    locked.save()
    if audience_units is not None:
        locked.audience_units.set(
            _check_units(audience_units, actor.organization_id, "audience_units")
        )
    return locked


def _check_due_date(item: CommunicationPlanItem, due_on: datetime.date) -> None:
    if not isinstance(due_on, datetime.date) or due_on not in item.due_dates(due_on, due_on):
        raise ValidationError(
            {"due_on": f"{due_on} is not a due date of “{item.topic}”; choose one from the plan."}
        )


@transaction.atomic
def plan_occurrence_mark_done(
    *,
    item: CommunicationPlanItem,
    due_on: datetime.date,
    actor: Membership,
    note: str,
    done_on: datetime.date | None = None,
) -> PlanOccurrence:
    """Record that a planned communication happened (a meeting, a noticeboard, ...), saying how.
    The communicator or a plan editor may; once recorded it is not recorded again."""
    if not permissions.can_fulfil(actor, item):
        raise NotAllowed(
            "Only the item's communicator, a quality manager, an executive or an administrator "
            "records that it was done."
        )
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": "Say how it was communicated (e.g. “briefing, 24 people”)."})
    if len(note) > 500:
        raise ValidationError({"note": "Keep the note under 500 characters."})
    _check_due_date(item, due_on)
    today = timezone.localdate()
    done_on = done_on or today
    if done_on > today:
        raise ValidationError({"done_on": "The date it was done cannot be in the future."})
    if PlanOccurrence.objects.filter(item=item, due_on=due_on).exists():
        raise TransitionError(f"“{item.topic}” due {due_on:%d %b %Y} is already recorded as done.")
    occurrence = PlanOccurrence(
        organization_id=item.organization_id,
        item=item,
        due_on=due_on,
        done_on=done_on,
        note=note,
        done_by=actor,
    )
    occurrence.full_clean()
    occurrence._history_user = actor.user
    occurrence.save()
    return occurrence


# --- announcements ------------------------------------------------------------------------------


def audience(
    *, organization_id: int, units: Iterable[OrgUnit], roles: Iterable[str]
) -> Iterable[Membership]:
    """Current members an announcement to `units` (with their subtrees) and `roles` reaches:
    in any of the units, if any are given, and holding one of the roles, if any are given.
    Auditors are outside the organisation's staff and are reached only when named as a role."""
    members = Membership.objects.current().filter(organization_id=organization_id)
    units = list(units)
    if units:
        in_units = Q()
        for unit in units:
            in_units |= Q(org_unit__path__startswith=unit.path)
        members = members.filter(in_units)
    roles = list(roles)
    members = members.filter(role__in=roles) if roles else members.exclude(role=Role.AUDITOR)
    return members


@transaction.atomic
def announcement_publish(
    *,
    author: Membership,
    title: str,
    body: str,
    target_units: Iterable[OrgUnit] = (),
    target_roles: Iterable[str] = (),
    plan_item: CommunicationPlanItem | None = None,
    plan_due_on: datetime.date | None = None,
    corrects: Announcement | None = None,
) -> Announcement:
    """Publish a quality update: resolve its audience into one receipt per member, record the
    plan occurrence it fulfils (if any), and queue its delivery (in the app and by e-mail) once
    the transaction commits. Published announcements never change; correct one by publishing a
    new one that names it in `corrects`."""
    if not permissions.can_publish(author):
        raise NotAllowed("Only executives and quality managers publish announcements.")
    organization_id = author.organization_id
    units = _check_units(target_units, organization_id, "target_units")
    announcement = Announcement(
        organization_id=organization_id,
        title=(title or "").strip(),
        body=(body or "").strip(),
        author=author,
        published_at=timezone.now(),
        target_roles=list(target_roles or []),
        corrects=corrects,
    )
    if corrects is not None and corrects.organization_id != organization_id:
        raise ValidationError({"corrects": "Choose an announcement of this organisation."})
    if plan_item is not None:
        if plan_item.organization_id != organization_id:
            raise ValidationError({"plan_item": "Choose an item of this organisation's plan."})
        if plan_due_on is None:
            raise ValidationError(
                {"plan_due_on": "Say which due date of the plan item it fulfils."}
            )
        _check_due_date(plan_item, plan_due_on)
    announcement.full_clean(exclude=["plan_occurrence"])
    recipients = list(
        audience(organization_id=organization_id, units=units, roles=announcement.target_roles)
        .order_by("pk")
        .values_list("pk", "org_unit_id")
    )
    if not recipients:
        raise ValidationError(
            {"target_units": "Nobody is in this audience; choose other units or roles."}
        )
    if plan_item is not None:
        occurrence, _ = PlanOccurrence.objects.get_or_create(
            item=plan_item,
            due_on=plan_due_on,
            defaults={
                "organization_id": organization_id,
                "done_on": timezone.localdate(),
                "note": f"Announcement: {announcement.title}"[:500],
                "done_by": author,
            },
        )
        announcement.plan_occurrence = occurrence
    announcement.recipients_count = len(recipients)
    announcement._history_user = author.user
    announcement.save()
    announcement.target_units.set(units)
    AnnouncementRecipient.objects.bulk_create(
        [
            AnnouncementRecipient(
                organization_id=organization_id,
                announcement=announcement,
                membership_id=membership_id,
                org_unit_id=unit_id,
            )
            for membership_id, unit_id in recipients
        ],
        batch_size=BATCH_SIZE,
    )
    from leadership.communication.tasks import deliver_announcement

    announcement_id = announcement.pk
    enqueue(deliver_announcement, announcement_id)
    return announcement


def announcement_mark_read(*, announcement: Announcement, membership: Membership) -> bool:
    """Record that the member opened it (the first time only) and clear its notification.
    Returns whether this was the first reading. Members it was not sent to leave no receipt."""
    now = timezone.now()
    first = AnnouncementRecipient.objects.filter(
        announcement=announcement, membership=membership, read_at__isnull=True
    ).update(read_at=now)
    if first:
        Notification.objects.filter(
            recipient=membership,
            kind=ANNOUNCEMENT_KIND,
            subject_key=subject_key(announcement.pk),
            read_at__isnull=True,
        ).update(read_at=now)
    return bool(first)


def subject_key(announcement_id: int) -> str:
    return f"communication.announcement:{announcement_id}"


def announcement_deliver(*, announcement_id: int) -> int:
    """Tell each recipient in the app (a notification, e-mailed by the notifications framework).
    Idempotent per member: receipts already notified are skipped and the notification's unique
    key refuses a second row, so running it twice, or two workers at once, tell each member once.
    Works in batches of bulk inserts. Returns the number of members notified by this run."""
    from qms.core.notifications.services import notifications_deliver

    announcement = (
        Announcement.objects.select_related("organization", "author__user")
        .filter(pk=announcement_id)
        .first()
    )
    if announcement is None:
        return 0
    url = reverse(
        "communication:announcement", args=[announcement.organization.slug, announcement.pk]
    )
    key = subject_key(announcement.pk)
    author = announcement.author.display_name
    body = (
        f"{author} published a quality update. Open it to read it; opening it confirms you read it."
    )
    notified = 0
    pending = AnnouncementRecipient.objects.filter(
        announcement=announcement, notified_at__isnull=True
    ).select_related("membership__user")
    while True:
        batch = list(pending.order_by("pk")[:BATCH_SIZE])
        if not batch:
            break
        member_ids = [row.membership_id for row in batch]
        muted = set(
            NotificationPreference.objects.filter(
                membership_id__in=member_ids, kind=ANNOUNCEMENT_KIND, muted=True
            ).values_list("membership_id", flat=True)
        )
        Notification.objects.bulk_create(
            [
                Notification(
                    organization_id=announcement.organization_id,
                    recipient_id=row.membership_id,
                    kind=ANNOUNCEMENT_KIND,
                    subject_key=key,
                    occasion="published",
                    title=f"Quality update: {announcement.title}"[:200],
                    body=body,
                    url=url,
                    email_status=(
                        EmailStatus.PENDING if row.membership.user.email else EmailStatus.NOT_SENT
                    ),
                )
                for row in batch
                if row.membership_id not in muted
            ],
            ignore_conflicts=True,
        )
        notified += AnnouncementRecipient.objects.filter(
            pk__in=[row.pk for row in batch], notified_at__isnull=True
        ).update(notified_at=timezone.now())
    notifications_deliver(organization=announcement.organization)
    return notified
