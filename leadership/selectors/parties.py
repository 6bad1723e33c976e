"""Reads of interested parties and their requirements (ISO 9001 4.2), with the flag for a
requirement nothing monitors, and the rows of the evidence pack."""

from __future__ import annotations

import datetime

from django.db.models import Count, QuerySet

from leadership.models import InterestedParty, PartyRequirement
from qms.core.models import Organization, OrgUnit
from qms.core.registers.definition import all_registers


def unmonitored_requirements(organization: Organization) -> QuerySet[PartyRequirement]:
    return (
        PartyRequirement.objects.for_organization(organization)
        .annotate(objective_count=Count("objectives"))
        .filter(objective_count=0, monitoring_register="")
        .select_related("party")
        .order_by("party__title", "number")
    )


def register_title(key: str) -> str:
    return next((r.title for r in all_registers() if r.key == key), key)


def interested_parties_for_evidence(
    *,
    organization: Organization,
    unit: OrgUnit | None = None,
    start: datetime.date,
    end: datetime.date,
) -> list[dict]:
    """One row per party and requirement (a party with none gives one row with an empty
    requirement): party, kind, requirement, what monitors it and the unmonitored flag. The
    register is organisation-wide, so `unit` does not narrow it."""
    parties = (
        InterestedParty.objects.for_organization(organization)
        .select_related("kind")
        .prefetch_related("requirements__objectives")
        .order_by("title", "number")
    )
    rows = []
    for party in parties:
        base = {
            "party_reference": party.reference,
            "party": party.title,
            "kind": party.kind.name,
            "party_review_due_on": party.review_due_on,
            "party_reviewed_on": party.reviewed_on,
        }
        requirements = sorted(party.requirements.all(), key=lambda r: r.number)
        if not requirements:
            rows.append(
                base
                | {
                    "requirement_reference": "",
                    "requirement": "",
                    "monitoring_objectives": [],
                    "monitoring_register": "",
                    "monitoring_note": "",
                    "unmonitored": False,
                }
            )
        for requirement in requirements:
            codes = sorted(o.code for o in requirement.objectives.all())
            rows.append(
                base
                | {
                    "requirement_reference": requirement.reference,
                    "requirement": requirement.title,
                    "monitoring_objectives": codes,
                    "monitoring_register": register_title(requirement.monitoring_register)
                    if requirement.monitoring_register
                    else "",
                    "monitoring_note": requirement.monitoring_note,
                    "unmonitored": not codes and not requirement.monitoring_register,
                }
            )
    return rows
