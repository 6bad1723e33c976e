"""Everything the executive dashboard shows, composed from the apps' selectors for an
organisation and a set of filters. The dashboard owns no data.

It reads precomputed figures only: objectives' stored `current_status`/`current_value`, the
KPI and unit rollups, and aggregates of actions and reviews. The number of queries depends on
the filters (at most twelve months of action trends), never on how much data there is.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from leadership.engagement.selectors import survey_results_by_round, survey_trend
from leadership.selectors.accountability import (
    ExecutiveRecord,
    awaiting_top_management,
    executive_records,
    extra_column_labels,
)
from leadership.selectors.policy import UnitRate, acknowledgement_rates, current_version
from leadership.selectors.resources import allocation_list, totals_by_unit_of_measure
from objectives.attainment import furthest_from_target_first
from objectives.models import Granularity, KpiRollup, QualityObjective, Rag, UnitRollup
from objectives.periods import month_end
from objectives.selectors import ObjectiveFilters, objective_list
from qms.core.actions.selectors import ActionsSummary, actions_summaries
from qms.core.models import Membership, Organization
from qms.core.roles import Role
from qms.dashboard.filters import MAX_OBJECTIVES, DashboardFilters
from reviews.models import ManagementReview
from reviews.selectors_meetings import (
    last_held_review,
    next_review,
    review_compliance,
    reviews_awaiting_sign_off,
)

# Worst first: what needs attention leads.
RAG_ORDER = {Rag.RED: 0, Rag.AMBER: 1, Rag.NO_DATA: 2, Rag.GREEN: 3}


@dataclass
class KpiSeries:
    objective: QualityObjective
    points: list[tuple[datetime.date, float | None, str]]  # (month end, value, status)


# The attainment chart and its table show this many objectives, furthest from target first
# (the CSV has them all): a board reads the worst, and 2,000 bars would be neither read nor fast.
OBJECTIVES_ON_PAGE = 30


@dataclass
class DashboardData:
    organization: Organization
    filters: DashboardFilters
    today: datetime.date
    # The active objectives in the filters, furthest from target first (unevaluated: the CSV
    # reads them all), and the first OBJECTIVES_ON_PAGE of them, loaded.
    objectives_query: QuerySet[QualityObjective]
    objectives: list[QualityObjective]
    objectives_without_value: int
    rag: dict[str, int]
    rag_month_ago: dict[str, int] | None
    month_ago: datetime.date
    actions: ActionsSummary
    actions_scope_label: str  # whose actions the action figures count, in words
    action_months: list[ActionsSummary]
    next_review: ManagementReview | None
    last_review: ManagementReview | None
    reviews: list[dict]
    policy_rate: UnitRate | None
    resources: list[dict]
    kpi_series: list[KpiSeries]
    executives: list[ExecutiveRecord]
    extra_labels: list[str]
    awaiting: dict[str, int]
    reviews_to_sign_off: int
    # Staff pulse survey: round labels and one row per group (means; None where the group was
    # under six respondents), the organisation first. Already folded for anonymity.
    # For an auditor limited to a unit: the organisation-wide parts (reviews, accountability,
    # decisions awaited, the pulse survey) are left out, not shown as empty.
    limited_to_unit: bool = False
    survey_rounds: list[str] = field(default_factory=list)
    survey_trend: list = field(default_factory=list)
    messages: list[str] = field(default_factory=list)

    @property
    def objectives_total(self) -> int:
        return sum(self.rag.values())

    @property
    def rag_change(self) -> dict[str, int] | None:
        if self.rag_month_ago is None:
            return None
        return {k: self.rag[k] - self.rag_month_ago.get(k, 0) for k in self.rag}

    @property
    def days_to_next_review(self) -> int | None:
        return (self.next_review.planned_on - self.today).days if self.next_review else None

    @property
    def last_review_on_time(self) -> bool | None:
        return self.last_review.days_late() is None if self.last_review else None


def dashboard_data(
    *,
    organization: Organization,
    filters: DashboardFilters,
    viewer: Membership | None = None,
    today: datetime.date | None = None,
    limited_to_unit: bool = False,
) -> DashboardData:
    today = today or timezone.localdate()
    messages: list[str] = []
    objectives_query = furthest_from_target_first(
        objective_list(
            organization=organization,
            filters=ObjectiveFilters(
                unit=filters.unit, executive_id=filters.executive_id, status="active"
            ),
        )
    )
    rag, without_value = _rag_counts(objectives_query)
    month_ago = month_end(today.replace(day=1) - datetime.timedelta(days=1))
    months = filters.period.month_ends()
    # The period and each month of the trends, in one pass over the actions.
    actions_scope, actions_scope_label = _actions_scope(filters)
    period_summary, *monthly = actions_summaries(
        organization=organization,
        scope=actions_scope,
        periods=[
            (filters.period.start, filters.period.end),
            *((end.replace(day=1), end) for end in months),
        ],
        today=today,
    )
    limited = limited_to_unit
    # Organisation-wide figures are not computed at all for an auditor limited to a unit.
    executives = [] if limited else executive_records(organization=organization, today=today)
    if filters.executive is not None:
        executives = [r for r in executives if r.executive.pk == filters.executive.pk]
    return DashboardData(
        organization=organization,
        filters=filters,
        today=today,
        objectives_query=objectives_query,
        objectives=list(objectives_query[:OBJECTIVES_ON_PAGE]),
        objectives_without_value=without_value,
        rag=rag,
        rag_month_ago=_rag_at(
            organization, filters, objectives_query, sum(rag.values()), month_ago
        ),
        month_ago=month_ago,
        actions=period_summary,
        actions_scope_label=actions_scope_label,
        action_months=monthly,
        next_review=None if limited else next_review(organization),
        last_review=None if limited else last_held_review(organization),
        reviews=[] if limited else review_compliance(organization, since=months[0].replace(day=1)),
        policy_rate=_policy_rate(organization, filters),
        resources=_resources(organization, filters),
        kpi_series=_kpi_series(organization, filters, objectives_query, months, viewer, messages),
        executives=executives,
        extra_labels=extra_column_labels(),
        awaiting={} if limited else awaiting_top_management(organization),
        reviews_to_sign_off=0 if limited else reviews_awaiting_sign_off(organization),
        **({} if limited else _survey(organization, filters)),
        messages=messages,
        limited_to_unit=limited,
    )


def _survey(organization: Organization, filters: DashboardFilters) -> dict:
    """The pulse survey rounds opened in the period (at most the last eight)."""
    results = survey_results_by_round(
        organization=organization, start=filters.period.start, end=filters.period.end, limit=8
    )
    return {
        "survey_rounds": [f"Round {r.round.number} ({r.round.opens_on:%b %Y})" for r in results],
        "survey_trend": [
            row for row in survey_trend(results) if any(m is not None for m in row.means)
        ],
    }


def _actions_scope(filters: DashboardFilters) -> tuple[Q | None, str]:
    """Which actions the action figures count. Actions belong to no unit: for a unit, those
    owned by its members (the unit's subtree); for an executive, those they are accountable
    for."""
    scope, words = Q(), []
    if filters.unit is not None:
        scope &= Q(owner__org_unit__path__startswith=filters.unit.path)
        words.append(f"owned in {filters.unit.name}")
    if filters.executive is not None:
        scope &= Q(accountable_executive=filters.executive)
        words.append(f"{filters.executive.display_name} accountable")
    return (scope if words else None), (", ".join(words) or "whole organisation")


def _rag_counts(objectives: QuerySet[QualityObjective]) -> tuple[dict[str, int], int]:
    """How many objectives are in each status, and how many have no value yet (one query)."""
    rag = dict.fromkeys(Rag.values, 0)
    without_value = 0
    rows = (
        objectives.order_by()
        .values_list("current_status")
        .annotate(n=Count("id"), no_value=Count("id", filter=Q(current_value__isnull=True)))
    )
    for status, n, no_value in rows:
        rag[status] = n
        without_value += no_value
    return rag, without_value


def _rag_at(
    organization: Organization,
    filters: DashboardFilters,
    objectives: QuerySet[QualityObjective],
    total: int,
    end: datetime.date,
) -> dict[str, int] | None:
    """Objectives by status at a month end, from the rollups; None where none were computed.

    The unit rollups count whole subtrees, so they answer for a unit (or, summed over the top
    units, the organisation); they know nothing of executives, so with an executive chosen
    the counts come from that executive's objectives' KPI rollups (one query either way).
    """
    if filters.executive is None:
        rollups = UnitRollup.objects.for_organization(organization).filter(
            granularity=Granularity.MONTH, period_end=end
        )
        if filters.unit is not None:
            rollups = rollups.filter(org_unit=filters.unit)
        else:
            rollups = rollups.filter(org_unit__depth=1)
        totals = rollups.aggregate(
            rows=Sum("objectives"),
            green=Sum("green"),
            amber=Sum("amber"),
            red=Sum("red"),
            no_data=Sum("no_data"),
        )
        if totals.pop("rows") is None:
            return None
        return {k: totals[k] or 0 for k in Rag.values}
    statuses = list(
        KpiRollup.objects.for_organization(organization)
        .filter(
            granularity=Granularity.MONTH,
            period_end=end,
            objective_id__in=objectives.order_by().values("pk"),
        )
        .order_by()
        .values_list("status")
        .annotate(n=Count("id"))
    )
    if not statuses and total:
        return None
    counts = dict.fromkeys(Rag.values, 0)
    for status, n in statuses:
        counts[status] += n
    counts[Rag.NO_DATA] += total - sum(counts.values())
    return counts


def _policy_rate(organization: Organization, filters: DashboardFilters) -> UnitRate | None:
    version = current_version(organization)
    if version is None:
        return None
    total, per_unit = acknowledgement_rates(version)
    if filters.unit is None:
        return total
    inside = [r for r in per_unit if r.unit and r.unit.path.startswith(filters.unit.path)]
    return UnitRate(
        filters.unit, sum(r.members for r in inside), sum(r.acknowledged for r in inside)
    )


def _resources(organization: Organization, filters: DashboardFilters) -> list[dict]:
    """Requested, approved and spent per unit of measure, for allocations overlapping the
    period in the unit's subtree."""
    allocations = allocation_list(organization=organization, unit=filters.unit).filter(
        period_start__lte=filters.period.end, period_end__gte=filters.period.start
    )
    return totals_by_unit_of_measure(allocations)


def _kpi_series(
    organization: Organization,
    filters: DashboardFilters,
    objectives: QuerySet[QualityObjective],
    months: list[datetime.date],
    viewer: Membership | None,
    messages: list[str],
) -> list[KpiSeries]:
    """Monthly rollups of up to eight objectives: those chosen by code, else the viewing
    executive's own (when no executive is chosen), else the filtered ones, worst first."""
    if filters.objective_codes:
        chosen = list(
            QualityObjective.objects.for_organization(organization)
            .filter(code__in=filters.objective_codes)
            .select_related("org_unit")
        )
        missing = set(filters.objective_codes) - {o.code for o in chosen}
        if missing:
            messages.append(
                f"No objective {', '.join(sorted(missing))} in this organisation: "
                "it is not shown in the trends."
            )
        chosen = sorted(chosen, key=lambda o: (RAG_ORDER.get(o.current_status, 9), o.code))
    else:
        chosen = []
        if filters.executive is None and viewer is not None and viewer.role == Role.EXECUTIVE:
            chosen = list(
                objectives.filter(Q(accountable_executive=viewer) | Q(owner=viewer))[
                    :MAX_OBJECTIVES
                ]
            )
        chosen = chosen or list(objectives[:MAX_OBJECTIVES])
    chosen = chosen[:MAX_OBJECTIVES]
    points: dict[int, dict] = {o.pk: {} for o in chosen}
    rollups = KpiRollup.objects.filter(
        objective_id__in=list(points),
        granularity=Granularity.MONTH,
        period_end__gte=months[0],
        period_end__lte=months[-1],
    ).values_list("objective_id", "period_end", "value", "status")
    for objective_id, end, value, status in rollups:
        points[objective_id][end] = (float(value) if value is not None else None, status)
    return [
        KpiSeries(
            o,
            [(end, *points[o.pk][end]) for end in months if end in points[o.pk]],
        )
        for o in chosen
    ]
