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
from reviews.models import AuditFinding, Nonconformity

# (model, title of the source, action title, owner, executive, due in days, state)
ACTIONS = [
    (
        Risk,
        "Single source for anodising",
        "Qualify Brightfinish Ltd as a second anodiser",
        "ops.director",
        "ops.director",
        25,
        "in_progress",
    ),
    (
        Risk,
        "Loss of key CNC programmer",
        "Cross-train two machinists on 5-axis programming",
        "contributor",
        "executive",
        40,
        "open",
    ),
    (
        Nonconformity,
        "Scratched surface finish on delivered shafts",
        "Add protective sleeves to the shaft packing instruction",
        "contributor",
        "ops.director",
        10,
        "in_progress",
    ),
    (
        Nonconformity,
        "Work instruction WI-14 out of date at Leeds",
        "Reissue WI-14 and brief the Leeds team",
        "leeds.lead",
        "ops.director",
        -3,
        "open",
    ),
    (
        Nonconformity,
        "Torque values not recorded on assembly line 2",
        "Add torque logging to the line 2 traveller",
        "leeds.lead",
        "ops.director",
        20,
        "open",
    ),
    (
        AuditFinding,
        None,
        "Answer the certification body's major finding with a corrective action plan",
        "quality",
        "executive",
        15,
        "done",
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
    for model, source_title, title, owner, executive, due_in, state in ACTIONS:
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
        action = action_create(
            organization=organization,
            raised_by=quality,
            title=title,
            owner=members[owner],
            accountable_executive=members[executive],
            due_date=today + datetime.timedelta(days=max(due_in, 1)),
            source=source,
            today=today,
        )
        if due_in < 0:  # demo only: an action that became overdue
            Action.objects.filter(pk=action.pk).update(
                due_date=today + datetime.timedelta(days=due_in)
            )
            action.refresh_from_db()
        if state in ("in_progress", "done"):
            action = action_start(action=action, actor=members[owner])
        if state == "done":
            action_close(
                action=action,
                actor=members[owner],
                note="Plan sent to the certification body and accepted.",
            )
