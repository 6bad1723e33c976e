"""Pulse survey results: counted once, after a round has closed, only ever as figures of groups
of at least `MIN_GROUP` respondents, and frozen in the round.

Folding: each unit starts with the answers of its own members. Working up from the deepest
units, a unit with fewer than `MIN_GROUP` respondents is folded into its parent (never shown on
its own); top-level units fold into "Rest of the organisation", with the answers of members
without a unit. Each answer counts in exactly one group, so no shown group can be subtracted
from another to reveal a small one. The organisation-wide figure is shown only when the hidden
remainder is empty or itself at least `MIN_GROUP` (otherwise total minus the groups shown would
reveal it). `MIN_GROUP` is six, so a respondent who takes their own answer out of any of these
figures is still left with five other people's.

An open round has no figures at all, only `answered_at_least` (how many have answered, in steps
of `ANSWERED_STEP`): figures that changed with each answer would tell, read before and after
one person answered, exactly what that person said.

Comments go with their group: a shown group's comments are listed after the close, in
alphabetical order and apart from the scores; the comments of respondents in no shown group
are not kept.

Nothing here returns an answer: pages, the API, the dashboard, the review agenda and the
evidence pack read these dataclasses only.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.utils import timezone

from leadership.engagement.models import SurveyRound
from leadership.engagement.models.surveys import ANSWERED_STEP, MIN_GROUP
from qms.core.models import Organization, OrgUnit

REST_LABEL = "Rest of the organisation"
OVERALL_LABEL = "Whole organisation"


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
    comments: list[str] = field(default_factory=list)  # apart from the scores, alphabetical

    @classmethod
    def from_frozen(cls, data: dict) -> GroupResult:
        return cls(
            label=data["label"],
            unit_id=data["unit_id"],
            respondents=data["respondents"],
            mean=data["mean"],
            questions=[QuestionMean(**q) for q in data["questions"]],
            folded_units=list(data["folded_units"]),
            comments=list(data["comments"]),
        )

    def frozen(self) -> dict:
        return {
            "label": self.label,
            "unit_id": self.unit_id,
            "respondents": self.respondents,
            "mean": self.mean,
            "questions": [{"key": q.key, "text": q.text, "mean": q.mean} for q in self.questions],
            "folded_units": self.folded_units,
            "comments": self.comments,
        }


@dataclass
class RoundResults:
    round: SurveyRound
    respondents: int | None  # None while the round is open
    groups: list[GroupResult]
    overall: GroupResult | None
    hidden_respondents: int  # in no shown group (too few, even folded)
    answered_at_least: int = 0  # while open: how many have answered, rounded down

    @property
    def min_group(self) -> int:
        return MIN_GROUP

    @property
    def is_open(self) -> bool:
        return not self.round.is_counted

    @property
    def status(self) -> str:
        return "open" if self.is_open else "closed"

    @property
    def comment_count(self) -> int:
        return sum(len(g.comments) for g in self.groups)


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


def frozen_results(questions: list[dict], units: list[OrgUnit], answers) -> dict:
    """The results of a closed round from its opened answers, `(unit id, scores, comment)`
    each, as stored in `SurveyRound.results`: groups folded for anonymity, no answer in it."""
    rows_by_unit: dict[int | None, list] = defaultdict(list)
    for unit_id, scores, comment in answers:
        rows_by_unit[unit_id].append((scores, comment))
    by_path = {u.path: u for u in units}
    unit_ids = {u.pk for u in units}
    pending: dict[int | None, list] = defaultdict(list)
    folded: dict[int | None, list[str]] = defaultdict(list)
    for unit_id, rows in rows_by_unit.items():
        pending[unit_id if unit_id in unit_ids else None].extend(rows)
    groups = []
    for unit in sorted(units, key=lambda u: (-u.depth, u.path)):
        rows = pending.pop(unit.pk, [])
        if not rows:
            continue
        if len(rows) >= MIN_GROUP:
            groups.append(_group(unit.name, unit.pk, rows, questions, folded[unit.pk]))
            continue
        parent = by_path.get(unit.path[: -OrgUnit.steplen]) if unit.depth > 1 else None
        target = parent.pk if parent is not None else None
        pending[target].extend(rows)
        folded[target].extend([unit.name, *folded[unit.pk]])
    rest = pending.pop(None, [])
    hidden = 0
    if len(rest) >= MIN_GROUP:
        groups.append(_group(REST_LABEL, None, rest, questions, folded[None]))
    else:
        hidden = len(rest)
    all_rows = [row for rows in rows_by_unit.values() for row in rows]
    overall = None
    if len(all_rows) >= MIN_GROUP and (hidden == 0 or hidden >= MIN_GROUP):
        overall = _group(OVERALL_LABEL, None, all_rows, questions, [])
        overall.comments = []  # comments are read within their group only
    groups.sort(key=lambda g: (g.unit_id is None, g.label))
    return {
        "respondents": len(all_rows),
        "hidden_respondents": hidden,
        "overall": overall.frozen() if overall else None,
        "groups": [g.frozen() for g in groups],
    }


def answered_at_least(count: int) -> int:
    """How many have answered an open round, told in steps of ANSWERED_STEP (rounded down)."""
    return count // ANSWERED_STEP * ANSWERED_STEP


def _results(survey_round: SurveyRound, answered: int = 0) -> RoundResults:
    data = survey_round.results
    if data is None:
        return RoundResults(survey_round, None, [], None, 0, answered_at_least(answered))
    return RoundResults(
        round=survey_round,
        respondents=data["respondents"],
        groups=[GroupResult.from_frozen(g) for g in data["groups"]],
        overall=GroupResult.from_frozen(data["overall"]) if data["overall"] else None,
        hidden_respondents=data["hidden_respondents"],
    )


def _count_closed_rounds(organization_id: int) -> None:
    # Rounds that closed since the nightly count are counted on first sight, so their results
    # are there the morning after the close whoever looks first.
    from leadership.engagement.services.surveys import survey_rounds_count_closed

    survey_rounds_count_closed(organization_id=organization_id, today=timezone.localdate())


def survey_results(*, survey_round: SurveyRound) -> RoundResults:
    """One round's results: frozen figures once it has closed, only `answered_at_least` while
    it is open."""
    _count_closed_rounds(survey_round.organization_id)
    survey_round.refresh_from_db(fields=["results", "counted_on"])
    answered = 0 if survey_round.is_counted else survey_round.participations.count()
    return _results(survey_round, answered)


def survey_rounds(*, organization: Organization) -> list[SurveyRound]:
    return list(SurveyRound.objects.for_organization(organization).order_by("-opens_on", "-number"))


def survey_results_by_round(
    *,
    organization: Organization,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
    limit: int | None = None,
) -> list[RoundResults]:
    """Results of the counted (closed) rounds opened in [start, end] (or the latest `limit`),
    oldest first: the dashboard's, the management review's and the evidence pack's survey
    input. An open round is in none of them. One query."""
    _count_closed_rounds(organization.pk)
    rounds = SurveyRound.objects.for_organization(organization).filter(results__isnull=False)
    if start is not None:
        rounds = rounds.filter(opens_on__gte=start)
    if end is not None:
        rounds = rounds.filter(opens_on__lte=end)
    selected = list(rounds.order_by("-opens_on", "-number")[:limit] if limit else rounds)
    selected.sort(key=lambda r: (r.opens_on, r.number))
    return [_results(r) for r in selected]


@dataclass
class TrendRow:
    label: str  # the group's own name: a chart's legend
    means: list[float | None]  # one per round, None where the group was not shown
    includes: list[str] = field(default_factory=list)  # smaller units counted in it

    @property
    def full_label(self) -> str:
        """The name with the units it counts, for tables and sentences: "Acme Precision Ltd
        (includes Customer Service)" beside "Whole organisation" (a try-out read the bare name
        as a second name for everyone). A legend keeps the name alone, which fits its line."""
        if not self.includes:
            return self.label
        return f"{self.label} (includes {', '.join(self.includes)})"


def survey_trend(results: list[RoundResults]) -> list[TrendRow]:
    """Mean score per group across rounds (oldest first), the organisation first."""
    labels: list[str] = []
    for result in results:
        for group in result.groups:
            if group.label not in labels:
                labels.append(group.label)
    rows = [TrendRow(OVERALL_LABEL, [r.overall.mean if r.overall else None for r in results])]
    for label in labels:
        # A unit's group also counts the smaller units folded into it (`full_label`).
        folded = sorted(
            {unit for r in results for g in r.groups if g.label == label for unit in g.folded_units}
        )
        rows.append(
            TrendRow(
                label,
                [next((g.mean for g in r.groups if g.label == label), None) for r in results],
                includes=folded,
            )
        )
    return rows
