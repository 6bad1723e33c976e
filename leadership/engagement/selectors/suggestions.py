"""Reads of suggestions that pages, the API, the review agenda and the evidence pack share."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import QuerySet

from leadership.engagement.models import Suggestion, SuggestionStatus
from leadership.engagement.models.suggestions import ACCEPTED_STATUSES, receipt_code_digest
from qms.core.models import Membership, Organization, OrgUnit


def suggestion_list(
    *,
    organization: Organization,
    status: str | None = None,
    unit: OrgUnit | None = None,
    search: str = "",
) -> QuerySet[Suggestion]:
    """The organisation's suggestions, newest first. Every member may read them (the submitter
    of an anonymous one is never in what is shown: use `Suggestion.submitter_label`)."""
    queryset = Suggestion.objects.for_organization(organization).select_related(
        "submitted_by__user", "org_unit", "decided_by__user", "action", "duplicate_of"
    )
    if status:
        queryset = queryset.filter(status=status)
    if unit is not None:
        queryset = queryset.filter(org_unit__path__startswith=unit.path)
    if search:
        queryset = queryset.filter(title__icontains=search)
    return queryset.order_by("-submitted_at", "-id")


def suggestion_get(*, organization: Organization, pk: int) -> Suggestion | None:
    return suggestion_list(organization=organization).filter(pk=pk).first()


def unit_headcounts(organization) -> dict[int, int]:
    """Active members per unit, each counted in their unit and every unit above it."""
    units = list(OrgUnit.objects.for_organization(organization).only("id", "path"))
    by_path = {unit.path: unit.pk for unit in units}
    step = OrgUnit.steplen
    counts = dict.fromkeys(by_path.values(), 0)
    members = (
        Membership.objects.for_organization(organization)
        .filter(is_active=True, org_unit__isnull=False)
        .values_list("org_unit__path", flat=True)
    )
    for path in members:
        for end in range(step, len(path) + 1, step):
            if path[:end] in by_path:
                counts[by_path[path[:end]]] += 1
    return counts


def suggestion_by_receipt(*, organization: Organization, code: str) -> Suggestion | None:
    """The anonymous suggestion whose author holds this receipt code, or None."""
    code = (code or "").strip()
    if not code or len(code) > 100:
        return None
    return (
        suggestion_list(organization=organization)
        .filter(is_anonymous=True, receipt_digest=receipt_code_digest(code))
        .first()
    )


def my_suggestions(*, membership: Membership, limit: int = 5) -> list[Suggestion]:
    """The member's own signed suggestions, newest first (nothing links an anonymous one to
    them: they follow it with its receipt code)."""
    return list(
        Suggestion.objects.filter(submitted_by=membership)
        .select_related("action")
        .order_by("-submitted_at", "-id")[:limit]
    )


def accepted_suggestions(
    *, organization: Organization, start: datetime.date, end: datetime.date
) -> list[Suggestion]:
    """Suggestions accepted (as an action or an opportunity for improvement) with a decision
    date in [start, end]: review input 9.3.2 f. Oldest decision first."""
    return list(
        suggestion_list(organization=organization)
        .filter(
            status__in=ACCEPTED_STATUSES,
            decided_at__date__gte=start,
            decided_at__date__lte=end,
        )
        .order_by("decided_at", "id")
    )


@dataclass
class MonthFigures:
    month: datetime.date  # the first day of the month
    submitted: int = 0
    decided: int = 0
    accepted: int = 0
    days_to_decision: float | None = None  # mean over the suggestions decided that month


@dataclass
class UnitFigures:
    unit_name: str
    submitted: int = 0
    awaiting: int = 0
    accepted: int = 0
    declined: int = 0
    duplicate: int = 0


def _month(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def _months(start: datetime.date, end: datetime.date) -> list[datetime.date]:
    months, month = [], _month(start)
    while month <= end:
        months.append(month)
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    return months


def suggestion_figures(
    *, organization: Organization, start: datetime.date, end: datetime.date
) -> tuple[list[MonthFigures], list[UnitFigures]]:
    """Per month: submitted, decided, accepted, mean days to decision; per unit (where the
    suggestion is about): counts by outcome. One query."""
    from django.utils import timezone

    months = {m: MonthFigures(m) for m in _months(start, end)}
    units: dict[str, UnitFigures] = {}
    waits: dict[datetime.date, list[float]] = {}
    rows = (
        Suggestion.objects.for_organization(organization)
        .filter(submitted_at__date__lte=end)
        .select_related("org_unit")
        .only("submitted_at", "decided_at", "status", "org_unit__name")
    )
    for row in rows:
        submitted = timezone.localdate(row.submitted_at)
        if submitted >= start:
            months[_month(submitted)].submitted += 1
            name = row.org_unit.name if row.org_unit_id else "Whole organisation"
            figures = units.setdefault(name, UnitFigures(name))
            figures.submitted += 1
            if row.status == SuggestionStatus.NEW:
                figures.awaiting += 1
            elif row.status in ACCEPTED_STATUSES:
                figures.accepted += 1
            elif row.status == SuggestionStatus.DECLINED:
                figures.declined += 1
            else:
                figures.duplicate += 1
        if row.decided_at is not None:
            decided = timezone.localdate(row.decided_at)
            if start <= decided <= end:
                month = months[_month(decided)]
                month.decided += 1
                month.accepted += row.status in ACCEPTED_STATUSES
                wait = (row.decided_at - row.submitted_at).total_seconds() / 86400
                waits.setdefault(month.month, []).append(wait)
    for month, values in waits.items():
        months[month].days_to_decision = round(sum(values) / len(values), 1)
    return list(months.values()), sorted(units.values(), key=lambda u: u.unit_name)
