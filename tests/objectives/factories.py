"""Helpers to build objectives and measurements in tests."""

import datetime
from decimal import Decimal

from django.utils import timezone

from objectives import services
from objectives.models import Measurement, QualityObjective
from qms.core.models import Membership, OrgUnit


def make_objective(cast, code="OBJ-01", org=None, unit=None, **overrides) -> QualityObjective:
    """A monthly "higher is better" % objective of cast.org_a owned by carl, accountable alice."""
    org = org or cast.org_a
    owner = (
        overrides.pop("owner", None)
        or Membership.objects.filter(organization=org).exclude(role="auditor").order_by("id").last()
    )
    executive = (
        overrides.pop("accountable_executive", None)
        or Membership.objects.filter(organization=org, role="executive").first()
    )
    if executive is None:  # organisation B has no executive in the cast: make its QM one
        executive = Membership.objects.filter(organization=org).first()
        executive.role = "executive"
        executive.save()
    fields = {
        "title": f"Objective {code}",
        "org_unit": unit or OrgUnit.objects.filter(organization=org).order_by("path").first(),
        "owner": owner,
        "accountable_executive": executive,
        "start_date": datetime.date(2024, 1, 1),
        "due_date": datetime.date(2026, 12, 31),
        "unit": "%",
        "direction": "higher",
        "baseline": Decimal("80"),
        "target": Decimal("95"),
        "amber_threshold": Decimal("92"),
        "red_threshold": Decimal("88"),
        "frequency": "monthly",
        "aggregation": "mean",
        "valid_min": Decimal("0"),
        "valid_max": Decimal("100"),
    }
    fields.update(overrides)
    actor = Membership.objects.filter(organization=org).first().user
    return services.objective_create(organization=org, actor=actor, code=code, **fields)


def add_values(objective, values: dict) -> None:
    """{period_end (date or ISO string): value} stored directly, without rollups."""
    for end, value in values.items():
        if isinstance(end, str):
            end = datetime.date.fromisoformat(end)
        Measurement.objects.create(
            organization_id=objective.organization_id,
            objective=objective,
            period_end=end,
            value=Decimal(str(value)),
            entered_at=timezone.now(),
        )
