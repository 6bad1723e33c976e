"""Interested parties (ISO 9001 4.2): who has a stake in the QMS, what they require of it, and
what monitors each requirement (objectives or registers). A requirement nothing monitors is
flagged."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from simple_history.models import HistoricalRecords

from objectives.models import QualityObjective
from qms.core.models import BaseModel, Organization, OrganizationScopedQuerySet
from qms.core.registers.models import RegisterRecord

STANDARD_PARTY_KINDS = [
    "Customers",
    "Suppliers and external providers",
    "Regulators",
    "Employees",
    "Owners and investors",
    "Community",
]


class PartyKind(BaseModel):
    """A kind of party; every organisation starts with the standard six and may add its own."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=80)

    history = HistoricalRecords()
    objects = OrganizationScopedQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="party_kind_unique")
        ]

    def __str__(self) -> str:
        return self.name


class Relevance(models.TextChoices):
    RELEVANT = "relevant", "Relevant"
    NOT_RELEVANT = "not_relevant", "No longer relevant"


class Applicability(models.TextChoices):
    APPLIES = "applies", "Applies"
    LAPSED = "lapsed", "No longer applies"


class InterestedParty(RegisterRecord):
    reference_prefix = "IP"

    title = models.CharField("party", max_length=200)
    kind = models.ForeignKey(PartyKind, on_delete=models.PROTECT, related_name="parties")
    description = models.TextField("why it matters to the QMS", blank=True, max_length=3000)
    review_due_on = models.DateField("next review", null=True, blank=True)
    reviewed_on = models.DateField("last reviewed", null=True, blank=True)
    status = models.CharField(max_length=12, choices=Relevance.choices, default=Relevance.RELEVANT)

    history = HistoricalRecords()

    class Meta(RegisterRecord.Meta):
        verbose_name_plural = "interested parties"
        ordering = ["title"]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"


class PartyRequirement(RegisterRecord):
    reference_prefix = "REQ"

    party = models.ForeignKey(
        InterestedParty, on_delete=models.CASCADE, related_name="requirements"
    )
    title = models.CharField("requirement", max_length=300)
    description = models.TextField(blank=True, max_length=3000)
    objectives = models.ManyToManyField(
        QualityObjective,
        blank=True,
        related_name="+",
        verbose_name="monitoring objectives",
        help_text="Objectives whose KPIs show the requirement is met (Ctrl/Cmd-click for several).",
    )
    monitoring_register = models.CharField(
        "monitoring register",
        max_length=40,
        blank=True,
        help_text="A register that monitors it, e.g. customer feedback.",
    )
    monitoring_note = models.CharField("how it is monitored", max_length=300, blank=True)
    review_due_on = models.DateField("next review", null=True, blank=True)
    status = models.CharField(
        max_length=12, choices=Applicability.choices, default=Applicability.APPLIES
    )

    history = HistoricalRecords()

    class Meta(RegisterRecord.Meta):
        ordering = ["party__title", "number"]

    def __str__(self) -> str:
        return f"{self.reference} {self.title[:80]}"

    def clean(self):
        super().clean()
        # The requirement's page links to this register by its key: an unknown key (the form
        # offers only real ones; the API and imports save through here) would break the page.
        if self.monitoring_register:
            from qms.core.registers.definition import all_registers

            if self.monitoring_register not in {r.key for r in all_registers()}:
                raise ValidationError(
                    {"monitoring_register": "Choose one of the registers, or leave it empty."}
                )
