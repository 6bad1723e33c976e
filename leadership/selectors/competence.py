"""Reads of competence (ISO 9001 7.2): the matrix of members x competences with held and
required levels, gaps and what expires soon; training hours and spend per unit and year; the
summary the review's resources input (9.3.2 d) reads; and the rows of the evidence pack."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import Coalesce, ExtractYear

from leadership.models import (
    Competence,
    CompetenceRecord,
    CompetenceRequirement,
    ResourceAllocation,
    ResourceSpend,
    ResponsibilityAssignment,
    TrainingAttendance,
    TrainingSession,
)
from qms.core.models import Membership, Organization, OrgUnit
from qms.core.roles import Role
from qms.core.tenancy import limit_to_unit

EXPIRY_WINDOW_DAYS = 90


@dataclass
class Cell:
    competence: Competence
    held: int = 0
    required: int = 0
    expires_on: datetime.date | None = None
    expiring: bool = False
    # What requires it: responsibility codes and/or the role.
    required_by: list[str] = field(default_factory=list)

    @property
    def gap(self) -> int:
        return max(0, self.required - self.held)


@dataclass
class MatrixRow:
    member: Membership
    cells: list[Cell]

    @property
    def gaps(self) -> int:
        return sum(1 for c in self.cells if c.gap)

    @property
    def expiring(self) -> int:
        return sum(1 for c in self.cells if c.expiring)


@dataclass
class Matrix:
    competences: list[Competence]
    rows: list[MatrixRow]
    today: datetime.date
    horizon: datetime.date

    @property
    def gap_count(self) -> int:
        return sum(r.gaps for r in self.rows)

    @property
    def expiring_count(self) -> int:
        return sum(r.expiring for r in self.rows)

    def gaps(self) -> list[tuple[Membership, Cell]]:
        return [(r.member, c) for r in self.rows for c in r.cells if c.gap]

    def expiring(self) -> list[tuple[Membership, Cell]]:
        items = [(r.member, c) for r in self.rows for c in r.cells if c.expiring]
        return sorted(items, key=lambda item: (item[1].expires_on, item[0].display_name))


def members_in_scope(organization: Organization, unit: OrgUnit | None, today: datetime.date):
    """Current members who do the work (auditors only read), in `unit`'s subtree if given."""
    members = (
        Membership.objects.for_organization(organization)
        .current(today)
        .exclude(role=Role.AUDITOR)
        .select_related("user", "org_unit")
        .order_by("user__first_name", "user__last_name", "user__username")
    )
    if unit is not None:
        members = members.filter(org_unit__path__startswith=unit.path)
    return members


def competence_list(organization: Organization) -> QuerySet[Competence]:
    return Competence.objects.for_organization(organization).annotate(
        requirement_count=Count("requirements", distinct=True)
    )


def competence_matrix(
    *, organization: Organization, unit: OrgUnit | None = None, today: datetime.date
) -> Matrix:
    """Members x competences: the level each holds today, the level their role and the
    responsibilities they hold today require, and the records expiring in the next 90 days.
    Five queries whatever the size."""
    horizon = today + datetime.timedelta(days=EXPIRY_WINDOW_DAYS)
    members = list(members_in_scope(organization, unit, today))
    competences = list(Competence.objects.for_organization(organization).order_by("name"))
    member_ids = [m.pk for m in members]

    by_role: dict[str, list[CompetenceRequirement]] = defaultdict(list)
    by_responsibility: dict[int, list[CompetenceRequirement]] = defaultdict(list)
    for requirement in CompetenceRequirement.objects.for_organization(organization).select_related(
        "responsibility"
    ):
        if requirement.role:
            by_role[requirement.role].append(requirement)
        else:
            by_responsibility[requirement.responsibility_id].append(requirement)

    held_responsibilities: dict[int, set[int]] = defaultdict(set)
    for membership_id, responsibility_id in (
        ResponsibilityAssignment.objects.for_organization(organization)
        .as_of(today)
        .filter(membership_id__in=member_ids)
        .values_list("membership_id", "responsibility_id")
    ):
        held_responsibilities[membership_id].add(responsibility_id)

    # The best record per member and competence: highest level, then the latest expiry (none
    # counts as latest), so a renewed record hides the one it replaces.
    best: dict[tuple[int, int], CompetenceRecord] = {}
    never = datetime.date.max
    for record in (
        CompetenceRecord.objects.for_organization(organization)
        .in_force(today)
        .filter(membership_id__in=member_ids)
        .only("membership_id", "competence_id", "level", "expires_on")
    ):
        key = (record.membership_id, record.competence_id)
        current = best.get(key)
        if current is None or (record.level, record.expires_on or never) > (
            current.level,
            current.expires_on or never,
        ):
            best[key] = record

    rows = []
    for member in members:
        cells = {c.pk: Cell(competence=c) for c in competences}
        for requirement in by_role.get(member.role, []):
            cell = cells[requirement.competence_id]
            cell.required = max(cell.required, requirement.level)
            cell.required_by.append(member.get_role_display())
        for responsibility_id in sorted(held_responsibilities.get(member.pk, ())):
            for requirement in by_responsibility.get(responsibility_id, []):
                cell = cells[requirement.competence_id]
                cell.required = max(cell.required, requirement.level)
                cell.required_by.append(requirement.responsibility.code)
        for competence in competences:
            record = best.get((member.pk, competence.pk))
            if record is None:
                continue
            cell = cells[competence.pk]
            cell.held, cell.expires_on = record.level, record.expires_on
            cell.expiring = record.expires_on is not None and record.expires_on <= horizon
        rows.append(MatrixRow(member=member, cells=[cells[c.pk] for c in competences]))
    return Matrix(competences=competences, rows=rows, today=today, horizon=horizon)


def competence_gaps_summary(
    *, organization: Organization, unit: OrgUnit | None = None, today: datetime.date
) -> dict:
    """For the management review's input on adequacy of resources (9.3.2 d): every gap
    between a member's level and what their role and responsibilities require, and every
    competence expiring in the next 90 days, as plain data."""
    matrix = competence_matrix(organization=organization, unit=unit, today=today)
    return {
        "as_of": today,
        "horizon": matrix.horizon,
        "members": len(matrix.rows),
        "competences": len(matrix.competences),
        "gap_count": matrix.gap_count,
        "expiring_count": matrix.expiring_count,
        "gaps": [
            {
                "member": member.display_name,
                "member_id": member.pk,
                "competence": cell.competence.name,
                "competence_id": cell.competence.pk,
                "required": cell.required,
                "held": cell.held,
                "required_by": ", ".join(cell.required_by),
            }
            for member, cell in matrix.gaps()
        ],
        "expiring": [
            {
                "member": member.display_name,
                "member_id": member.pk,
                "competence": cell.competence.name,
                "competence_id": cell.competence.pk,
                "level": cell.held,
                "expires_on": cell.expires_on,
            }
            for member, cell in matrix.expiring()
        ],
    }


def member_records(membership: Membership) -> QuerySet[CompetenceRecord]:
    return CompetenceRecord.objects.filter(membership=membership).select_related(
        "competence", "training_attendance__session"
    )


def record_list(
    *, organization: Organization, membership: Membership | None = None
) -> QuerySet[CompetenceRecord]:
    records = CompetenceRecord.objects.for_organization(organization).select_related(
        "competence", "membership__user", "training_attendance__session"
    )
    if membership is not None:
        records = records.filter(membership=membership)
    return records


def training_hours_and_spend(
    *, organization: Organization, unit: OrgUnit | None = None
) -> list[dict]:
    """Per year and unit: hours of training attended (attendees' units) and spend on
    knowledge-and-training allocations (the allocation's unit, or its objective's). Newest
    year first."""
    attendances = TrainingAttendance.objects.for_organization(organization).filter(attended=True)
    spends = ResourceSpend.objects.for_organization(organization).filter(
        allocation__kind=ResourceAllocation.Kind.KNOWLEDGE
    )
    # Spend goes with its allocation, whose unit is its objective's (the unit rule of
    # `qms.core.tenancy`, which the dashboard and the API read too).
    spend_unit = Coalesce("allocation__objective__org_unit", "allocation__org_unit")
    if unit is not None:
        attendances = attendances.filter(membership__org_unit__path__startswith=unit.path)
        spends = limit_to_unit(spends, unit)
    table: dict[tuple[int, int | None], dict] = {}
    for row in attendances.values(
        year=ExtractYear("session__held_on"), unit_id=F("membership__org_unit")
    ).annotate(hours=Sum("session__duration_hours"), people=Count("membership", distinct=True)):
        entry = table.setdefault(
            (row["year"], row["unit_id"]),
            {"hours": Decimal(0), "people": 0, "spend": Decimal(0)},
        )
        entry["hours"], entry["people"] = row["hours"] or Decimal(0), row["people"]
    for row in spends.values(year=ExtractYear("date"), unit_ref=spend_unit).annotate(
        spend=Sum("amount")
    ):
        entry = table.setdefault(
            (row["year"], row["unit_ref"]),
            {"hours": Decimal(0), "people": 0, "spend": Decimal(0)},
        )
        entry["spend"] = row["spend"] or Decimal(0)
    names = dict(OrgUnit.objects.for_organization(organization).values_list("id", "name"))
    rows = [
        {"year": year, "unit": names.get(unit_id, "No unit"), **figures}
        for (year, unit_id), figures in table.items()
    ]
    return sorted(rows, key=lambda r: (-r["year"], r["unit"]))


# --- evidence pack (7.2) -----------------------------------------------------------------


def competence_requirements_for_evidence(
    *,
    organization: Organization,
    unit: OrgUnit | None = None,
    start: datetime.date,
    end: datetime.date,
) -> QuerySet[CompetenceRequirement]:
    """The competences each responsibility and role requires (organisation-wide: the same
    for any unit and period; the audit trail holds earlier values)."""
    return (
        CompetenceRequirement.objects.for_organization(organization)
        .select_related("competence", "responsibility")
        .order_by("competence__name", "responsibility__code", "role", "id")
    )


def competence_records_for_evidence(
    *,
    organization: Organization,
    unit: OrgUnit | None = None,
    start: datetime.date,
    end: datetime.date,
) -> QuerySet[CompetenceRecord]:
    """Members' competence records in force at some time in [start, end] (attained by the
    end, not expired before the start), for members of `unit`'s subtree if given."""
    records = (
        CompetenceRecord.objects.for_organization(organization)
        .filter(attained_on__lte=end)
        .filter(Q(expires_on__isnull=True) | Q(expires_on__gte=start))
        .select_related("competence", "membership__user", "membership__org_unit")
        .order_by("membership__user__username", "competence__name", "attained_on", "id")
    )
    if unit is not None:
        records = records.filter(membership__org_unit__path__startswith=unit.path)
    return records


def training_sessions_for_evidence(
    *,
    organization: Organization,
    unit: OrgUnit | None = None,
    start: datetime.date,
    end: datetime.date,
) -> list[dict]:
    """Training sessions held in [start, end] with each invitee's attendance and
    effectiveness result, as plain rows (one per session, attendees inside), oldest first.
    For a unit: sessions of that subtree, or attended by its members."""
    sessions = (
        TrainingSession.objects.for_organization(organization)
        .filter(held_on__gte=start, held_on__lte=end)
        .select_related("org_unit")
        .prefetch_related(
            "competences", "attendances__membership__user", "attendances__evaluated_by__user"
        )
        .order_by("held_on", "id")
    )
    if unit is not None:
        sessions = sessions.filter(
            Q(org_unit__path__startswith=unit.path)
            | Q(attendances__membership__org_unit__path__startswith=unit.path)
        ).distinct()
    return [
        {
            "id": s.pk,
            "topic": s.topic,
            "kind": s.get_kind_display(),
            "held_on": s.held_on,
            "duration_hours": s.duration_hours,
            "trainer": s.trainer,
            "unit": s.org_unit.name if s.org_unit else "",
            "competences": [c.name for c in s.competences.all()],
            "target_level": s.target_level,
            "evaluation_due_on": s.evaluation_due_on,
            "invited": len(s.attendances.all()),
            "attended": sum(1 for a in s.attendances.all() if a.attended),
            "attendees": [
                {
                    "member": a.membership.display_name,
                    "username": a.membership.user.username,
                    "attended": a.attended,
                    "result": a.get_result_display() if a.result else "",
                    "method": a.get_method_display() if a.method else "",
                    "evaluated_by": a.evaluated_by.display_name if a.evaluated_by else "",
                    "evaluated_on": a.evaluated_on,
                }
                for a in sorted(s.attendances.all(), key=lambda a: a.membership.user.username)
            ],
        }
        for s in sessions
    ]
