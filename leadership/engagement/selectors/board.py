"""The staff quality board: what every member sees of the quality system, in a fixed number of
queries whatever the organisation's size (asserted in the tests)."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q

from leadership.communication.selectors import recent_announcements
from leadership.engagement.models import SurveyParticipation, SurveyRound
from leadership.engagement.selectors.recognition import recent_recognitions
from leadership.engagement.selectors.suggestions import my_suggestions
from leadership.selectors.policy import current_version, has_acknowledged
from objectives.models import Direction, Frequency, Granularity, KpiRollup, QualityObjective
from qms.core.models import Membership

OBJECTIVES_SHOWN = 12
TREND_PERIODS = 6
SPARK = "▁▂▃▄▅▆▇█"


@dataclass
class BoardObjective:
    objective: QualityObjective
    scope: str  # "unit" or "company"
    values: list[Decimal] = field(default_factory=list)  # oldest first

    @property
    def sparkline(self) -> str:
        values = [float(v) for v in self.values]
        if len(values) < 2:
            return ""
        low, high = min(values), max(values)
        span = (high - low) or 1.0
        return "".join(SPARK[round((v - low) / span * (len(SPARK) - 1))] for v in values)

    @property
    def trend(self) -> str:
        """One line: "Improving over 6 months", "Worsening…", "Steady…", or no data yet."""
        if len(self.values) < 2:
            return "Not enough data for a trend yet"
        first, last = self.values[0], self.values[-1]
        periods = "quarters" if self.objective.frequency == Frequency.QUARTERLY else "months"
        if first == last:
            word = "Steady"
        elif self.objective.direction == Direction.BAND:
            target = self.objective.target
            word = "Improving" if abs(last - target) < abs(first - target) else "Worsening"
        else:
            better = last > first if self.objective.direction == Direction.HIGHER else last < first
            word = "Improving" if better else "Worsening"
        return f"{word} over the last {len(self.values)} {periods}"


@dataclass
class Board:
    membership: Membership
    policy_version: object
    vision: str
    acknowledged: bool
    unit_objectives: list[BoardObjective]
    company_objectives: list[BoardObjective]
    announcements: list
    recognitions: list
    suggestions: list
    survey_round: SurveyRound | None
    survey_answered: bool


def _vision(text: str) -> str:
    """The policy's first paragraph (its opening statement), without Markdown heading marks."""
    for block in (text or "").split("\n\n"):
        line = block.strip().lstrip("#").strip()
        if line:
            return line
    return ""


def _objectives(
    membership: Membership, today: datetime.date
) -> tuple[list[BoardObjective], list[BoardObjective]]:
    unit = membership.org_unit
    condition = Q(org_unit__depth=1)
    if unit is not None:
        condition |= Q(org_unit=unit)
    objectives = list(
        QualityObjective.objects.for_organization(membership.organization)
        .active()
        .filter(condition)
        .select_related("org_unit")
        .order_by("code")[: OBJECTIVES_SHOWN * 2]
    )
    since = today - datetime.timedelta(days=31 * (TREND_PERIODS + 1) * 3)
    values: dict[int, list] = defaultdict(list)
    for rollup in (
        KpiRollup.objects.filter(
            objective_id__in=[o.pk for o in objectives],
            granularity__in=[Granularity.MONTH, Granularity.QUARTER],
            period_end__gte=since,
            value__isnull=False,
        )
        .order_by("objective_id", "period_end")
        .only("objective_id", "granularity", "value", "period_end")
    ):
        values[(rollup.objective_id, rollup.granularity)].append(rollup.value)
    unit_rows, company_rows = [], []
    for objective in objectives:
        granularity = (
            Granularity.QUARTER if objective.frequency == Frequency.QUARTERLY else Granularity.MONTH
        )
        series = values.get((objective.pk, granularity), [])[-TREND_PERIODS:]
        if unit is not None and objective.org_unit_id == unit.pk and unit.depth > 1:
            unit_rows.append(BoardObjective(objective, "unit", series))
        else:
            company_rows.append(BoardObjective(objective, "company", series))
    return unit_rows[:OBJECTIVES_SHOWN], company_rows[:OBJECTIVES_SHOWN]


def staff_board(*, membership: Membership, today: datetime.date) -> Board:
    organization = membership.organization
    version = current_version(organization)
    survey_round = (
        SurveyRound.objects.for_organization(organization)
        .open_on(today)
        .order_by("-opens_on")
        .first()
    )
    answered = (
        survey_round is not None
        and SurveyParticipation.objects.filter(round=survey_round, membership=membership).exists()
    )
    unit_rows, company_rows = _objectives(membership, today)
    return Board(
        membership=membership,
        policy_version=version,
        vision=_vision(version.text) if version else "",
        acknowledged=bool(version) and has_acknowledged(version, membership),
        unit_objectives=unit_rows,
        company_objectives=company_rows,
        announcements=recent_announcements(membership=membership, limit=5),
        recognitions=recent_recognitions(organization=organization, limit=5),
        suggestions=my_suggestions(membership=membership, limit=5),
        survey_round=survey_round,
        survey_answered=answered,
    )
