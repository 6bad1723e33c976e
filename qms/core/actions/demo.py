"""Demo actions for Acme Precision Ltd: some raised from the off-track demo objectives, some by
hand; some overdue, some done, verified effective, one found not effective and reopened, one
cancelled. Made through the services (so the audit trail records them), then moved back in time
so that the demo reads as months of use. Idempotent: an action whose title exists is skipped."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.apps import apps
from django.db import transaction
from django.utils import timezone

from qms.core.actions import services
from qms.core.actions.models import Action, EffectivenessCheck
from qms.core.actions.sources import source_for_model


@dataclass(frozen=True)
class DemoAction:
    title: str
    objective: str | None  # code of a demo objective, or None when raised by hand
    owner: str
    executive: str
    raised: int  # days before today
    due: int  # days from today (negative: in the past)
    outcome: str  # open, in_progress, done, verified, not_effective, cancelled
    closed: int | None = None  # days before today
    checked: int | None = None  # days before today
    checker: str = "quality"
    new_due: int | None = None  # not effective: the reopened action's due date, from today
    note: str = ""
    description: str = ""


# fmt: off
DEMO_ACTIONS = [
    DemoAction("Root-cause analysis of the first-pass yield drop on cell 3", "OBJ-04", "contributor", "ops.director", 75, -45, "verified", closed=50, checked=20, note="5-why and fishbone done: worn collet chucks on two lathes. Chucks replaced.", description="Yield fell from 97% to 94% over two months; find the cause before changing anything."),
    DemoAction("Replace worn fixtures on the cell 3 lathes", "OBJ-04", "contributor", "ops.director", 40, -10, "in_progress", description="Fixtures found worn during the root-cause analysis."),
    DemoAction("Weekly delivery call with the three late suppliers", "OBJ-07", "leeds.lead", "ops.director", 60, -30, "done", closed=35, note="Calls held weekly since; actions logged in the supplier file."),
    DemoAction("Dual-source the machined housings", "OBJ-07", "leeds.lead", "ops.director", 20, 40, "open", description="One supplier causes 60% of late deliveries; qualify a second source."),
    DemoAction("Clear the backlog of audit findings older than 60 days", "OBJ-14", "quality", "executive", 90, -30, "not_effective", closed=25, checked=10, checker="executive", new_due=20, note="Backlog cleared in a two-day blitz.", description="Eleven findings are older than 60 days."),
    DemoAction("Restore monthly reporting of calibration status", "OBJ-09", "contributor", "ops.director", 15, -5, "open", description="No values reported for three months."),
    DemoAction("Fit energy sub-meters on the Leeds assembly line", "OBJ-13", "leeds.lead", "executive", 10, 50, "in_progress"),
    DemoAction("Update the supplier quality manual to ISO 9001:2015 wording", None, "quality", "executive", 120, -90, "verified", closed=95, checked=60, checker="executive", note="Manual v4 issued and sent to all approved suppliers."),
    DemoAction("Brief all team leads on the revised complaint-handling procedure", None, "cs.lead", "cs.director", 50, -20, "verified", closed=22, checked=5, note="Six briefings held; attendance sheet in the training file."),
    DemoAction("Repair the leaking coolant line on machine M12", None, "contributor", "ops.director", 30, -16, "open", description="Coolant on the floor is a slip hazard and contaminates parts."),
    DemoAction("Run a refresher on control plans for new starters", None, "cs.lead", "cs.director", 25, 5, "cancelled", closed=3, note="Covered by the new induction programme from next month."),
    DemoAction("Review calibration intervals for torque wrenches", None, "leeds.lead", "ops.director", 5, 25, "open"),
]
# fmt: on

EVIDENCE = {
    "verified": "Checked the last three months of data: the problem has not come back.",
    "not_effective": "Three new findings passed 60 days this month: the backlog is growing again.",
}


@transaction.atomic
def seed_actions(context) -> None:
    """Runs after every app's demo step, since any app's records may be an action's source."""
    from qms.core.demo import on_the_day  # that module runs this step

    organization = context.organization
    members = context.members
    today = context.today
    existing = set(Action.objects.for_organization(organization).values_list("title", flat=True))
    for spec in DEMO_ACTIONS:
        if spec.title in existing:
            continue
        source = _objective(organization, spec.objective) if spec.objective else None
        if spec.objective and source is None:
            continue  # the objectives app is not installed, or its demo was not seeded
        # Replayed on the day it was raised (its notifications count as sent then, not
        # e-mailed on the demo's first start); `_backdate` then spreads its steps over the
        # days the spec says.
        with on_the_day(organization, _at(today, spec.raised, 9)):
            owner, quality = members[spec.owner], members["quality"]
            action = services.action_create(
                organization=organization,
                raised_by=quality,
                title=spec.title,
                description=spec.description,
                owner=owner,
                accountable_executive=members[spec.executive],
                due_date=today,
                source=source,
                today=today,
            )
            if spec.outcome == "cancelled":
                services.action_cancel(action=action, actor=quality, reason=spec.note)
            if spec.outcome == "in_progress":
                services.action_start(action=action, actor=owner)
            if spec.outcome in ("done", "verified", "not_effective"):
                services.action_start(action=action, actor=owner)
                services.action_close(action=action, actor=owner, note=spec.note)
            if spec.outcome in ("verified", "not_effective"):
                services.action_verify(
                    action=action,
                    verifier=members[spec.checker],
                    result="effective" if spec.outcome == "verified" else "not_effective",
                    evidence=EVIDENCE[spec.outcome],
                )
        _backdate(action, spec, today)


def _objective(organization, code: str):
    if not apps.is_installed("objectives"):
        return None
    model = apps.get_model("objectives", "QualityObjective")
    if source_for_model(model) is None:
        return None
    return model.objects.filter(organization=organization, code=code).first()


def _at(today: datetime.date, days_ago: int, hour: int) -> datetime.datetime:
    day = today - datetime.timedelta(days=days_ago)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _backdate(action: Action, spec: DemoAction, today: datetime.date) -> None:
    """Move the action, its checks and its history back to the days the spec says."""
    raised = _at(today, spec.raised, 9)
    due = today + datetime.timedelta(days=spec.due)
    new_due = today + datetime.timedelta(days=spec.new_due) if spec.new_due else due
    closed = _at(today, spec.closed, 16) if spec.closed is not None else None
    checked = _at(today, spec.checked, 11) if spec.checked is not None else None
    still_closed = spec.outcome in ("done", "verified", "cancelled")
    Action.objects.filter(pk=action.pk).update(
        created_at=raised,
        updated_at=checked or closed or raised,
        due_date=new_due,
        closed_at=closed if still_closed else None,
        verified_at=checked,
    )
    EffectivenessCheck.objects.filter(action=action).update(checked_at=checked)
    when = {
        "Raised": raised,
        "Raised from source": raised,
        "Started": raised + datetime.timedelta(days=2),
        "Closed": closed,
        "Cancelled": closed,
    }
    for row in Action.history.filter(id=action.pk):
        reason = row.history_change_reason or ""
        is_check = reason.startswith(("Verified", "Not effective"))
        row.history_date = when.get(reason) or (checked if is_check else None) or raised
        row.created_at = raised
        row.due_date = new_due if is_check else due
        if row.closed_at is not None:
            row.closed_at = closed
        if row.verified_at is not None:
            row.verified_at = checked
        row.save()
    for row in EffectivenessCheck.history.filter(action_id=action.pk):
        row.history_date = checked
        row.checked_at = checked
        row.save()
