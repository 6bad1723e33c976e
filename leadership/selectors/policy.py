"""Reads of the quality policy: the version in force, its acknowledgement, diffs."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from leadership.models import PolicyAcknowledgement, PolicyCommitment, PolicyVersion, QualityPolicy
from objectives.models import QualityObjective
from qms.core.models import Membership, Organization, OrgUnit
from qms.core.roles import Role


def policy_for(organization: Organization) -> QualityPolicy | None:
    return QualityPolicy.objects.filter(organization=organization).first()


def current_version(organization: Organization) -> PolicyVersion | None:
    """The published version (in force), or None."""
    return (
        PolicyVersion.objects.for_organization(organization)
        .published()
        .select_related("approved_by__user", "published_by")
        .first()
    )


def versions(policy: QualityPolicy) -> QuerySet[PolicyVersion]:
    return policy.versions.select_related(
        "approved_by__user", "drafted_by", "published_by"
    ).order_by("-number")


def staff(organization: Organization) -> QuerySet[Membership]:
    """Members expected to acknowledge the policy: everyone active except auditors."""
    return Membership.objects.for_organization(organization).current().exclude(role=Role.AUDITOR)


def pending_acknowledgements(version: PolicyVersion) -> QuerySet[Membership]:
    """Members who have not acknowledged this version yet (the reminders read this)."""
    acknowledged = PolicyAcknowledgement.objects.filter(version=version, membership=OuterRef("pk"))
    return (
        staff(version.organization)
        .annotate(done=Exists(acknowledged))
        .filter(done=False)
        .select_related("user", "org_unit")
    )


@dataclass
class UnitRate:
    unit: OrgUnit | None
    members: int
    acknowledged: int

    @property
    def percent(self) -> int:
        return round(100 * self.acknowledged / self.members) if self.members else 0


def acknowledgement_rates(version: PolicyVersion) -> tuple[UnitRate, list[UnitRate]]:
    """The overall rate and one per org unit (members are counted in their own unit)."""
    acknowledged = PolicyAcknowledgement.objects.filter(version=version, membership=OuterRef("pk"))
    rows = (
        staff(version.organization)
        .annotate(done=Exists(acknowledged))
        .values("org_unit")
        .annotate(members=Count("id"), acknowledged=Count("id", filter=Q(done=True)))
        .order_by()
    )
    units = OrgUnit.objects.for_organization(version.organization).in_bulk()
    per_unit = [UnitRate(units.get(r["org_unit"]), r["members"], r["acknowledged"]) for r in rows]
    per_unit.sort(key=lambda r: r.unit.path if r.unit else "~")
    total = UnitRate(None, sum(r.members for r in per_unit), sum(r.acknowledged for r in per_unit))
    return total, per_unit


def has_acknowledged(version: PolicyVersion, membership: Membership) -> bool:
    return PolicyAcknowledgement.objects.filter(version=version, membership=membership).exists()


def commitments(policy: QualityPolicy) -> QuerySet[PolicyCommitment]:
    """Commitments with their objectives and whether any of them is active (the flag)."""
    active = PolicyCommitment.objectives.through.objects.filter(
        policycommitment_id=OuterRef("pk"),
        qualityobjective__status=QualityObjective.Status.ACTIVE,
    )
    return (
        policy.commitments.annotate(has_active_objective=Exists(active))
        .prefetch_related("objectives")
        .order_by("order", "id")
    )


@dataclass
class DiffLine:
    kind: str  # "same", "added", "removed"
    text: str


def diff(older: PolicyVersion, newer: PolicyVersion) -> list[DiffLine]:
    """Line-by-line difference between two versions' text."""
    lines = []
    for line in difflib.ndiff(older.text.splitlines(), newer.text.splitlines()):
        tag, text = line[:2], line[2:]
        if tag == "? ":
            continue
        kind = {"+ ": "added", "- ": "removed"}.get(tag, "same")
        lines.append(DiffLine(kind, text))
    return lines
