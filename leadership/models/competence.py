"""Competence (ISO 9001 7.2): the competences the organisation needs, the level each QMS
responsibility or role requires, and the records of what each member has shown, with evidence
and, where it lapses, an expiry date."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from leadership.models.responsibilities import Responsibility
from qms.core.limits import TOO_LARGE, max_bytes
from qms.core.models import BaseModel, Membership, Organization, OrganizationScopedQuerySet
from qms.core.roles import Role

LEVELS = [(1, "1 Aware"), (2, "2 Practitioner"), (3, "3 Proficient"), (4, "4 Expert")]
ONE_TO_FOUR = [MinValueValidator(1), MaxValueValidator(4)]
# Evidence files: documents and scans only, never anything a browser would run.
EVIDENCE_EXTENSIONS = ["pdf", "png", "jpg", "jpeg", "docx", "xlsx", "pptx", "txt", "csv"]
MAX_ATTACHMENT_BYTES = max_bytes("ATTACHMENT_MAX_BYTES")


def validate_attachment_size(upload) -> None:
    if upload and upload.size > MAX_ATTACHMENT_BYTES:
        raise ValidationError(
            f"The file is larger than {MAX_ATTACHMENT_BYTES // (1024 * 1024)} MB. "
            "Attach a smaller scan or a link in the evidence text.",
            code=TOO_LARGE,
        )


ATTACHMENT_VALIDATORS = [
    FileExtensionValidator(EVIDENCE_EXTENSIONS),
    validate_attachment_size,
]


class Competence(BaseModel):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True, max_length=2000)
    level_1 = models.CharField("level 1 means", max_length=300, blank=True)
    level_2 = models.CharField("level 2 means", max_length=300, blank=True)
    level_3 = models.CharField("level 3 means", max_length=300, blank=True)
    level_4 = models.CharField("level 4 means", max_length=300, blank=True)
    validity_months = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MaxValueValidator(240)],
        help_text="How long a record stays valid, e.g. 24 for a certification. Empty: no expiry.",
    )

    history = HistoricalRecords()
    objects = OrganizationScopedQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="competence_name_unique")
        ]

    def __str__(self) -> str:
        return self.name

    def level_meaning(self, level: int) -> str:
        return getattr(self, f"level_{level}", "") if 1 <= level <= 4 else ""


class CompetenceRequirement(BaseModel):
    """A competence at a level that a QMS responsibility (5.3) or a role requires."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    competence = models.ForeignKey(
        Competence, on_delete=models.CASCADE, related_name="requirements"
    )
    responsibility = models.ForeignKey(
        Responsibility,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="competence_requirements",
    )
    role = models.CharField(max_length=20, choices=Role.choices, blank=True)
    level = models.PositiveSmallIntegerField(choices=LEVELS, validators=ONE_TO_FOUR)

    history = HistoricalRecords()
    objects = OrganizationScopedQuerySet.as_manager()

    class Meta:
        ordering = ["competence__name", "responsibility__code", "role"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(responsibility__isnull=False) & Q(role=""))
                | (Q(responsibility__isnull=True) & ~Q(role="")),
                name="competence_requirement_for_responsibility_or_role",
            ),
            models.CheckConstraint(
                condition=Q(level__gte=1, level__lte=4), name="competence_requirement_level"
            ),
            models.UniqueConstraint(
                fields=["competence", "responsibility"],
                condition=Q(responsibility__isnull=False),
                name="competence_requirement_unique_responsibility",
            ),
            models.UniqueConstraint(
                fields=["competence", "role"],
                condition=~Q(role=""),
                name="competence_requirement_unique_role",
            ),
        ]

    def __str__(self) -> str:
        holder = self.responsibility or self.get_role_display()
        return f"{self.competence} level {self.level} for {holder}"


class CompetenceRecordQuerySet(OrganizationScopedQuerySet):
    def in_force(self, day: datetime.date):
        """Records attained by `day` that have not expired on it."""
        return self.filter(attained_on__lte=day).filter(
            Q(expires_on__isnull=True) | Q(expires_on__gte=day)
        )


class CompetenceRecord(BaseModel):
    class Evidence(models.TextChoices):
        TRAINING = "training", "Training"
        QUALIFICATION = "qualification", "Qualification or certificate"
        ASSESSMENT = "assessment", "Assessment"
        EXPERIENCE = "experience", "Experience"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    membership = models.ForeignKey(
        Membership, on_delete=models.PROTECT, related_name="competence_records"
    )
    competence = models.ForeignKey(Competence, on_delete=models.PROTECT, related_name="records")
    level = models.PositiveSmallIntegerField(choices=LEVELS, validators=ONE_TO_FOUR)
    evidence_kind = models.CharField(max_length=14, choices=Evidence.choices)
    evidence = models.CharField(
        max_length=500, blank=True, help_text="What shows it: course, certificate no., assessor."
    )
    attachment = models.FileField(
        upload_to="competence/%Y/%m/",
        blank=True,
        validators=ATTACHMENT_VALIDATORS,
        help_text=f"PDF, image or office file, at most {MAX_ATTACHMENT_BYTES // 2**20} MB.",
    )
    attained_on = models.DateField()
    expires_on = models.DateField(null=True, blank=True, help_text="Empty if it does not expire.")
    # Set when an effective training evaluation created the record.
    training_attendance = models.ForeignKey(
        "leadership.TrainingAttendance",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="competence_records",
    )

    history = HistoricalRecords()
    objects = CompetenceRecordQuerySet.as_manager()

    class Meta:
        ordering = ["-attained_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_on__isnull=True) | Q(expires_on__gt=models.F("attained_on")),
                name="competence_record_expires_after_attained",
            ),
            models.CheckConstraint(
                condition=Q(level__gte=1, level__lte=4), name="competence_record_level"
            ),
        ]
        indexes = [models.Index(fields=["organization", "expires_on"])]

    def __str__(self) -> str:
        return f"{self.competence} level {self.level}: {self.membership.display_name}"
