"""Writes of notifications: run the rules, create what they ask for (once), deliver e-mails,
mark read, mute. Tasks, the `send_reminders` command, pages and the API all call these."""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.db import IntegrityError, InterfaceError, OperationalError, transaction
from django.db.models import F, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from qms.core.models import Membership, Organization
from qms.core.notifications import digest
from qms.core.notifications.models import EmailStatus, Notification, NotificationPreference
from qms.core.notifications.registry import NotificationSpec, get_kind, kinds, rules, waiting

logger = logging.getLogger(__name__)

# Database trouble is worth a retry of the whole task (with backoff); a bug in one rule is not.
TRANSIENT_DB_ERRORS = (OperationalError, InterfaceError)


def email_max_attempts() -> int:
    return getattr(settings, "NOTIFICATION_EMAIL_MAX_ATTEMPTS", 3)


class RulesFailed(Exception):
    """Some rules raised; the others' notifications were created and delivered all the same."""


@dataclass
class RunReport:
    organizations: int = 0
    created: int = 0
    emailed: int = 0
    email_failures: int = 0
    errors: list[str] = field(default_factory=list)

    def add(self, other: RunReport) -> None:
        self.organizations += other.organizations
        self.created += other.created
        self.emailed += other.emailed
        self.email_failures += other.email_failures
        self.errors.extend(other.errors)

    def as_dict(self) -> dict:
        return {
            "organizations": self.organizations,
            "created": self.created,
            "emailed": self.emailed,
            "email_failures": self.email_failures,
            "errors": self.errors,
        }


# --- running rules ------------------------------------------------------------------------------


def _organizations(organization: Organization | None) -> Iterable[Organization]:
    if organization is not None:
        return [organization] if organization.is_active else []
    return Organization.objects.active().order_by("pk")


def reminders_run(
    *, today: datetime.date, organization: Organization | None = None, raise_errors: bool = True
) -> RunReport:
    """Run every registered rule for each active organisation (or just `organization`), create
    the notifications they ask for that do not exist yet, and e-mail them. A rule that raises is
    logged and skipped; the others still run, and `RulesFailed` is raised at the end (unless
    `raise_errors` is off) so that the task shows as failed."""
    report = RunReport()
    for org in _organizations(organization):
        specs: list[NotificationSpec] = []
        try:
            # Waiting decisions: told once, and resolved here too if taken by a path that did not
            # refresh them (an admin edit, a data fix).
            report.created += waiting_refresh(organization=org, today=today, deliver=False)
        except TRANSIENT_DB_ERRORS:
            raise
        except Exception as error:
            logger.exception("Waiting decisions failed for %s", org.slug)
            report.errors.append(f"{org.slug}: waiting decisions: {error}")
        for rule in rules():
            try:
                specs.extend(rule(org, today))
            except TRANSIENT_DB_ERRORS:
                raise
            except Exception as error:  # one broken rule must not silence the others
                logger.exception("Notification rule %s failed for %s", rule.__name__, org.slug)
                report.errors.append(f"{org.slug}: {rule.__module__}.{rule.__name__}: {error}")
        report.add(_create_and_deliver(org, specs, today))
    if report.errors and raise_errors:
        raise RulesFailed("; ".join(report.errors))
    return report


def digest_run(*, today: datetime.date, organization: Organization | None = None) -> RunReport:
    """Create and e-mail this ISO week's digest for each executive (once per week)."""
    report = RunReport()
    for org in _organizations(organization):
        report.add(_create_and_deliver(org, digest.digest_specs(org, today), today))
    return report


def _create_and_deliver(
    organization: Organization, specs: list[NotificationSpec], today: datetime.date
) -> RunReport:
    report = RunReport(organizations=1)
    report.created += len(notifications_create(organization=organization, specs=specs, today=today))
    delivered = notifications_deliver(organization=organization)
    report.emailed, report.email_failures = delivered
    return report


# --- creating -----------------------------------------------------------------------------------


def notifications_create(
    *, organization: Organization, specs: Iterable[NotificationSpec], today: datetime.date
) -> list[Notification]:
    """Create the notifications among `specs` that do not exist yet and return those created.

    Skipped: recipients who are not current members of `organization`, and non-critical kinds the
    recipient muted (muted notifications are neither listed nor e-mailed, and not stored: if the
    member unmutes, what is still due reaches them on the next run). A row created meanwhile by a
    concurrent run hits the unique constraint and is skipped, so each exists once."""
    wanted: dict[tuple, NotificationSpec] = {}
    for spec in specs:
        wanted.setdefault(spec.key(), spec)
    if not wanted:
        return []
    recipient_ids = {key[0] for key in wanted}
    current = set(
        Membership.objects.current(today)
        .filter(organization=organization, organization__is_active=True, pk__in=recipient_ids)
        .values_list("pk", flat=True)
    )
    muted = set(
        NotificationPreference.objects.filter(membership_id__in=current, muted=True).values_list(
            "membership_id", "kind"
        )
    )
    existing = set(
        Notification.objects.filter(
            recipient_id__in=current,
            kind__in={key[1] for key in wanted},
            occasion__in={key[3] for key in wanted},
        ).values_list("recipient_id", "kind", "subject_key", "occasion")
    )
    created = []
    for key, spec in wanted.items():
        recipient_id, kind_key, subject_key, occasion = key
        kind = get_kind(kind_key)
        if recipient_id not in current or key in existing:
            continue
        if not kind.critical and (recipient_id, kind_key) in muted:
            continue
        notification = Notification(
            organization=organization,
            recipient=spec.recipient,
            kind=kind_key,
            subject_key=subject_key,
            occasion=occasion,
            title=spec.title[:200],
            body=spec.body,
            url=spec.url[:500],
            is_critical=kind.critical,
            email_status=EmailStatus.PENDING if spec.recipient.user.email else EmailStatus.NOT_SENT,
        )
        if spec.subject is not None:
            notification.subject_type = ContentType.objects.get_for_model(spec.subject)
            notification.subject_id = spec.subject.pk
        try:
            with transaction.atomic():
                notification.save()
        except IntegrityError:
            continue  # another worker created it first
        created.append(notification)
    return created


# --- decisions that wait for someone ----------------------------------------------------------


def waiting_refresh(
    *,
    organization: Organization,
    about=None,
    today: datetime.date | None = None,
    deliver: bool = True,
) -> int:
    """Bring the notifications of waiting decisions in line with what waits now: each person who
    must take a decision is told once (the spec's key makes it idempotent), and a notification
    whose decision is no longer waiting (taken by its recipient or by anyone else entitled, or
    no longer theirs to take) is resolved: marked read and done, so it leaves the unread count,
    the bell and the digest. `about`: the record (or model) just changed, to refresh only the
    kinds it may touch; None refreshes all. Call it from the service that takes or opens the
    decision, inside its transaction. Returns how many notifications were created."""
    today = today or timezone.localdate()
    found = waiting(about)
    if not found:
        return 0
    specs: list[NotificationSpec] = []
    for decision in found:
        specs.extend(
            spec for spec in decision.finder(organization, today) if spec.kind == decision.kind
        )
    created = notifications_create(organization=organization, specs=specs, today=today)
    notifications_resolve_taken(
        organization=organization,
        kinds={decision.kind for decision in found},
        still_waiting={spec.key() for spec in specs},
    )
    if created and deliver:
        from qms.core.notifications.tasks import deliver_notifications
        from qms.core.outbox import enqueue

        enqueue(deliver_notifications, organization.pk)
    return len(created)


def notifications_resolve_taken(
    *, organization: Organization, kinds: Iterable[str], still_waiting: set[tuple]
) -> int:
    """Resolve the unresolved notifications of `kinds` whose (recipient, kind, subject key,
    occasion) is not among `still_waiting`; returns how many."""
    candidates = Notification.objects.filter(
        organization=organization, kind__in=set(kinds), resolved_at__isnull=True
    ).values_list("pk", "recipient_id", "kind", "subject_key", "occasion")
    taken = [pk for pk, *key in candidates if tuple(key) not in still_waiting]
    if not taken:
        return 0
    now = timezone.now()
    return Notification.objects.filter(pk__in=taken, resolved_at__isnull=True).update(
        resolved_at=now, read_at=Coalesce("read_at", Value(now))
    )


# --- delivering ---------------------------------------------------------------------------------


def notifications_deliver(*, organization: Organization) -> tuple[int, int]:
    """E-mail the organisation's notifications waiting for it (new ones, and failed ones with
    attempts left); returns (sent, failed). Each row is claimed with a conditional UPDATE before
    sending, so two workers never send the same one. A failure for one recipient is recorded on
    its row and logged; the others are still sent. A worker that dies mid-send leaves its row
    "sending", never re-sent: at most once rather than twice."""
    pending = list(
        Notification.objects.filter(
            organization=organization,
            email_status__in=[EmailStatus.PENDING, EmailStatus.FAILED],
            email_attempts__lt=email_max_attempts(),
            resolved_at__isnull=True,  # a decision already taken needs no e-mail
        )
        .select_related("recipient__user", "organization")
        .order_by("pk")
    )
    if not pending:
        return 0, 0
    sent = failed = 0
    connection = mail.get_connection()
    for notification in pending:
        claimed = Notification.objects.filter(
            pk=notification.pk,
            email_status__in=[EmailStatus.PENDING, EmailStatus.FAILED],
            email_attempts__lt=email_max_attempts(),
        ).update(email_status=EmailStatus.SENDING, email_attempts=F("email_attempts") + 1)
        if not claimed:
            continue  # another worker has it
        try:
            _send(notification, connection)
        except Exception as error:  # any failure stays on this row; the others go on
            failed += 1
            logger.warning(
                "E-mail of notification %s to member %s failed: %s",
                notification.pk,
                notification.recipient_id,
                error,
            )
            Notification.objects.filter(pk=notification.pk).update(
                email_status=EmailStatus.FAILED, email_error=f"{type(error).__name__}: {error}"
            )
            continue
        sent += 1
        Notification.objects.filter(pk=notification.pk).update(
            email_status=EmailStatus.SENT, emailed_at=timezone.now(), email_error=""
        )
    return sent, failed


def absolute_url(path: str) -> str:
    """Links in e-mails need the site's address: `QMS_BASE_URL`, e.g. https://qms.example.com."""
    if not path or "://" in path:
        return path
    return getattr(settings, "QMS_BASE_URL", "").rstrip("/") + path


def _send(notification: Notification, connection) -> None:
    lines = [notification.body.strip()] if notification.body.strip() else []
    if notification.url:
        lines.append(f"Open: {absolute_url(notification.url)}")
    # The kind is said once, here at the foot (as the list says it beside the date): the
    # title is the news itself ("ACT-0012 is 92 days overdue"), not "Escalation: ...".
    footer = (
        f"— QMS leadership dashboard, {notification.organization.name}: {notification.kind_label}."
    )
    lines.append(
        f"{footer} You can mute reminders of this kind in your notification settings."
        if not notification.is_critical
        else f"{footer} Always delivered."
    )
    mail.send_mail(
        subject=notification.title,
        message="\n\n".join(lines),
        from_email=None,
        recipient_list=[notification.recipient.user.email],
        connection=connection,
    )


# --- reading and muting -------------------------------------------------------------------------


def notification_mark_read(*, notification: Notification) -> Notification:
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=notification.read_at
        )
    return notification


def notifications_mark_all_read(*, membership: Membership) -> int:
    return Notification.objects.for_recipient(membership).unread().update(read_at=timezone.now())


def notification_preferences_set(*, membership: Membership, muted_kinds: Iterable[str]) -> None:
    """Mute exactly `muted_kinds` among the registered non-critical kinds; unmute the rest.
    Critical kinds (escalations) cannot be muted and are ignored."""
    mutable = {kind.key for kind in kinds() if not kind.critical}
    muted = set(muted_kinds) & mutable
    with transaction.atomic():
        for key in mutable:
            NotificationPreference.objects.update_or_create(
                membership=membership, kind=key, defaults={"muted": key in muted}
            )
