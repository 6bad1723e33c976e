"""Everything the executive dashboard shows, composed from the apps' selectors for an
organisation and a set of filters. The dashboard owns no data.

It reads precomputed figures only: objectives' stored `current_status`/`current_value`, the
KPI and unit rollups, and aggregates of actions and reviews. The number of queries depends on
the filters (at most twelve months of action trends), never on how much data there is. A
period that ended before today is the one exception to "precomputed": each objective's latest
value up to the period's end is read in the same query as the objectives (`_as_of`), since no
rollup keeps the status an objective had on a given day.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import (
    Case,
    CharField,
    Count,
    DateField,
    F,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.lookups import IsNull
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
from objectives.models import (
    Frequency,
    Granularity,
    KpiRollup,
    Measurement,
    QualityObjective,
    Rag,
)
from objectives.periods import (
    describe,
    latest_due_period_end,
    month_end,
    period_end,
    previous_period_end,
)
from objectives.selectors import ObjectiveFilters, objective_list
from objectives.status import due_value_missing, rag_expression
from qms.core.actions.selectors import ActionsSummary, actions_summaries
from qms.core.models import Organization
from qms.core.worker_wait import ADMIN_ADVICE, not_picked_up, when, worker_sentence
from qms.dashboard.filters import MAX_OBJECTIVES, DashboardFilters
from reviews.models import ManagementReview
from reviews.selectors_meetings import (
    last_held_review,
    next_review,
    review_compliance,
)

# Worst first: what needs attention leads.
RAG_ORDER = {Rag.RED: 0, Rag.AMBER: 1, Rag.NO_DATA: 2, Rag.GREEN: 3}


@dataclass
class StatusChange:
    """One objective whose status differs between its latest judged period and the one before."""

    code: str
    title: str
    before: str
    after: str

    @property
    def before_label(self) -> str:
        return Rag(self.before).label

    @property
    def after_label(self) -> str:
        return Rag(self.after).label


@dataclass
class NewObjective:
    """An objective with nothing to compare: started since the period before its latest judged
    one, or without a value up to it (it had no status then, only "no data yet")."""

    code: str
    title: str
    status: str
    has_value: bool

    @property
    def status_text(self) -> str:
        return Rag(self.status).label.lower() if self.has_value else "no value yet"


@dataclass
class StatusComparison:
    """Each objective's status in its latest judged period (its current status: the period
    whose value is now due, or a later one whose value has arrived) against its status in the
    period before, so that a value not yet due never counts as a change. New objectives
    (`NewObjective`) are left out of the counts and named apart: becoming measured is not a
    change of status."""

    # (latest period, the one before, how many objectives were compared on them), most first
    pairs: list[tuple[str, str, int]]
    before: dict[str, int]
    after: dict[str, int]
    changes: list[StatusChange]
    new_objectives: list[NewObjective] = field(default_factory=list)

    @property
    def new(self) -> int:
        return len(self.new_objectives)

    @property
    def delta(self) -> dict[str, int]:
        return {k: self.after[k] - self.before[k] for k in Rag.values}

    @property
    def label(self) -> str:
        """What is compared with what: "October 2026 vs September 2026"."""
        if len(self.pairs) == 1:
            return f"{self.pairs[0][0]} vs {self.pairs[0][1]}"
        return "; ".join(
            f"{latest} vs {previous} ({n} objective{'s' if n != 1 else ''})"
            for latest, previous, n in self.pairs
        )


# The nightly full recompute (`objectives.rollup_all`) also moves statuses whose value became
# overdue as days passed: figures older than this missed at least one night.
NIGHTLY_LATE = datetime.timedelta(hours=26)


@dataclass
class Freshness:
    """When the objectives' figures in the filters were computed by the background worker, and
    whether they are stale: a recompute queued after values changed that the worker has not
    picked up within a reasonable wait, or a missed nightly recompute."""

    computed_at: datetime.datetime | None  # the latest recompute of any of them
    notice: str = ""  # "" when fresh: else what is stale, since when, and what to do

    @property
    def stale(self) -> bool:
        return bool(self.notice)


def _freshness(objectives: QuerySet[QualityObjective]) -> Freshness:
    """One aggregate over the objectives' own columns (never their raw values)."""
    found = objectives.order_by().aggregate(
        latest=Max("status_computed_at"),
        oldest=Min("status_computed_at"),
        queued=Min("rollup_queued_at"),
    )
    now = timezone.now()
    notice = not_picked_up(
        found["queued"],
        what="the recalculation of values saved since then",
        kept="the values are saved",
        now=now,
    )
    if not notice and found["oldest"] is not None and now - found["oldest"] > NIGHTLY_LATE:
        notice = (
            f"The nightly recalculation has not run since {when(found['oldest'], now)}, so "
            f"statuses may miss values that became overdue since; {worker_sentence(now)}. "
            f"Nothing is lost: it recomputes everything when it runs. {ADMIN_ADVICE}"
        )
    return Freshness(found["latest"], notice)


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
    status_change: StatusComparison | None
    actions: ActionsSummary
    actions_scope_label: str  # whose actions the action figures count, in words
    action_months: list[ActionsSummary]
    next_review: ManagementReview | None
    last_review: ManagementReview | None
    reviews: list[dict]
    policy_rate: UnitRate | None
    resources: list[dict]
    kpi_series: list[KpiSeries]
    # The month not over yet whose values so far the KPI trends leave out (None: none).
    kpi_month_left_out: datetime.date | None
    executives: list[ExecutiveRecord]
    extra_labels: list[str]
    awaiting: dict[str, int]
    # Staff pulse survey: round labels and one row per group (means; None where the group was
    # under six respondents), the organisation first. Already folded for anonymity.
    # For an auditor limited to a unit: the organisation-wide parts (reviews, accountability,
    # decisions awaited, the pulse survey) are left out, not shown as empty.
    limited_to_unit: bool = False
    survey_rounds: list[str] = field(default_factory=list)
    survey_trend: list = field(default_factory=list)
    messages: list[str] = field(default_factory=list)
    # A period that ended before today: objectives' status as of its end (None: as of today).
    as_of: datetime.date | None = None
    freshness: Freshness | None = None

    @property
    def status_date(self) -> datetime.date:
        """The day the objectives' statuses are as of: the period's end, or today."""
        return self.as_of or self.today

    def all_objectives(self) -> list[QualityObjective]:
        """Every objective in the filters (the CSV, the workbook), as of `status_date`."""
        return as_they_stood(list(self.objectives_query))

    @property
    def objectives_total(self) -> int:
        return sum(self.rag.values())

    @property
    def rag_change(self) -> dict[str, int] | None:
        """Per status, how many more (or fewer) objectives are in it than in the period before
        their latest judged one (see `StatusComparison`)."""
        return self.status_change.delta if self.status_change else None

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
    today: datetime.date | None = None,
    limited_to_unit: bool = False,
) -> DashboardData:
    """The same for everyone who may see it with the same filters: nothing depends on who
    looks (a board copy made by the executive and by the quality manager agree)."""
    today = today or timezone.localdate()
    messages: list[str] = []
    active = objective_list(
        organization=organization,
        filters=ObjectiveFilters(
            unit=filters.unit, executive_id=filters.executive_id, status="active"
        ),
    )
    # A period that ended before today is judged as of its end, from the values of the periods
    # up to then; otherwise as of today (the stored current status).
    as_of = filters.period.end if filters.period.end < today else None
    if as_of is None:
        objectives_query = furthest_from_target_first(active)
        rag, without_value = _rag_counts(objectives_query)
    else:
        objectives_query = furthest_from_target_first(
            _as_of(active, as_of), value="as_of_value", status="as_of_status"
        )
        rag, without_value = _rag_counts(objectives_query, "as_of_status", "as_of_value")
    status_date = as_of or today
    months = filters.period.month_ends()
    kpi_series, kpi_month_left_out = _kpi_series(
        organization, filters, objectives_query, months, messages, today
    )
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
        objectives=as_they_stood(list(objectives_query[:OBJECTIVES_ON_PAGE])),
        objectives_without_value=without_value,
        rag=rag,
        status_change=_status_change(
            objectives_query,
            status_date,
            status="as_of_status" if as_of else "current_status",
            period="as_of_end" if as_of else "current_period_end",
        ),
        actions=period_summary,
        actions_scope_label=actions_scope_label,
        action_months=monthly,
        next_review=None if limited else next_review(organization),
        last_review=None if limited else last_held_review(organization),
        reviews=[] if limited else _reviews(organization, filters, months, as_of),
        policy_rate=_policy_rate(organization, filters),
        resources=_resources(organization, filters),
        kpi_series=kpi_series,
        kpi_month_left_out=kpi_month_left_out,
        executives=executives,
        extra_labels=extra_column_labels(),
        awaiting={} if limited else awaiting_top_management(organization),
        **({} if limited else _survey(organization, filters)),
        messages=messages,
        limited_to_unit=limited,
        as_of=as_of,
        freshness=_freshness(active),
    )


def _as_of(objectives: QuerySet[QualityObjective], as_of: datetime.date) -> QuerySet:
    """The objectives that had started by `as_of`, annotated with their value, its period and
    their status as of that day: the rule of the stored current status
    (`objectives.rollups.current_status`) applied to the values of periods ended by then (the
    latest, or "no data" where the latest period due by then has no value)."""
    objectives = objectives.filter(start_date__lte=as_of)
    latest = Measurement.objects.filter(objective=OuterRef("pk"), period_end__lte=as_of).order_by(
        "-period_end"
    )
    combinations = objectives.order_by().values_list("frequency", "data_due_days").distinct()
    due_end = Case(
        *(
            When(
                frequency=frequency,
                data_due_days=days,
                then=Value(latest_due_period_end(frequency, days, as_of)),
            )
            for frequency, days in combinations
        ),
        default=Value(as_of),
        output_field=DateField(),
    )
    return objectives.annotate(
        as_of_value=Subquery(latest.values("value")[:1]),
        as_of_end=Subquery(latest.values("period_end")[:1]),
        as_of_due_end=due_end,
    ).annotate(
        as_of_status=Case(
            When(
                Q(IsNull(F("as_of_end"), True)) | due_value_missing("as_of_due_end"),
                then=Value(Rag.NO_DATA),
            ),
            default=rag_expression(F("as_of_value")),
            output_field=CharField(),
        )
    )


def as_they_stood(objectives: list[QualityObjective]) -> list[QualityObjective]:
    """Objectives loaded with `_as_of`'s annotations carry their past value and status where
    the pages read the current ones (in memory only: never saved)."""
    for o in objectives:
        if hasattr(o, "as_of_status"):
            o.current_status, o.current_value = o.as_of_status, o.as_of_value
            o.current_period_end = o.as_of_end
    return objectives


def _reviews(
    organization: Organization, filters: DashboardFilters, months, as_of: datetime.date | None
) -> list[dict]:
    """Reviews planned from the first month of the trends; for a period that ended before
    today, up to its end (a period running today also shows the reviews planned ahead)."""
    return [
        r
        for r in review_compliance(organization, since=months[0].replace(day=1))
        if as_of is None or r["planned_on"] <= as_of
    ]


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


def _rag_counts(
    objectives: QuerySet[QualityObjective],
    status: str = "current_status",
    value: str = "current_value",
) -> tuple[dict[str, int], int]:
    """How many objectives are in each status, and how many have no value yet (one query).
    `status` and `value` name the columns (or annotations) counted."""
    rag = dict.fromkeys(Rag.values, 0)
    without_value = 0
    rows = (
        objectives.order_by()
        .values_list(status)
        .annotate(n=Count("id"), no_value=Count("id", filter=Q(**{f"{value}__isnull": True})))
    )
    for status, n, no_value in rows:
        rag[status] = n
        without_value += no_value
    return rag, without_value


def _status_change(
    objectives: QuerySet[QualityObjective],
    today: datetime.date,
    *,
    status: str = "current_status",
    period: str = "current_period_end",
) -> StatusComparison | None:
    """Each objective's status on `today` (the columns or annotations `status` and `period`:
    the current ones, or as of a past period's end) against its rollup's status in the period
    before the one that status judges (three queries, rollups only). A weekly objective is
    compared with the month before its week's month (weeks have no rollups of their own). None
    when no objective has an earlier period to compare."""
    rows = list(
        objectives.order_by("code").values_list(
            "pk",
            "code",
            "title",
            "frequency",
            "data_due_days",
            "start_date",
            status,
            period,
        )
    )
    compared, new = [], []
    for pk, code, title, frequency, due_days, start, status, current_end in rows:
        due_end = latest_due_period_end(frequency, due_days, today)
        # The period the current status judges: the one due when its value is missing ("no
        # data", even if a later period's value was logged early); else the latest value's.
        judged = (
            current_end
            if status != Rag.NO_DATA and current_end is not None and current_end >= due_end
            else due_end
        )
        if frequency == Frequency.QUARTERLY:
            granularity, previous = Granularity.QUARTER, previous_period_end(frequency, judged)
        else:
            granularity = Granularity.MONTH
            previous = previous_period_end(Frequency.MONTHLY, month_end(judged))
        if previous < period_end(frequency, start):
            # Started since: nothing to compare with.
            new.append(NewObjective(code, title, status, current_end is not None))
            continue
        latest_text = describe(frequency, judged)
        previous_text = describe(
            Frequency.QUARTERLY if granularity == Granularity.QUARTER else Frequency.MONTHLY,
            previous,
        )
        compared.append(
            (pk, code, title, status, granularity, previous, latest_text, previous_text)
        )
    if not compared:
        return None
    pks = objectives.order_by().values("pk")
    earlier = KpiRollup.objects.filter(
        objective_id__in=pks,
        granularity__in={c[4] for c in compared},
        period_end__in={c[5] for c in compared},
    ).values_list("objective_id", "granularity", "period_end", "status")
    statuses = {(pk, granularity, end): status for pk, granularity, end, status in earlier}
    # The end of each one's first period with a value (from the rollups: the dashboard never
    # reads raw values): an objective without one by the earlier period had no status there
    # ("no data yet"), so its first value is its start, not a change.
    first_values = dict(
        KpiRollup.objects.filter(objective_id__in=pks, measurement_count__gt=0)
        .values("objective_id")
        .annotate(first=Min("period_end"))
        .values_list("objective_id", "first")
    )
    before, after = dict.fromkeys(Rag.values, 0), dict.fromkeys(Rag.values, 0)
    pairs: dict[tuple[str, str], int] = {}
    changes = []
    for pk, code, title, status, granularity, previous, latest_text, previous_text in compared:
        first = first_values.get(pk)
        if first is None or first > previous:
            new.append(NewObjective(code, title, status, first is not None))
            continue
        # No rollup: that period had no value, and it was due (it is before a due one).
        then = statuses.get((pk, granularity, previous), Rag.NO_DATA)
        before[then] += 1
        after[status] += 1
        pairs[(latest_text, previous_text)] = pairs.get((latest_text, previous_text), 0) + 1
        if then != status:
            changes.append(StatusChange(code, title, then, status))
    if not pairs:
        return None
    changes.sort(key=lambda c: (RAG_ORDER.get(c.after, 9), c.code))
    new.sort(key=lambda o: (RAG_ORDER.get(o.status, 9), o.code))
    return StatusComparison(
        pairs=[(a, b, n) for (a, b), n in sorted(pairs.items(), key=lambda item: -item[1])],
        before=before,
        after=after,
        changes=changes,
        new_objectives=new,
    )


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
    messages: list[str],
    today: datetime.date,
) -> tuple[list[KpiSeries], datetime.date | None]:
    """Monthly rollups of up to eight objectives (and the month not over yet that is left
    out, if one had values): those chosen by code, else the filtered ones, worst first. Never
    the viewer's own: the panel is the same for everyone (a personal view is the executive
    filter, which says whose objectives they are)."""
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
        chosen = as_they_stood(list(objectives[:MAX_OBJECTIVES]))
    chosen = chosen[:MAX_OBJECTIVES]
    points: dict[int, dict] = {o.pk: {} for o in chosen}
    rollups = KpiRollup.objects.filter(
        objective_id__in=list(points),
        granularity=Granularity.MONTH,
        period_end__gte=months[0],
        period_end__lte=months[-1],
    ).values_list("objective_id", "period_end", "value", "status")
    left_out = None
    for objective_id, end, value, status in rollups:
        if end >= today:
            # A month not over yet: a weekly objective's weeks so far (or a value logged
            # early) would read as the whole month, so the month waits until it ends.
            left_out = end
            continue
        points[objective_id][end] = (float(value) if value is not None else None, status)
    series = [
        KpiSeries(
            o,
            [(end, *points[o.pk][end]) for end in months if end in points[o.pk]],
        )
        for o in chosen
    ]
    return series, left_out
