"""What every register record has: its organisation, a reference numbered per organisation
(e.g. RISK-007) and, through each concrete model, an audit trail."""

from __future__ import annotations

from typing import ClassVar

from django.db import models

from qms.core.models import BaseModel, Organization, OrganizationScopedQuerySet


class RegisterRecord(BaseModel):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    number = models.PositiveIntegerField(editable=False)

    # "RISK" gives references RISK-001, RISK-002... per organisation.
    reference_prefix: ClassVar[str] = "REC"

    objects = OrganizationScopedQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "number"], name="%(app_label)s_%(class)s_unique_number"
            )
        ]

    @property
    def reference(self) -> str:
        return f"{self.reference_prefix}-{self.number:03}" if self.number else ""

    def __str__(self) -> str:
        title = getattr(self, "title", "") or getattr(self, "description", "")
        return f"{self.reference} {title[:80]}".strip()
