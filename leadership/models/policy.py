"""The quality policy (ISO 9001 5.2): versions with their approval, commitments, and
acknowledgements by members (7.3 awareness)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from objectives.models import QualityObjective
from qms.core.immutable import FrozenFieldsMixin
from qms.core.models import BaseModel, Membership, Organization, OrganizationScopedQuerySet


class QualityPolicy(BaseModel):
    """The organisation's quality policy: one per organisation, with versions."""

    organization = models.OneToOneField(
        Organization, on_delete=models.CASCADE, related_name="quality_policy"
    )
    title = models.CharField(max_length=200, default="Quality policy")

    history = HistoricalRecords()
    objects = OrganizationScopedQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "quality policies"

    def __str__(self) -> str:
        return f"{self.title} ({self.organization})"


class PolicyVersionQuerySet(OrganizationScopedQuerySet):
    def published(self):
        return self.filter(status=PolicyVersion.Status.PUBLISHED)


class PolicyVersion(FrozenFieldsMixin, BaseModel):
    """One version of the policy text. Draft → submitted → approved (by an executive) →
    published (superseding the previous one). Approved text never changes; a change is a new
    draft."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted for approval"
        APPROVED = "approved", "Approved, not yet published"
        PUBLISHED = "published", "Published (in force)"
        SUPERSEDED = "superseded", "Superseded"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    policy = models.ForeignKey(QualityPolicy, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    text = models.TextField(blank=True, help_text="Markdown: headings, lists, emphasis and links.")
    change_summary = models.CharField(max_length=300, blank=True)
    is_material_change = models.BooleanField(
        default=True,
        help_text="Every member acknowledges it again. Untick for a wording fix: "
        "acknowledgements of the version in force carry over.",
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        Membership,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="approved_policy_versions",
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    approval_comment = models.CharField(max_length=500, blank=True)
    returned_comment = models.CharField(
        max_length=500, blank=True, help_text="Why an executive sent the draft back."
    )
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    superseded_at = models.DateTimeField(null=True, blank=True)

    frozen_fields = (
        "text",
        "number",
        "is_material_change",
        "approved_by_id",
        "approved_at",
        "approval_comment",
    )
    history = HistoricalRecords()
    objects = PolicyVersionQuerySet.as_manager()

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["policy", "number"], name="policyversion_number_unique"
            ),
            # At most one version in force, and at most one being worked on, per policy.
            models.UniqueConstraint(
                fields=["policy"],
                condition=Q(status="published"),
                name="policyversion_one_published",
            ),
            models.UniqueConstraint(
                fields=["policy"],
                condition=Q(status__in=["draft", "submitted", "approved"]),
                name="policyversion_one_open",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "submitted"])
                | (Q(approved_by__isnull=False) & Q(approved_at__isnull=False)),
                name="policyversion_approved_has_approver",
            ),
        ]

    def __str__(self) -> str:
        return f"Quality policy v{self.number} ({self.get_status_display().lower()})"

    def is_frozen(self) -> bool:
        return self.status not in (self.Status.DRAFT, self.Status.SUBMITTED)


class PolicyCommitment(BaseModel):
    """A commitment the policy makes (5.2.1 c, d and the organisation's own), with the objectives
    that serve it. A commitment served by no active objective is flagged."""

    class Kind(models.TextChoices):
        REQUIREMENTS = "requirements", "Satisfy applicable requirements"
        IMPROVEMENT = "improvement", "Continual improvement of the QMS"
        OWN = "own", "The organisation's own"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    policy = models.ForeignKey(QualityPolicy, on_delete=models.CASCADE, related_name="commitments")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.OWN)
    text = models.CharField(max_length=300)
    objectives = models.ManyToManyField(QualityObjective, blank=True, related_name="+")
    order = models.PositiveSmallIntegerField(default=0)

    history = HistoricalRecords(m2m_fields=[objectives])
    objects = OrganizationScopedQuerySet.as_manager()

    class Meta:
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.text


class PolicyAcknowledgement(models.Model):
    """A member confirmed reading a published version (one click, with the time)."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    version = models.ForeignKey(
        PolicyVersion, on_delete=models.PROTECT, related_name="acknowledgements"
    )
    membership = models.ForeignKey(
        Membership, on_delete=models.CASCADE, related_name="policy_acknowledgements"
    )
    acknowledged_at = models.DateTimeField()
    # Carried over from the version before, when this one was not a material change.
    carried_over = models.BooleanField(default=False)

    history = HistoricalRecords()
    objects = OrganizationScopedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["version", "membership"], name="acknowledgement_once_per_version"
            ),
        ]

    def __str__(self) -> str:
        # Named by who and which version, as people say it: the audit trail shows this name.
        return f"{self.membership.display_name} acknowledged version {self.version.number}"
