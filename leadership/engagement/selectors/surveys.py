"""Pulse survey results, only ever as figures of groups of at least `MIN_GROUP` respondents.

Folding: each unit starts with the responses of its own members. Working up from the deepest
units, a unit with fewer than `MIN_GROUP` respondents is folded into its parent (never shown on
its own); top-level units fold into "Rest of the organisation", with the responses of members
without a unit. Each response counts in exactly one group, so no shown group can be subtracted
from another to reveal a small one. The organisation-wide figure is shown only when the hidden
remainder is empty or itself at least `MIN_GROUP` (otherwise total minus the groups shown would
reveal it).

Nothing here returns a response: pages and the API read these dataclasses only.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from leadership.engagement.models import SurveyResponse, SurveyRound
from leadership.engagement.models.surveys import MIN_GROUP
from qms.core.models import Organization, OrgUnit

REST_LABEL = "Rest of the organisation"


@dataclass
class QuestionMean:
    key: str
    text: str
    mean: float


@dataclass
class GroupResult:
    label: str
    unit_id: int | None
    respondents: int
    mean: float  # over every score of every statement
    questions: list[QuestionMean]
    folded_units: list[str] = field(default_factory=list)  # smaller units counted in this group
    comments: list[str] = field(default_factory=list)  # detached from scores, alphabetical


@dataclass
class RoundResults:
    round: SurveyRound
    respondents: int
    groups: list[GroupResult]
    overall: GroupResult | None
    hidden_respondents: int  # in no shown group (too few, even folded)

    @property
    def min_group(self) -> int:
        return MIN_GROUP


def _group(label, unit_id, rows, questions, folded) -> GroupResult:
    means = []
    all_scores: list[int] = []
    for question in questions:
        values = [r[0][question["key"]] for r in rows if question["key"] in r[0]]
        all_scores.extend(values)
        means.append(
            QuestionMean(
                question["key"],
                question["text"],
                round(sum(values) / len(values), 2) if values else 0,
            )
        )
    return GroupResult(
        label=label,
        unit_id=unit_id,
        respondents=len(rows),
        mean=round(sum(all_scores) / len(all_scores), 2) if all_scores else 0,
        questions=means,
        folded_units=sorted(folded),
        comments=sorted(r[1] for r in rows if r[1]),
    )


def _fold(survey_round: SurveyRound, units: list[OrgUnit], rows_by_unit) -> RoundResults:
    by_path = {u.path: u for u in units}
    pending: dict[int | None, list] = defaultdict(list)
    folded: dict[int | None, list[str]] = defaultdict(list)
    for unit_id, rows in rows_by_unit.items():
        key = unit_id if unit_id in {u.pk for u in units} else None
        pending[key].extend(rows)
    groups = []
    for unit in sorted(units, key=lambda u: (-u.depth, u.path)):
        rows = pending.pop(unit.pk, [])
        if not rows:
            continue
        if len(rows) >= MIN_GROUP:
            groups.append(_group(unit.name, unit.pk, rows, survey_round.questions, folded[unit.pk]))
            continue
        parent = by_path.get(unit.path[: -OrgUnit.steplen]) if unit.depth > 1 else None
        target = parent.pk if parent is not None else None
        pending[target].extend(rows)
        folded[target].extend([unit.name, *folded[unit.pk]])
    rest = pending.pop(None, [])
    hidden = 0
    if len(rest) >= MIN_GROUP:
        groups.append(_group(REST_LABEL, None, rest, survey_round.questions, folded[None]))
    else:
        hidden = len(rest)
    all_rows = [row for rows in rows_by_unit.values() for row in rows]
    overall = None
    if len(all_rows) >= MIN_GROUP and (hidden == 0 or hidden >= MIN_GROUP):
        overall = _group("Whole organisation", None, all_rows, survey_round.questions, [])
        overall.comments = []  # comments are read within their group only
    groups.sort(key=lambda g: (g.unit_id is None, g.label))
    return RoundResults(survey_round, len(all_rows), groups, overall, hidden)


def _responses_by_round(round_ids) -> dict[int, dict[int | None, list]]:
    result: dict[int, dict[int | None, list]] = defaultdict(lambda: defaultdict(list))
    for round_id, unit_id, scores, comment in SurveyResponse.objects.filter(
        round_id__in=round_ids
    ).values_list("round_id", "org_unit_id", "scores", "comment"):
        result[round_id][unit_id].append((scores, comment))
    return result


def survey_results(*, survey_round: SurveyRound) -> RoundResults:
    """One round's results, folded for anonymity."""
    units = list(OrgUnit.objects.for_organization(survey_round.organization_id))
    responses = _responses_by_round([survey_round.pk])
    return _fold(survey_round, units, responses.get(survey_round.pk, {}))


def survey_rounds(*, organization: Organization) -> list[SurveyRound]:
    return list(SurveyRound.objects.for_organization(organization).order_by("-opens_on", "-number"))


def survey_results_by_round(
    *,
    organization: Organization,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
    limit: int | None = None,
) -> list[RoundResults]:
    """Folded results of the rounds opened in [start, end] (or the latest `limit`), oldest first:
    the dashboard's and the management review's survey input. Two queries plus one for units."""
    rounds = SurveyRound.objects.for_organization(organization).order_by("-opens_on", "-number")
    if start is not None:
        rounds = rounds.filter(opens_on__gte=start)
    if end is not None:
        rounds = rounds.filter(opens_on__lte=end)
    selected = list(rounds[:limit] if limit else rounds)
    selected.reverse()
    if not selected:
        return []
    units = list(OrgUnit.objects.for_organization(organization))
    responses = _responses_by_round([r.pk for r in selected])
    return [_fold(r, units, responses.get(r.pk, {})) for r in selected]


@dataclass
class TrendRow:
    label: str
    means: list[float | None]  # one per round, None where the group was not shown


def survey_trend(results: list[RoundResults]) -> list[TrendRow]:
    """Mean score per group across rounds (oldest first), the organisation first."""
    labels: list[str] = []
    for result in results:
        for group in result.groups:
            if group.label not in labels:
                labels.append(group.label)
    rows = [
        TrendRow("Whole organisation", [r.overall.mean if r.overall else None for r in results])
    ]
    for label in labels:
        rows.append(
            TrendRow(
                label,
                [next((g.mean for g in r.groups if g.label == label), None) for r in results],
            )
        )
    return rows
