"""Resources (ISO 9001 7.1): what was requested for an objective or a unit, what top management
approved, and what was spent."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from objectives.models import QualityObjective
from qms.core.models import BaseModel, Membership, Organization, OrganizationScopedQuerySet, OrgUnit

AMOUNT = {"max_digits": 16, "decimal_places": 2}


def amount_places(*amounts) -> int:
    """Amounts of one unit of measure shown together are written alike: whole numbers without
    decimals, and two decimals for all of them as soon as one has a fraction ("0.50 FTE
    approved, 0.00 spent", never "0.50" beside "0")."""
    values = [Decimal(str(a)) for a in amounts if a not in (None, "")]
    return 0 if all(v == v.to_integral_value() for v in values) else 2


def amount_text(value, places: int | None = None) -> str:
    """An amount as the pages write it: "9,000", "0.50"; with `places` (from `amount_places`
    of the amounts beside it) as they are written."""
    value = Decimal(str(value))
    if places is None:
        places = amount_places(value)
    return f"{value:,.{places}f}"


class ResourceAllocation(BaseModel):
    class Kind(models.TextChoices):
        BUDGET = "budget", "Budget"
        PEOPLE = "people", "People (FTE)"
        INFRASTRUCTURE = "infrastructure", "Infrastructure and equipment"
        ENVIRONMENT = "environment", "Work environment"
        MONITORING = "monitoring", "Monitoring and measuring resources"
        KNOWLEDGE = "knowledge", "Knowledge and training"

    class Status(models.TextChoices):
        REQUESTED = "requested", "Requested"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    title = models.CharField(max_length=200)
    justification = models.TextField(blank=True, help_text="What the resource is needed for.")
    objective = models.ForeignKey(
        QualityObjective, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    org_unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    amount = models.DecimalField(**AMOUNT, validators=[MinValueValidator(Decimal("0.01"))])
    unit = models.CharField(
        max_length=20, help_text="The organisation's currency for a budget, or FTE, days, units…"
    )
    period_start = models.DateField()
    period_end = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.REQUESTED)
    requested_by = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="+")
    decided_by = models.ForeignKey(
        Membership,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="resource_decisions",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_comment = models.CharField(max_length=500, blank=True)

    history = HistoricalRecords()
    objects = OrganizationScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-period_start", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(objective__isnull=False) | Q(org_unit__isnull=False),
                name="allocation_for_objective_or_unit",
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")), name="allocation_period_ordered"
            ),
            models.CheckConstraint(
                condition=Q(status="requested") | Q(decided_by__isnull=False),
                name="allocation_decision_has_decider",
            ),
        ]
        indexes = [models.Index(fields=["organization", "status"])]

    def __str__(self) -> str:
        return f"{self.title} ({self.amount} {self.unit})"


class ResourceSpend(models.Model):
    """Actual spend or usage logged against an approved allocation."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    allocation = models.ForeignKey(
        ResourceAllocation, on_delete=models.PROTECT, related_name="spends"
    )
    date = models.DateField()
    amount = models.DecimalField(**AMOUNT, validators=[MinValueValidator(Decimal("0.01"))])
    note = models.CharField(max_length=300, blank=True)
    over_reason = models.CharField(
        "reason for spending more than approved",
        max_length=500,
        blank=True,
        help_text="Required when this spend takes the total beyond the approved amount.",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()
    objects = OrganizationScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        # "6,500 GBP spent on CMM upgrade, 3 Nov 2026": the audit trail shows this name.
        amount = amount_text(self.amount)
        day = f"{self.date:%-d %b %Y}" if hasattr(self.date, "year") else self.date
        return f"{amount} {self.allocation.unit} spent on {self.allocation.title}, {day}"
