"""Known data for pack tests: an objective with measurements and rollups, a held review."""

import datetime
from decimal import Decimal

from objectives.rollups import recompute_objective
from objectives.services import measurement_record
from qms.core.models import Membership
from tests.objectives.factories import make_objective

PERIOD = (datetime.date(2025, 1, 1), datetime.date(2025, 12, 31))


def objective_with_values(cast, code="OBJ-01", org=None, title=None):
    org = org or cast.org_a
    objective = make_objective(
        cast, code=code, org=org, title=title or f"On-time delivery {code}",
        start_date=datetime.date(2024, 1, 1), due_date=datetime.date(2026, 12, 31),
    )  # fmt: skip
    member = Membership.objects.filter(organization=org).first().user
    for month, value in ((1, "93"), (2, "87"), (3, "96")):
        end = datetime.date(2025, month + 1, 1) - datetime.timedelta(days=1)
        measurement_record(objective=objective, period_end=end, value=Decimal(value), actor=member)
    # One outside the period: must not be in the pack.
    measurement_record(
        objective=objective, period_end=datetime.date(2024, 12, 31), value=Decimal("90"),
        actor=member,
    )  # fmt: skip
    recompute_objective(objective.pk)
    return objective
