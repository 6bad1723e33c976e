"""What the objective's page shows of its off-track periods, and which forms this member gets."""

from __future__ import annotations

import datetime

from django.utils import timezone

from objectives.forms import RedAcceptForm, RedDismissForm, RedExplainForm
from objectives.models import RedFollowUp
from objectives.red_follow_ups import latest_lock, rules_for
from qms.core.roles import Role

SHOWN = 3


def red_panel(objective, membership) -> dict:
    follow_ups = list(
        RedFollowUp.objects.filter(objective=objective)
        .select_related("action", "decided_by__user", "explained_by__user")
        .order_by("-period_end")[:SHOWN]
    )
    may_explain = membership is not None and (
        membership.pk == objective.owner_id or membership.role == Role.QUALITY_MANAGER
    )
    may_decide = membership is not None and membership.role == Role.EXECUTIVE
    due = timezone.localdate() + datetime.timedelta(days=30)
    return {
        "red_follow_ups": follow_ups,
        "red_explanation_required": rules_for(objective.organization_id).red_explanation_required,
        "red_explain_form": RedExplainForm() if may_explain else None,
        "red_accept_form": RedAcceptForm(
            organization=objective.organization,
            initial={
                "title": f"Bring {objective.code} back on track",
                "owner": objective.owner_id,
                "due_date": due,
            },
        )
        if may_decide
        else None,
        "red_dismiss_form": RedDismissForm() if may_decide else None,
        "period_lock": latest_lock(objective.organization, objective.org_unit),
    }
