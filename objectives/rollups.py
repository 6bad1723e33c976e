"""KPI rollups (ISO 9001 9.1.3): objectives' values aggregated per month, quarter and year, and
per org-unit subtree, computed set-based in the database.

(Interface fixed; the implementation is being written.)
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable


def recompute_objective(
    objective_id: int, period_ends: Iterable[datetime.date] | None = None
) -> None:
    """Incremental: the rollups of one objective for the periods containing `period_ends` (all
    periods when None), its current status, and the unit rollups of its unit and ancestors."""


def recompute_all(organization_id: int | None = None, today: datetime.date | None = None) -> dict:
    """Full recompute of every rollup and current status (of one organisation, or all)."""
    return {}
