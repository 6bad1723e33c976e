"""Demo objectives for Acme Precision Ltd: 15 objectives across the units with three years of
monthly values, some on track, some failing, some with missing data. Deterministic (seeded)
so the demo and its screenshots look the same every time."""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from django.db import transaction
from simple_history.utils import bulk_create_with_history

from objectives import rollups, services
from objectives.models import ActionStep, Measurement, QualityObjective
from objectives.periods import latest_due_period_end, previous_period_end
from qms.core.demo import at, on_the_day

# code, title, unit code, owner, executive, unit, direction, baseline, target, amber, red,
# aggregation, shape of the series ("improving", "on_track", "steady", "failing", "gap",
# "volatile"),
# valid range
# fmt: off
OBJECTIVES = [
    ("OBJ-01", "On-time delivery to customers", "ACME", "quality", "executive", "%", "higher", 88, 96, 94, 90, "mean", "improving", (0, 100)),
    ("OBJ-02", "Customer satisfaction score", "CUS", "cs.lead", "cs.director", "points", "higher", 7.6, 8.5, 8.2, 7.8, "mean", "on_track", (0, 10)),
    ("OBJ-03", "Customer complaints per month", "CUS", "cs.lead", "cs.director", "complaints", "lower", 14, 6, 8, 11, "sum", "improving", (0, 1000)),
    ("OBJ-04", "First-pass yield, machining", "SHF", "contributor", "ops.director", "%", "higher", 93, 98, 97, 95, "mean", "failing", (0, 100)),
    ("OBJ-05", "Scrap rate, machining", "SHF", "contributor", "ops.director", "%", "lower", 3.8, 2.0, 2.5, 3.2, "mean", "on_track", (0, 100)),
    ("OBJ-06", "Internal nonconformities closed on time", "ACME", "quality", "executive", "%", "higher", 70, 90, 85, 75, "mean", "volatile", (0, 100)),
    ("OBJ-07", "Supplier on-time delivery", "LDS", "leeds.lead", "ops.director", "%", "higher", 85, 95, 92, 88, "mean", "failing", (0, 100)),
    ("OBJ-08", "Assembly defects per million", "LDS", "leeds.lead", "ops.director", "ppm", "lower", 850, 400, 500, 700, "mean", "improving", (0, 1000000)),
    ("OBJ-09", "Calibration due items overdue", "SHF", "contributor", "ops.director", "items", "lower", 6, 0, 1, 3, "max", "gap", (0, 500)),
    ("OBJ-10", "Training plan completion", "ACME", "quality", "executive", "%", "higher", 60, 95, 90, 80, "last", "improving", (0, 100)),
    ("OBJ-11", "Average complaint response time", "CUS", "cs.lead", "cs.director", "days", "lower", 6.5, 3.0, 3.5, 5.0, "mean", "on_track", (0, 365)),
    ("OBJ-12", "Machine availability (OEE availability)", "SHF", "contributor", "ops.director", "%", "higher", 82, 90, 88, 84, "mean", "volatile", (0, 100)),
    ("OBJ-13", "Energy use per part", "LDS", "leeds.lead", "executive", "kWh", "lower", 1.9, 1.5, 1.6, 1.8, "mean", "gap", (0, 100)),
    ("OBJ-14", "Audit findings closed within 60 days", "ACME", "quality", "executive", "%", "higher", 65, 90, 85, 75, "mean", "failing", (0, 100)),
    ("OBJ-15", "Dimensional accuracy within tolerance", "SHF", "contributor", "ops.director", "%", "band", 99.0, 99.5, 0.3, 0.8, "mean", "steady", (90, 100)),
]
# fmt: on
# Unit objectives that break down the company-wide delivery objective.
CASCADE = {"OBJ-07": ("OBJ-01", Decimal("0.6")), "OBJ-04": ("OBJ-01", Decimal("0.4"))}


def _series(
    shape: str, baseline: float, target: float, months: int, rng: random.Random
) -> list[float | None]:
    span = target - baseline
    noise = abs(span) * 0.08 or 0.1
    values: list[float | None] = []
    for i in range(months):
        progress = i / max(months - 1, 1)
        if shape == "improving":
            level = baseline + span * min(1.0, progress * 1.1)
        elif shape == "on_track":
            # Still improving, past the target by the end: a KPI held exactly on its target
            # would be a flat line, which the forecast rightly finds no trend in.
            level = baseline + span * (0.5 + 0.8 * progress)
        elif shape == "steady":
            # Held around the target (a band): no trend, and the forecast says so.
            level = baseline + span * min(1.0, 0.5 + progress)
        elif shape == "failing":
            level = baseline + span * (
                0.5 * progress if progress < 0.6 else 0.3 - 0.6 * (progress - 0.6)
            )
        elif shape == "volatile":
            level = baseline + span * (0.6 + 0.35 * ((-1) ** i))
        else:  # "gap": improving, but the last months were never reported
            level = baseline + span * progress
        values.append(level + rng.gauss(0, noise))
    if shape == "gap":
        values[-3:] = [None, None, None]
    return values


@transaction.atomic
def seed_objectives(context) -> None:
    """DEMO_STEPS step: idempotent, skips when the demo objectives exist."""
    organization = context.organization
    if QualityObjective.objects.filter(organization=organization, code="OBJ-01").exists():
        return
    today = context.today
    actor = context.members["quality"].user
    last_end = latest_due_period_end("monthly", 10, today)
    ends = [last_end]
    while len(ends) < 36:
        ends.append(previous_period_end("monthly", ends[-1]))
    ends.reverse()
    start = ends[0].replace(day=1)
    # The objectives were set a fortnight before their first month; each value was entered a
    # few days after its month ended (as owners do), not all on the day the demo was seeded.
    with on_the_day(organization, at(start - datetime.timedelta(days=14), hour=10)):
        created = _create_objectives(context, ends, start)
    for code, (parent, weight) in CASCADE.items():
        with on_the_day(organization, at(start - datetime.timedelta(days=13), hour=11)):
            services.objective_update(
                objective=created[code], actor=actor, parent=created[parent], weight=weight
            )
    _seed_plan(context, created)
    rollups.recompute_all(organization.id, today=today)


def entered_on(period_end: datetime.date) -> datetime.datetime:
    """When the demo's value for a month was entered: 2 to 7 days after the month ended, at a
    working hour (deterministic, so the demo reads the same every time)."""
    day = period_end + datetime.timedelta(days=2 + (period_end.month * 5 + period_end.year) % 6)
    return at(day, hour=9 + period_end.month % 7)


def _create_objectives(context, ends: list[datetime.date], start: datetime.date) -> dict:
    organization, today = context.organization, context.today
    actor = context.members["quality"].user
    rng = random.Random(9001)  # noqa: S311 - demo data, not security
    created: dict[str, QualityObjective] = {}
    for (
        code,
        title,
        unit,
        owner,
        executive,
        measure,
        direction,
        baseline,
        target,
        amber,
        red,
        aggregation,
        shape,
        valid,
    ) in OBJECTIVES:
        created[code] = services.objective_create(
            organization=organization,
            actor=actor,
            code=code,
            title=title,
            statement=f"{title}: from {baseline} to {target} {measure} by the end of next year.",
            org_unit=context.units[unit],
            owner=context.members[owner],
            accountable_executive=context.members[executive],
            start_date=start,
            due_date=datetime.date(today.year + 1, 12, 31),
            unit=measure,
            direction=direction,
            baseline=Decimal(str(baseline)),
            target=Decimal(str(target)),
            amber_threshold=Decimal(str(amber)),
            red_threshold=Decimal(str(red)),
            frequency="monthly",
            aggregation=aggregation,
            decimal_places=0
            if measure in ("complaints", "items", "ppm")
            else (2 if measure == "kWh" else 1),
            valid_min=Decimal(str(valid[0])),
            valid_max=Decimal(str(valid[1])),
        )
        places = created[code].decimal_places
        rows = []
        for end, value in zip(ends, _series(shape, baseline, target, len(ends), rng), strict=True):
            if value is None:
                continue
            value = min(max(value, valid[0]), valid[1])
            row = Measurement(
                organization=organization,
                objective=created[code],
                period_end=end,
                value=Decimal(str(round(value, places))),
                source=Measurement.Source.IMPORT,
                entered_by=actor,
                entered_at=entered_on(end),
            )
            row._history_date = row.entered_at  # its audit-trail entry: the same moment
            rows.append(row)
        bulk_create_with_history(
            rows, Measurement, default_user=actor, default_change_reason="Demo data"
        )
    return created


def _seed_plan(context, created: dict) -> None:
    actor, today = context.members["quality"].user, context.today
    # fmt: off
    plan = [
        ("OBJ-04", "Introduce in-process gauging on the two CNC lines", "GBP 18,000 gauges; 4 days setup", "contributor", 45, "First-pass yield at least 97% for three consecutive months"),
        ("OBJ-04", "Root-cause workshop on top 3 scrap causes", "2 engineers for 2 days", "quality", 20, "Pareto of causes before and after"),
        ("OBJ-07", "Quarterly scorecards with the five late suppliers", "Purchasing time", "leeds.lead", 30, "Supplier OTD trend per supplier"),
        ("OBJ-14", "Weekly audit-finding review in the ops meeting", "30 min weekly", "quality", 14, "Share closed within 60 days"),
    ]
    # fmt: on
    for code, what, resources, who, days, evaluation in plan:
        services.plan_step_create(
            objective=created[code],
            actor=actor,
            what=what,
            resources=resources,
            responsible=context.members[who],
            due_date=today + datetime.timedelta(days=days),
            evaluation=evaluation,
            status=ActionStep.Status.IN_PROGRESS,
        )


# Explanations the demo's owners gave, in turn, for their off-track objectives.
RED_EXPLANATIONS = [
    ("A supplier's late deliveries held the line for two weeks.",
     "Qualify a second supplier; weekly delivery review until it recovers."),
    ("A new operator team still on the learning curve.",
     "Pair each new operator with a senior for a month; re-check in four weeks."),
    ("The measuring method changed mid-month.",
     "Confirm the new method with the metrology lab; restate the target if needed."),
]  # fmt: skip


def seed_red_follow_ups(context) -> None:
    """Each off-track objective's follow-up (as the rollups open them), on the days they
    happened: opened when its red value was entered, explained by the owner the next working
    day, decided by the executive two days later. Most explained, some with the executive's
    decision, one left for its owner and executive to act on. A DEMO_FINAL_STEPS step: an
    objective that already has an open corrective action is covered by it (no second one)."""
    from objectives.models import Rag, RedFollowUp
    from objectives.red_follow_ups import (
        follow_up_open,
        red_follow_up_accept,
        red_follow_up_explain,
    )

    organization = context.organization
    if RedFollowUp.objects.filter(organization=organization).exists():
        return
    red = list(
        QualityObjective.objects.for_organization(organization)
        .active()
        .filter(current_status=Rag.RED, current_period_end__isnull=False)
        .select_related("owner__user", "accountable_executive__user", "organization")
        .order_by("code")
    )
    contributor = context.members.get("contributor")
    # The one left open: not the demo contributor's (their objectives stay open to new values).
    waiting = next((o for o in red if o.owner_id != getattr(contributor, "pk", None)), None)
    for n, objective in enumerate(red):
        entered = entered_on(objective.current_period_end)
        with on_the_day(organization, entered + datetime.timedelta(minutes=5)):
            follow_up = follow_up_open(objective, consecutive=False)
        if follow_up is None or objective == waiting:
            continue
        why, nxt = RED_EXPLANATIONS[n % len(RED_EXPLANATIONS)]
        with on_the_day(organization, entered + datetime.timedelta(days=1)):
            red_follow_up_explain(
                follow_up=follow_up, membership=objective.owner, explanation=why, next_step=nxt
            )
        if n % 2 == 0 and follow_up.proposal_status == RedFollowUp.ProposalStatus.PROPOSED:
            decided = entered + datetime.timedelta(days=3)
            with on_the_day(organization, decided):
                red_follow_up_accept(
                    follow_up=follow_up,
                    membership=objective.accountable_executive,
                    title=f"Bring {objective.code} back on track",
                    owner=objective.owner,
                    due_date=decided.date() + datetime.timedelta(days=30),
                    today=decided.date(),
                )
