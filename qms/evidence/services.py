"""Writes of the evidence app: request a pack, build it (from the Celery task), log downloads,
expire old packs, log auditors' requests."""

from __future__ import annotations

import datetime
import logging
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from qms.core.immutable import NotAllowed
from qms.core.models import Membership, OrgUnit
from qms.core.outbox import enqueue, outbox_waiting_ids
from qms.core.roles import Role
from qms.core.tenancy import audit_scope
from qms.core.webhooks.services import emit
from qms.evidence import builder, signing
from qms.evidence.models import AuditorAccess, EvidencePack, PackDownload, PackStatus
from qms.evidence.permissions import EXPORT_ROLES
from qms.evidence.sections import Scope

log = logging.getLogger(__name__)


def check_period(start, end, today: datetime.date) -> None:
    errors = {}
    if not isinstance(start, datetime.date):
        errors["period_start"] = "Give the first day as a date, e.g. 2025-01-01."
    if not isinstance(end, datetime.date):
        errors["period_end"] = "Give the last day as a date, e.g. 2025-12-31."
    if not errors:
        if end < start:
            errors["period_end"] = "The last day comes after the first day."
        elif end > today:
            errors["period_end"] = "A pack covers days that have passed: end it today at latest."
        elif (end - start).days + 1 > settings.EVIDENCE_MAX_PERIOD_DAYS:
            errors["period_end"] = (
                f"A pack covers at most {settings.EVIDENCE_MAX_PERIOD_DAYS} days: "
                "request several packs for a longer time."
            )
    if errors:
        raise ValidationError(errors)


def allowed_unit(membership: Membership, unit: OrgUnit | None) -> OrgUnit | None:
    """An auditor given a unit sees that subtree only: their pack is scoped to it at most."""
    if unit is not None and unit.organization_id != membership.organization_id:
        raise ValidationError({"org_unit": "Choose a unit of this organisation."})
    limit = audit_scope(membership)  # the unit-auditor rule (None: the whole organisation)
    if limit is None:
        return unit
    if unit is None:
        return limit
    if not unit.path.startswith(limit.path):
        raise ValidationError(
            {"org_unit": f"Your audit access covers {limit.name} and the units under it."}
        )
    return unit


@transaction.atomic
def pack_request(
    *,
    membership: Membership,
    period_start: datetime.date,
    period_end: datetime.date,
    org_unit: OrgUnit | None = None,
    today: datetime.date | None = None,
) -> EvidencePack:
    """Queue a pack; the build runs in the background (`qms.evidence.tasks.build_pack`)."""
    if membership.role not in EXPORT_ROLES:
        raise NotAllowed("Only auditors, quality managers, executives and admins export packs.")
    today = today or timezone.localdate()
    check_period(period_start, period_end, today)
    pack = EvidencePack(
        organization=membership.organization,
        requested_by=membership,
        org_unit=allowed_unit(membership, org_unit),
        period_start=period_start,
        period_end=period_end,
    )
    pack.full_clean()
    pack.save()
    from qms.evidence.tasks import build_pack

    enqueue(build_pack, pack.pk)
    return pack


def _progress(pack_id: int):
    def report(percent: int, text: str) -> None:
        EvidencePack.objects.filter(pk=pack_id).update(
            progress=percent, progress_text=text[:200], status=PackStatus.BUILDING
        )

    return report


def pack_build(pack: EvidencePack) -> EvidencePack:
    """Build a queued pack. Idempotent: a pack already built (or expired) is left alone; a pack
    whose build was interrupted is built again from nothing."""
    if pack.status in (PackStatus.READY, PackStatus.EXPIRED):
        return pack
    # A unit's pack (an auditor limited to a unit gets theirs) holds only that unit's records.
    scope = Scope(pack.organization, pack.org_unit, pack.period_start, pack.period_end)
    out = builder.storage_dir() / f"{pack.uuid}.zip"
    try:
        built = builder.build(
            scope,
            out,
            created_by=pack.requested_by.display_name,
            created_at=pack.created_at,
            progress=_progress(pack.pk),
        )
    except Exception as error:  # the page shows it; the log keeps the details
        log.exception("Evidence pack %s failed", pack.pk)
        EvidencePack.objects.filter(pk=pack.pk).update(
            status=PackStatus.FAILED,
            error="The pack could not be built. Request it again; if it fails again, tell "
            f"your administrator (reference {pack.uuid}).",
        )
        raise error
    now = timezone.now()
    pack.refresh_from_db()
    pack.status = PackStatus.READY
    pack.error = ""  # from an earlier attempt that failed
    pack.progress = 100
    pack.progress_text = "Ready"
    pack.file_name = out.name
    pack.size = built.size
    pack.sha256 = built.sha256
    pack.manifest_sha256 = built.manifest_sha256
    pack.files = built.files
    pack.signing_key = built.signing_key
    pack.finished_at = now
    pack.expires_at = now + datetime.timedelta(days=settings.EVIDENCE_PACK_EXPIRY_DAYS)
    # Ready and announced together: a worker killed in between would otherwise leave a ready
    # pack whose webhook a retry never sends (a ready pack is left alone).
    with transaction.atomic():
        pack.save()
        emit(
            pack.organization_id,
            "evidence_pack.ready",
            f"evidence-pack:{pack.uuid}",
            {"pack": str(pack.uuid), "scope": pack.scope_label,
             "period": [pack.period_start.isoformat(), pack.period_end.isoformat()],
             "sha256": pack.sha256, "expires_at": pack.expires_at.isoformat()},
        )  # fmt: skip
    return pack


def pack_path(pack: EvidencePack) -> Path:
    return builder.storage_dir() / pack.file_name


def pack_download(*, pack: EvidencePack, membership: Membership) -> Path:
    if membership.role not in EXPORT_ROLES:
        raise NotAllowed("Only auditors, quality managers, executives and admins download packs.")
    if not pack.is_downloadable:
        raise ValidationError("This pack is not available for download (not ready, or expired).")
    PackDownload.objects.create(
        organization_id=pack.organization_id, pack=pack, membership=membership
    )
    return pack_path(pack)


INTERRUPTED = (
    "The build was interrupted (the background worker stopped before it finished). Request "
    "the pack again."
)


def packs_expire(now: datetime.datetime | None = None) -> int:
    """Delete the files of packs past their expiry; the records and download logs stay. Also
    give up on packs still queued or building long after any build could have finished: their
    worker died and the task was lost (the embedded broker does not redeliver)."""
    now = now or timezone.now()
    expired = 0
    for pack in EvidencePack.objects.filter(status=PackStatus.READY, expires_at__lte=now):
        pack_path(pack).unlink(missing_ok=True)
        EvidencePack.objects.filter(pk=pack.pk).update(status=PackStatus.EXPIRED)
        expired += 1
    packs_fail_stalled(now=now)
    return expired


def packs_fail_stalled(*, now: datetime.datetime) -> int:
    """Mark FAILED the packs queued or building for longer than twice the task time limit, and
    delete what their build left half-written. A late redelivery still builds it (a failed pack
    is built again), so nothing is lost by saying so early."""
    cutoff = now - datetime.timedelta(seconds=2 * settings.CELERY_TASK_TIME_LIMIT)
    from qms.evidence.tasks import build_pack

    stalled = EvidencePack.objects.filter(
        status__in=(PackStatus.QUEUED, PackStatus.BUILDING), created_at__lt=cutoff
    ).exclude(pk__in=outbox_waiting_ids(build_pack))  # its task comes once the broker is back
    failed = 0
    for pack in stalled:
        builder.partial_path(builder.storage_dir() / f"{pack.uuid}.zip").unlink(missing_ok=True)
        failed += EvidencePack.objects.filter(
            pk=pack.pk, status__in=(PackStatus.QUEUED, PackStatus.BUILDING)
        ).update(status=PackStatus.FAILED, error=INTERRUPTED)
    return failed


def auditor_access_log(
    *, membership: Membership, kind: str, method: str, path: str, status_code: int
) -> None:
    AuditorAccess.objects.create(
        organization_id=membership.organization_id,
        membership=membership,
        kind=kind,
        method=method[:10],
        path=path[:500],
        status_code=status_code,
    )


@transaction.atomic
def thresholds_save(*, form, membership: Membership):
    """Save the readiness thresholds edited in `form` (audited: who changed what, when)."""
    if membership.role not in (Role.QUALITY_MANAGER, Role.ADMIN):
        raise NotAllowed("Only quality managers and administrators change thresholds.")
    thresholds = form.save(commit=False)
    thresholds.organization = membership.organization
    thresholds._history_user = membership.user
    thresholds.full_clean()
    thresholds.save()
    return thresholds


def signing_key_rotate(
    *, organization, actor: str, membership: Membership | None = None, leaked: bool = False
):
    """Retire the organisation's signing key and make a new one (admins, or the server's
    administrator with the command). Packs made before still verify with the retired key,
    unless it may have `leaked`: then it is revoked and none of its packs verifies."""
    if membership is not None and (
        membership.role != Role.ADMIN or membership.organization_id != organization.pk
    ):
        raise NotAllowed("Only the organisation's administrators rotate its signing key.")
    return signing.rotate(
        organization,
        actor=actor,
        history_user=membership.user if membership else None,
        leaked=leaked,
    )


def platform_signing_key_revoke(*, actor: str):
    """Revoke the former platform key for every organisation (the server's administrator, with
    the command only: it is no organisation's to revoke). Returns the keys revoked now."""
    return signing.revoke_platform_key(actor=actor)
