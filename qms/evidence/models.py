"""Evidence packs and who looked at what: the only data the evidence app writes.

A pack is evidence in its own right: once built, its file, hashes and signature never change
(`FrozenFieldsMixin`); it may only expire (its file is deleted, the record and its download log
stay). Auditors' page views and exports are logged so the organisation's admins can see them.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from qms.core.immutable import FrozenFieldsMixin
from qms.core.models import BaseModel, Membership, Organization, OrganizationScopedQuerySet, OrgUnit


class PackStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    BUILDING = "building", "Building"
    READY = "ready", "Ready to download"
    FAILED = "failed", "Failed"
    EXPIRED = "expired", "Expired"


class EvidencePack(FrozenFieldsMixin, BaseModel):
    Status = PackStatus

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    requested_by = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="+")
    org_unit = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty for the whole organisation.",
    )
    period_start = models.DateField()
    period_end = models.DateField()
    status = models.CharField(max_length=10, choices=PackStatus.choices, default=PackStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)  # per cent
    progress_text = models.CharField(max_length=200, blank=True)
    error = models.CharField(max_length=500, blank=True)
    file_name = models.CharField(max_length=200, blank=True)  # under MEDIA_ROOT/evidence/
    size = models.PositiveBigIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)  # of the ZIP as downloaded
    manifest_sha256 = models.CharField(max_length=64, blank=True)
    files = models.PositiveIntegerField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    # The key that signed it; empty for packs signed with the platform key used before
    # per-organisation keys.
    signing_key = models.ForeignKey(
        "SigningKey", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = OrganizationScopedQuerySet.as_manager()

    frozen_fields = (
        "organization_id",
        "requested_by_id",
        "org_unit_id",
        "period_start",
        "period_end",
        "file_name",
        "size",
        "sha256",
        "manifest_sha256",
        "files",
        "finished_at",
        "signing_key_id",
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["organization", "-created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="evidence_pack_period_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"Evidence pack {self.period_start:%Y-%m-%d} to {self.period_end:%Y-%m-%d}"

    def is_frozen(self) -> bool:
        return self.status in (PackStatus.READY, PackStatus.EXPIRED)

    @property
    def scope_label(self) -> str:
        return self.org_unit.name if self.org_unit_id else "Whole organisation"

    @property
    def is_running(self) -> bool:
        return self.status in (PackStatus.QUEUED, PackStatus.BUILDING)

    @property
    def is_downloadable(self) -> bool:
        return (
            self.status == PackStatus.READY
            and bool(self.file_name)
            and (self.expires_at is None or self.expires_at > timezone.now())
        )

    @property
    def download_name(self) -> str:
        scope = self.org_unit.code if self.org_unit_id else "all"
        return (
            f"evidence-{self.organization.slug}-{scope}-"
            f"{self.period_start:%Y%m%d}-{self.period_end:%Y%m%d}.zip"
        )


class PackDownload(models.Model):
    """Each download of a pack: who, when (an auditor's export is also in the access log)."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    pack = models.ForeignKey(EvidencePack, on_delete=models.CASCADE, related_name="downloads")
    membership = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    objects = OrganizationScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"Download of pack {self.pack_id} at {self.at:%Y-%m-%d %H:%M}"


class AuditorAccess(models.Model):
    """One request by an auditor: the page or endpoint, and what it answered. Admins read it."""

    class Kind(models.TextChoices):
        PAGE = "page", "Page view"
        API = "api", "API call"
        EXPORT = "export", "Export or download"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)
    status_code = models.PositiveSmallIntegerField()

    objects = OrganizationScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["organization", "-at"])]
        verbose_name_plural = "auditor access"

    def __str__(self) -> str:
        return f"{self.method} {self.path} at {self.at:%Y-%m-%d %H:%M:%S}"


class ReadinessThresholds(BaseModel):
    """An organisation's thresholds for the audit-readiness checks; defaults until edited."""

    organization = models.OneToOneField(
        Organization, on_delete=models.CASCADE, related_name="readiness_thresholds"
    )
    policy_review_months = models.PositiveSmallIntegerField(
        default=12, help_text="The policy is approved or reviewed at least this often."
    )
    acknowledgement_percent = models.PositiveSmallIntegerField(
        default=90, help_text="Share of staff who acknowledged the policy in force."
    )
    action_overdue_days = models.PositiveSmallIntegerField(
        default=30, help_text="No action may be overdue by more than this many days."
    )
    communication_on_time_percent = models.PositiveSmallIntegerField(
        default=80, help_text="Share of planned communications done on time (last 12 months)."
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "readiness thresholds"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(acknowledgement_percent__lte=100)
                & models.Q(communication_on_time_percent__lte=100),
                name="readiness_percent_at_most_100",
            ),
        ]

    def __str__(self) -> str:
        return f"Readiness thresholds of {self.organization}"


class SigningKey(BaseModel):
    """An Ed25519 key that signs one organisation's evidence packs.

    Each organisation has its own, so its public key vouches for its packs only. The private
    key is kept sealed (AES-GCM under a key derived from EVIDENCE_KEY_ENCRYPTION_KEY or
    SECRET_KEY, see `qms.evidence.signing`); when the key is rotated it is retired, its private
    half is erased and its public half kept, so the packs it signed still verify. A row with no
    organisation is the platform key that signed every organisation's packs before
    per-organisation keys (public half only)."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    fingerprint = models.CharField(max_length=64, unique=True)  # SHA-256 of the raw public key
    public_key = models.TextField()  # PEM, SubjectPublicKeyInfo
    private_key_sealed = models.BinaryField(null=True, editable=False)
    created_by = models.CharField(max_length=200, blank=True)
    retired_at = models.DateTimeField(null=True, blank=True)
    retired_by = models.CharField(max_length=200, blank=True)
    # Retired because it may have leaked: no pack it signed verifies any more (one retired on
    # schedule still vouches for the packs made before its retirement).
    revoked = models.BooleanField(default=False)

    history = HistoricalRecords(excluded_fields=["private_key_sealed"])
    objects = OrganizationScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization"],
                condition=models.Q(retired_at__isnull=True, organization__isnull=False),
                name="evidence_one_current_signing_key_per_organization",
            ),
        ]

    def __str__(self) -> str:
        return f"Evidence signing key {self.fingerprint[:16]}"

    @property
    def is_platform_key(self) -> bool:
        return self.organization_id is None
