"""What happens when an objective's status changes (found by the rollups, which compute it
set-based): the `objective.status_changed` webhook, and listeners the apps register (e.g. the
corrective-action proposal when an objective turns red)."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from objectives.models import QualityObjective
from qms.core.webhooks.services import emit, subscribed_organizations


@dataclass(frozen=True)
class StatusChange:
    objective: QualityObjective  # as it is now (its current status, value and period)
    before: str
    after: str
    before_period: datetime.date | None = None

    @property
    def status_changed(self) -> bool:
        return self.before != self.after


Listener = Callable[[list[StatusChange]], None]
_LISTENERS: list[Listener] = []


def register_status_listener(listener: Listener) -> None:
    if listener not in _LISTENERS:
        _LISTENERS.append(listener)


def statuses_changed(changes: list[tuple]) -> None:
    """Called after the rollups' transaction committed, with (objective id, status before,
    period before, status after, period after) for each objective whose status or current
    period changed."""
    objectives = QualityObjective.objects.select_related(
        "organization", "owner__user", "accountable_executive__user", "org_unit"
    ).in_bulk([pk for pk, *_ in changes])
    found = [
        StatusChange(objectives[pk], before, after, before_period)
        for pk, before, before_period, after, _ in changes
        if pk in objectives
    ]
    subscribed = subscribed_organizations("objective.status_changed")
    for change in found:
        o = change.objective
        if not change.status_changed or o.organization_id not in subscribed:
            continue
        emit(
            o.organization_id,
            "objective.status_changed",
            f"objective:{o.pk}:{o.current_period_end}:{change.after}",
            {
                "objective": o.code,
                "title": o.title,
                "before": change.before,
                "after": change.after,
                "value": str(o.current_value) if o.current_value is not None else None,
                "period_end": o.current_period_end.isoformat() if o.current_period_end else None,
                "accountable_executive": o.accountable_executive.display_name,
            },
        )
    for listener in _LISTENERS:
        listener(found)
