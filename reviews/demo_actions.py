"""Demo actions raised from the registers (a high risk's treatment, corrective actions of
nonconformities and audit findings), so that the actions list shows every kind of source and
the registers' pages show their actions. Runs after the registers' demo steps; idempotent."""

from __future__ import annotations

import datetime

from django.contrib.contenttypes.models import ContentType
from django.db import transaction

from leadership.models import Risk
from qms.core.actions.models import Action
from qms.core.actions.services import action_close, action_create, action_start
from qms.core.demo import at, on_the_day
from reviews.models import AuditFinding, Nonconformity

# (model, title of the source, action title, owner, executive, due in days, state, raised
# days ago: on the day the risk was reviewed, the nonconformity investigated or the finding
# answered, not the day the demo was seeded)
ACTIONS = [
    (
        Risk,
        "Single source for anodising",
        "Qualify Brightfinish Ltd as a second anodiser",
        "ops.director",
        "ops.director",
        25,
        "in_progress",
        50,
    ),
    (
        Risk,
        "Loss of key CNC programmer",
        "Cross-train two machinists on 5-axis programming",
        "contributor",
        "executive",
        40,
        "open",
        32,
    ),
    (
        Nonconformity,
        "Scratched surface finish on delivered shafts",
        "Add protective sleeves to the shaft packing instruction",
        "contributor",
        "ops.director",
        10,
        "in_progress",
        38,
    ),
    (
        Nonconformity,
        "Work instruction WI-14 out of date at Leeds",
        "Reissue WI-14 and brief the Leeds team",
        "leeds.lead",
        "ops.director",
        -3,
        "open",
        57,
    ),
    (
        Nonconformity,
        "Torque values not recorded on assembly line 2",
        "Add torque logging to the line 2 traveller",
        "leeds.lead",
        "ops.director",
        20,
        "open",
        9,
    ),
    (
        AuditFinding,
        None,
        "Answer the certification body's major finding with a corrective action plan",
        "quality",
        "executive",
        15,
        "done",
        42,
    ),
]


@transaction.atomic
def seed_register_actions(context) -> None:
    organization = context.organization
    risk_type = ContentType.objects.get_for_model(Risk)
    if Action.objects.filter(organization=organization, source_type=risk_type).exists():
        return
    members, today = context.members, context.today
    quality = members["quality"]
    for model, source_title, title, owner, executive, due_in, state, raised_ago in ACTIONS:
        sources = model.objects.for_organization(organization)
        if source_title:
            source = sources.filter(title=source_title).first()
        else:  # the first major nonconformity an audit found
            source = (
                sources.filter(finding_type=AuditFinding.FindingType.MAJOR)
                .order_by("number")
                .first()
            )
        if source is None:
            continue
        raised = today - datetime.timedelta(days=raised_ago)
        with on_the_day(organization, at(raised, hour=11)):
            action = action_create(
                organization=organization,
                raised_by=quality,
                title=title,
                owner=members[owner],
                accountable_executive=members[executive],
                due_date=today + datetime.timedelta(days=due_in),
                source=source,
                today=raised,
            )
        if state in ("in_progress", "done"):
            with on_the_day(organization, at(raised + datetime.timedelta(days=2), hour=10)):
                action = action_start(action=action, actor=members[owner])
        if state == "done":
            with on_the_day(organization, at(raised + datetime.timedelta(days=12), hour=15)):
                action_close(
                    action=action,
                    actor=members[owner],
                    note="Plan sent to the certification body and accepted.",
                )
