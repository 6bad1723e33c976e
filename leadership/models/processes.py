"""Processes (ISO 9001 4.4): the business processes the QMS is built into, each with an owner,
its inputs and outputs, the objectives (KPIs) that measure it, its risks, the documents that
describe it, and the processes it hands over to. No owner or no KPI is flagged."""

from __future__ import annotations

from django.db import models
from simple_history.models import HistoricalRecords

from leadership.models.risks import Risk
from objectives.models import QualityObjective
from qms.core.models import Membership, OrgUnit
from qms.core.registers.models import RegisterRecord


class Process(RegisterRecord):
    class Category(models.TextChoices):
        CORE = "core", "Core (value-adding)"
        SUPPORT = "support", "Support"
        MANAGEMENT = "management", "Management"

    class Status(models.TextChoices):
        ACTIVE = "active", "In use"
        RETIRED = "retired", "Retired"

    reference_prefix = "PR"

    title = models.CharField("process", max_length=200)
    category = models.CharField(max_length=12, choices=Category.choices, default=Category.CORE)
    owner = models.ForeignKey(
        Membership, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    org_unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    purpose = models.TextField(blank=True, max_length=2000)
    inputs = models.TextField(blank=True, max_length=2000)
    outputs = models.TextField(blank=True, max_length=2000)
    objectives = models.ManyToManyField(
        QualityObjective,
        blank=True,
        related_name="+",
        verbose_name="KPIs (objectives)",
        help_text="The objectives whose KPIs measure the process (Ctrl/Cmd-click for several).",
    )
    risks = models.ManyToManyField(
        Risk,
        blank=True,
        related_name="+",
        verbose_name="risks and opportunities",
    )
    documents = models.TextField(
        "procedures and documents",
        blank=True,
        max_length=3000,
        help_text="One per line: a title, or a link (https://...) to the document.",
    )
    hands_over_to = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="receives_from",
        verbose_name="hands over to",
        help_text="The processes that take its outputs.",
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)

    history = HistoricalRecords()

    class Meta(RegisterRecord.Meta):
        verbose_name_plural = "processes"
        ordering = ["number"]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def description(self) -> str:
        # The register pages read a record's description; a process's is its purpose.
        return self.purpose
