"""The responsibility matrix (ISO 9001 5.3) as of any date."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Prefetch

from leadership.models import Responsibility, ResponsibilityAssignment
from qms.core.models import Organization


@dataclass
class MatrixRow:
    responsibility: Responsibility
    holders: list[ResponsibilityAssignment] = field(default_factory=list)

    @property
    def unassigned(self) -> bool:
        return not self.holders


def matrix_as_of(*, organization: Organization, day: datetime.date) -> list[MatrixRow]:
    """Each responsibility with the assignments in force on `day` (two queries)."""
    in_force = ResponsibilityAssignment.objects.as_of(day).select_related("membership__user")
    responsibilities = Responsibility.objects.for_organization(organization).prefetch_related(
        Prefetch("assignments", queryset=in_force, to_attr="in_force")
    )
    return [MatrixRow(r, list(r.in_force)) for r in responsibilities]


def assignments(organization: Organization):
    return ResponsibilityAssignment.objects.for_organization(organization).select_related(
        "responsibility", "membership__user"
    )
