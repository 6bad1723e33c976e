"""Milestones detected from the data (run daily by a scheduled task):

- an objective reaches its target (its latest rollup meets the target);
- an objective is green for `MILESTONE_GREEN_PERIODS` (default 3) consecutive periods;
- a unit (the owners' unit) closed every action due in the last quarter on time.

Each is proposed once to the accountable executive: a milestone's `key` names what was achieved
and is unique per organisation, so running the task again proposes nothing new.
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from leadership.engagement.models import Milestone, MilestoneKind
from leadership.engagement.services.notify import notify
from objectives.models import Direction, Frequency, Granularity, KpiRollup, QualityObjective, Rag
from objectives.periods import describe, previous_period_end, quarter_end
from qms.core.actions.models import Action, ActionStatus
from qms.core.models import Organization
from qms.core.notifications.registry import NotificationSpec

PROPOSED_KIND = "milestone-proposed"
# Rollups older than this are not looked at (a milestone is news, not history).
LOOKBACK_DAYS = 2 * 366
# An objective's latest period must have ended within this many days to raise a milestone.
RECENT_DAYS = {Frequency.MONTHLY: 100, Frequency.QUARTERLY: 200}


def green_periods() -> int:
    return getattr(settings, "MILESTONE_GREEN_PERIODS", 3)


def _granularity(objective: QualityObjective) -> tuple[str, str]:
    """The rollup granularity an objective is judged at, and the frequency of those periods."""
    if objective.frequency == Frequency.QUARTERLY:
        return Granularity.QUARTER, Frequency.QUARTERLY
    return Granularity.MONTH, Frequency.MONTHLY


def target_reached(objective: QualityObjective, value: Decimal | None) -> bool:
    if value is None:
        return False
    if objective.direction == Direction.HIGHER:
        return value >= objective.target
    if objective.direction == Direction.LOWER:
        return value <= objective.target
    return abs(value - objective.target) <= objective.amber_threshold


def _objective_candidates(organization: Organization, today: datetime.date) -> list[Milestone]:
    objectives = {
        o.pk: o
        for o in QualityObjective.objects.for_organization(organization)
        .filter(status__in=[QualityObjective.Status.ACTIVE, QualityObjective.Status.ACHIEVED])
        .select_related("accountable_executive", "owner")
    }
    rollups: dict[int, list[KpiRollup]] = defaultdict(list)
    for rollup in (
        KpiRollup.objects.for_organization(organization)
        .filter(
            objective_id__in=objectives,
            granularity__in=[Granularity.MONTH, Granularity.QUARTER],
            period_end__gte=today - datetime.timedelta(days=LOOKBACK_DAYS),
            period_end__lte=today,
        )
        .order_by("objective_id", "-period_end")
    ):
        if rollup.granularity == _granularity(objectives[rollup.objective_id])[0]:
            rollups[rollup.objective_id].append(rollup)
    found = []
    needed = green_periods()
    for objective_id, rows in rollups.items():
        objective = objectives[objective_id]
        frequency = _granularity(objective)[1]
        latest = rows[0]
        if latest.period_end < today - datetime.timedelta(days=RECENT_DAYS[frequency]):
            continue  # no recent data: whatever it achieved back then is not news now
        if target_reached(objective, latest.value):
            found.append(
                Milestone(
                    kind=MilestoneKind.TARGET_REACHED,
                    key=f"target:{objective.pk}",
                    title=f"{objective.code} {objective.title} reached its target "
                    f"({describe(frequency, latest.period_end)})",
                    objective=objective,
                    org_unit_id=objective.org_unit_id,
                    period_end=latest.period_end,
                    executive=objective.accountable_executive,
                    achieved_by=objective.owner,
                )
            )
        run = [latest] if latest.status == Rag.GREEN else []
        for row in rows[1:]:
            if row.status != Rag.GREEN or row.period_end != previous_period_end(
                frequency, run[-1].period_end if run else latest.period_end
            ):
                break
            run.append(row)
        if len(run) >= needed:
            start = run[-1].period_end
            found.append(
                Milestone(
                    kind=MilestoneKind.GREEN_STREAK,
                    key=f"green:{objective.pk}:{start.isoformat()}",
                    title=f"{objective.code} {objective.title} on track {len(run)} periods in a "
                    f"row (since {describe(frequency, start)})",
                    objective=objective,
                    org_unit_id=objective.org_unit_id,
                    period_end=latest.period_end,
                    executive=objective.accountable_executive,
                    achieved_by=objective.owner,
                )
            )
    return found


def last_completed_quarter(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """First and last day of the quarter before the one `today` is in."""
    current_start = datetime.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    end = quarter_end(current_start - datetime.timedelta(days=1))
    return datetime.date(end.year, end.month - 2, 1), end


def _unit_candidates(organization: Organization, today: datetime.date) -> list[Milestone]:
    start, end = last_completed_quarter(today)
    by_unit: dict[int, list[Action]] = defaultdict(list)
    for action in (
        Action.objects.for_organization(organization)
        .filter(due_date__gte=start, due_date__lte=end, owner__org_unit__isnull=False)
        .exclude(status=ActionStatus.CANCELLED)
        .select_related("owner__org_unit", "accountable_executive")
    ):
        by_unit[action.owner.org_unit_id].append(action)
    found = []
    quarter = describe(Frequency.QUARTERLY, end)
    for unit_id, actions in by_unit.items():
        if not all(a.closed_on_time for a in actions):
            continue
        executives = Counter(a.accountable_executive_id for a in actions)
        top = max(executives.items(), key=lambda pair: (pair[1], -pair[0]))[0]
        executive = next(
            a.accountable_executive for a in actions if a.accountable_executive_id == top
        )
        unit = actions[0].owner.org_unit
        found.append(
            Milestone(
                kind=MilestoneKind.ACTIONS_ON_TIME,
                key=f"actions:{unit_id}:{end.isoformat()}",
                title=f"{unit.name} closed all {len(actions)} of its actions due in {quarter} on "
                "time",
                org_unit=unit,
                period_end=end,
                executive=executive,
            )
        )
    return found


def milestones_detect(
    *, organization: Organization, today: datetime.date | None = None
) -> list[Milestone]:
    """Propose the organisation's new milestones and tell each accountable executive; returns
    those created (none the second time)."""
    today = today or timezone.localdate()
    candidates = _objective_candidates(organization, today) + _unit_candidates(organization, today)
    existing = set(
        Milestone.objects.for_organization(organization)
        .filter(key__in=[c.key for c in candidates])
        .values_list("key", flat=True)
    )
    created = []
    for milestone in candidates:
        if milestone.key in existing:
            continue
        milestone.organization = organization
        try:
            with transaction.atomic():
                milestone.save()
                _tell_executive(milestone)
        except IntegrityError:
            continue  # a concurrent run proposed it first
        created.append(milestone)
    return created


def _tell_executive(milestone: Milestone) -> None:
    notify(proposal_spec(milestone))


def proposal_spec(milestone: Milestone) -> NotificationSpec:
    """What its accountable executive is told (until they recognise it or set it aside)."""
    return NotificationSpec(
        recipient=milestone.executive,
        kind=PROPOSED_KIND,
        subject=milestone,
        occasion="proposed",
        title=f"A milestone to recognise: {milestone.title[:150]}",
        body="You are accountable for it. Recognise the person or team with a short note.",
        url=reverse("engagement:recognition", args=[milestone.organization.slug]),
    )


def milestones_detect_all(*, today: datetime.date | None = None) -> int:
    return sum(
        len(milestones_detect(organization=o, today=today)) for o in Organization.objects.active()
    )
