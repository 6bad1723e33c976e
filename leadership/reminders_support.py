"""Reminders of competence, training and the certificate, on the existing notification rules
(each exactly once: the notification's key is recipient, kind, subject and occasion).

- competence expiring: `COMPETENCE_EXPIRY_REMINDER_DAYS` (default 60) days before a member's
  competence lapses, to the member and the quality managers, once per expiry date;
- training effectiveness evaluation due: on the session's evaluation date, to the quality
  managers, once per session;
- certification audit coming: at each of the certificate's lead times before a planned audit
  (only the nearest lead time passed, so a late first run sends one, not three);
- certificate expiring: likewise at the certificate's expiry lead times.
Registered from LeadershipConfig.ready() through `register()`.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator

from django.conf import settings
from django.urls import reverse
from django.utils import formats

from leadership.models import Certificate, CertificationAudit, CompetenceRecord
from leadership.models.certification import parse_lead_times
from leadership.selectors.training import evaluations_due
from qms.core.models import Membership, Organization
from qms.core.notifications.registry import NotificationSpec, register_kind, register_rule
from qms.core.roles import Role

COMPETENCE_EXPIRING = "competence-expiring"
TRAINING_EVALUATION_DUE = "training-evaluation-due"
CERTIFICATION_AUDIT_COMING = "certification-audit-coming"
CERTIFICATE_EXPIRING = "certificate-expiring"


def expiry_reminder_days() -> int:
    return getattr(settings, "COMPETENCE_EXPIRY_REMINDER_DAYS", 60)


def _quality_team(organization: Organization, *roles: str) -> list[Membership]:
    team = list(
        Membership.objects.for_organization(organization)
        .current()
        .with_role(Role.QUALITY_MANAGER, *roles)
        .select_related("user")
    )
    return team or list(
        Membership.objects.for_organization(organization)
        .current()
        .with_role(Role.ADMIN)
        .select_related("user")
    )


def _day(day: datetime.date) -> str:
    return formats.date_format(day, "j M Y")


def competence_expiry_reminders(
    organization: Organization, today: datetime.date
) -> Iterator[NotificationSpec]:
    horizon = today + datetime.timedelta(days=expiry_reminder_days())
    expiring = list(
        CompetenceRecord.objects.for_organization(organization)
        .in_force(today)
        .filter(expires_on__lte=horizon, membership__is_active=True)
        .select_related("competence", "membership__user")
    )
    if not expiring:
        return
    # A renewed record (same member and competence, valid for longer) means nothing lapses.
    renewed = set(
        CompetenceRecord.objects.for_organization(organization)
        .in_force(today)
        .exclude(expires_on__lte=horizon)
        .values_list("membership_id", "competence_id")
    )
    team = _quality_team(organization)
    url = reverse("leadership:competence-matrix", kwargs={"org_slug": organization.slug})
    for record in expiring:
        if (record.membership_id, record.competence_id) in renewed:
            continue
        member = record.membership
        for recipient in {member.pk: member, **{m.pk: m for m in team}}.values():
            whose = "Your" if recipient.pk == member.pk else f"{member.display_name}'s"
            yield NotificationSpec(
                recipient=recipient,
                kind=COMPETENCE_EXPIRING,
                subject=record,
                occasion=f"expires-{record.expires_on.isoformat()}",
                title=f"{whose} competence {record.competence.name} expires on "
                f"{_day(record.expires_on)}",
                body="Plan the renewal (training, assessment or requalification) and record "
                "it before then, or the competence matrix shows a gap.",
                url=url,
            )


def training_evaluation_reminders(
    organization: Organization, today: datetime.date
) -> Iterator[NotificationSpec]:
    due = list(evaluations_due(organization=organization, today=today))
    if not due:
        return
    sessions: dict[int, tuple] = {}
    for attendance in due:
        session = attendance.session
        sessions.setdefault(session.pk, (session, []))[1].append(attendance)
    team = _quality_team(organization)
    for session, waiting in sessions.values():
        url = reverse(
            "leadership:training-detail", kwargs={"org_slug": organization.slug, "pk": session.pk}
        )
        for recipient in team:
            yield NotificationSpec(
                recipient=recipient,
                kind=TRAINING_EVALUATION_DUE,
                subject=session,
                occasion="evaluation-due",
                title=f"Evaluate whether the training {session.topic} worked",
                body=f"{len(waiting)} attendee{'' if len(waiting) == 1 else 's'} of the session "
                f"of {_day(session.held_on)} await{'s' if len(waiting) == 1 else ''} the "
                "effectiveness evaluation due "
                f"{_day(session.evaluation_due_on)}.",
                url=url,
            )


def _nearest_lead_time(text: str, target: datetime.date, today: datetime.date) -> int | None:
    """The smallest lead time whose day has come (target - days <= today), if any."""
    passed = [days for days in parse_lead_times(text) if today >= target - datetime.timedelta(days)]
    return min(passed) if passed else None


def certificate_reminders(
    organization: Organization, today: datetime.date
) -> Iterator[NotificationSpec]:
    certificates = list(
        Certificate.objects.for_organization(organization).filter(
            status=Certificate.Status.ACTIVE, expires_on__gte=today
        )
    )
    if not certificates:
        return
    team = _quality_team(organization, Role.EXECUTIVE)
    url = reverse("leadership:certificate", kwargs={"org_slug": organization.slug})
    audits = CertificationAudit.objects.filter(
        certificate__in=certificates, held_on__isnull=True, planned_on__gte=today
    ).select_related("certificate")
    for audit in audits:
        days = _nearest_lead_time(audit.certificate.audit_reminder_days, audit.planned_on, today)
        if days is None:
            continue
        for recipient in team:
            yield NotificationSpec(
                recipient=recipient,
                kind=CERTIFICATION_AUDIT_COMING,
                subject=audit,
                occasion=f"{audit.planned_on.isoformat()}-{days}d",
                title=f"{audit.get_kind_display()} audit on {_day(audit.planned_on)}",
                body=f"The {audit.certificate.certification_body} audit of certificate "
                f"{audit.certificate.number} is planned for {_day(audit.planned_on)}. Check "
                "that open findings and actions are closed and the evidence pack is ready.",
                url=url,
            )
    for certificate in certificates:
        days = _nearest_lead_time(certificate.expiry_reminder_days, certificate.expires_on, today)
        if days is None:
            continue
        for recipient in team:
            yield NotificationSpec(
                recipient=recipient,
                kind=CERTIFICATE_EXPIRING,
                subject=certificate,
                occasion=f"{certificate.expires_on.isoformat()}-{days}d",
                title=f"The {certificate.standard} certificate expires on "
                f"{_day(certificate.expires_on)}",
                body=f"Certificate {certificate.number} from {certificate.certification_body} "
                "expires then; make sure the recertification audit is planned.",
                url=url,
            )


def register() -> None:
    register_kind(
        COMPETENCE_EXPIRING,
        "Competence expiring",
        description="A member's competence record lapses soon and has not been renewed.",
    )
    register_kind(
        TRAINING_EVALUATION_DUE,
        "Training evaluation due",
        description="Whether a training session worked is due to be evaluated.",
    )
    register_kind(
        CERTIFICATION_AUDIT_COMING,
        "Certification audit coming",
        description="A certification, surveillance or recertification audit is coming up.",
    )
    register_kind(
        CERTIFICATE_EXPIRING,
        "Certificate expiring",
        critical=True,
        description="The ISO 9001 certificate expires soon.",
    )
    register_rule(competence_expiry_reminders)
    register_rule(training_evaluation_reminders)
    register_rule(certificate_reminders)
