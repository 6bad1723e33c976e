"""Reads of suggestions that pages, the API, the review agenda and the evidence pack share."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Case, CharField, F, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce

from leadership.engagement import permissions
from leadership.engagement.models import Suggestion, SuggestionStatus
from leadership.engagement.models.suggestions import (
    ACCEPTED_STATUSES,
    ANONYMOUS_MIN_GROUP,
    receipt_code_digest,
)
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
    queryset = with_shown_unit(
        Suggestion.objects.for_organization(organization).select_related(
            "submitted_by__user", "org_unit", "decided_by__user", "action", "duplicate_of"
        ),
        folded_units(organization),
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


def unit_headcounts(organization, units: list[OrgUnit] | None = None) -> dict[int, int]:
    """How many people could have written an anonymous suggestion about each unit: current
    members who may suggest (auditors may not, nor anyone whose access has ended), each counted
    in their unit and every unit above it. The one count behind "too small to name": the form,
    the service (and so the API) read it when a suggestion is sent, `folded_units` whenever one
    is shown."""
    if units is None:
        units = list(OrgUnit.objects.for_organization(organization).only("id", "path"))
    by_path = {unit.path: unit.pk for unit in units}
    step = OrgUnit.steplen
    counts = dict.fromkeys(by_path.values(), 0)
    members = (
        Membership.objects.for_organization(organization)
        .current()
        .filter(role__in=permissions.SUGGESTER_ROLES, org_unit__isnull=False)
        .values_list("org_unit__path", flat=True)
    )
    for path in members:
        for end in range(step, len(path) + 1, step):
            if path[:end] in by_path:
                counts[by_path[path[:end]]] += 1
    return counts


def folded_units(organization) -> dict[int, OrgUnit | None]:
    """Units too small, today, to be named on an anonymous suggestion, each with what is shown
    instead: the nearest unit above with at least ANONYMOUS_MIN_GROUP people who could have
    written it, else None (the whole organisation). Checked at every showing, not only at
    sending: a unit that shrinks afterwards (people leave, move, or their access ends) would
    otherwise point to the suggestion's author. What is stored is not changed: the unit comes
    back when the unit grows again."""
    units = list(OrgUnit.objects.for_organization(organization).only("id", "path", "name"))
    counts = unit_headcounts(organization, units)
    by_path = {unit.path: unit for unit in units}
    step = OrgUnit.steplen
    folded: dict[int, OrgUnit | None] = {}
    for unit in units:
        if counts.get(unit.pk, 0) >= ANONYMOUS_MIN_GROUP:
            continue
        above = (by_path.get(unit.path[:end]) for end in range(len(unit.path) - step, 0, -step))
        folded[unit.pk] = next(
            (u for u in above if u is not None and counts.get(u.pk, 0) >= ANONYMOUS_MIN_GROUP),
            None,
        )
    return folded


def with_shown_unit(queryset, folded: dict[int, OrgUnit | None]):
    """Each suggestion with `shown_unit_id` and `shown_unit_name` (empty: the whole
    organisation): its own unit, but for an anonymous one naming a unit in `folded`, the unit
    it folds into. Every page, the API, the figures and the review agenda show these."""
    small = [(pk, Q(is_anonymous=True, org_unit_id=pk), to) for pk, to in folded.items()]
    return queryset.annotate(
        shown_unit_id=Case(
            *(When(match, then=Value(to.pk if to else None)) for _, match, to in small),
            default=F("org_unit_id"),
            output_field=IntegerField(),
        ),
        shown_unit_name=Case(
            *(When(match, then=Value(to.name if to else "")) for _, match, to in small),
            default=Coalesce(F("org_unit__name"), Value("")),
            output_field=CharField(),
        ),
    )


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
    rows = with_shown_unit(
        Suggestion.objects.for_organization(organization)
        .filter(submitted_at__date__lte=end)
        .only("submitted_at", "decided_at", "status", "is_anonymous", "org_unit_id"),
        folded_units(organization),
    )
    for row in rows:
        submitted = timezone.localdate(row.submitted_at)
        if submitted >= start:
            months[_month(submitted)].submitted += 1
            name = row.shown_unit_name or "Whole organisation"
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
                # In calendar days: a suggestion is dated to the day it was made.
                wait = (decided - submitted).days
                waits.setdefault(month.month, []).append(wait)
    for month, values in waits.items():
        months[month].days_to_decision = round(sum(values) / len(values), 1)
    return list(months.values()), sorted(units.values(), key=lambda u: u.unit_name)
