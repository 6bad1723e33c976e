"""Quality objectives (ISO 9001 6.2), their KPI, measurements, plans and rollups (9.1.3).

`objectives` sits just above `qms.core`: it imports no other app. Links from the policy or
resources to objectives are declared on their side.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from qms.core.models import BaseModel, Membership, Organization, OrganizationScopedQuerySet, OrgUnit


class Direction(models.TextChoices):
    HIGHER = "higher", "Higher is better"
    LOWER = "lower", "Lower is better"
    BAND = "band", "Within a band around the target"


class Frequency(models.TextChoices):
    WEEKLY = "weekly", "Weekly"
    MONTHLY = "monthly", "Monthly"
    QUARTERLY = "quarterly", "Quarterly"


class Aggregation(models.TextChoices):
    MEAN = "mean", "Mean"
    SUM = "sum", "Sum"
    LAST = "last", "Last value"
    MIN = "min", "Minimum"
    MAX = "max", "Maximum"


class Granularity(models.TextChoices):
    MONTH = "month", "Month"
    QUARTER = "quarter", "Quarter"
    YEAR = "year", "Year"


class Rag(models.TextChoices):
    """RAG status. Pages always show the label (and a symbol), never the colour alone."""

    GREEN = "green", "On track"
    AMBER = "amber", "At risk"
    RED = "red", "Off track"
    NO_DATA = "no_data", "No data"


# Every value is stored with 6 decimal places; an objective shows `decimal_places` of them.
VALUE_FIELD = {"max_digits": 24, "decimal_places": 6}
# Any value beyond this is a typo or an attack, whatever the objective's own sane range.
ABSOLUTE_VALUE_LIMIT = Decimal("1000000000000")


class ObjectiveQuerySet(OrganizationScopedQuerySet):
    def active(self):
        return self.filter(status=QualityObjective.Status.ACTIVE)

    def in_unit_subtree(self, unit: OrgUnit):
        """Objectives of this unit and every unit beneath it (one indexed path prefix match)."""
        return self.filter(org_unit__path__startswith=unit.path)


class QualityObjective(BaseModel):
    """A measurable quality objective with its KPI definition (6.2.1) and cascade (6.2.2)."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        ACTIVE = "active", "Active"
        ACHIEVED = "achieved", "Achieved"
        MISSED = "missed", "Missed"
        WITHDRAWN = "withdrawn", "Withdrawn"

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="objectives"
    )
    code = models.CharField(
        max_length=20, help_text="Unique in the organisation, e.g. OBJ-07. Used by imports."
    )
    title = models.CharField(max_length=200)
    statement = models.TextField(
        blank=True, help_text="What will be achieved, for whom, and why it matters."
    )
    org_unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="objectives")
    owner = models.ForeignKey(
        Membership,
        on_delete=models.PROTECT,
        related_name="owned_objectives",
        help_text="Logs the values and runs the plan.",
    )
    accountable_executive = models.ForeignKey(
        Membership,
        on_delete=models.PROTECT,
        related_name="accountable_objectives",
        help_text="The member of top management answerable for it (ISO 9001 5.1).",
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ACTIVE)
    start_date = models.DateField()
    due_date = models.DateField()
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        help_text="The company objective this one contributes to.",
    )
    weight = models.DecimalField(
        max_digits=6,
        decimal_places=2,
        default=Decimal("1"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text="Share of the parent objective this one carries.",
    )

    # --- the KPI -----------------------------------------------------------------------------
    unit = models.CharField(max_length=30, help_text='Unit of measure, e.g. "%", "days", "ppm".')
    direction = models.CharField(max_length=10, choices=Direction.choices, default=Direction.HIGHER)
    baseline = models.DecimalField(**VALUE_FIELD, null=True, blank=True)
    target = models.DecimalField(**VALUE_FIELD)
    amber_threshold = models.DecimalField(
        **VALUE_FIELD,
        help_text="Higher/lower is better: the value at which the status leaves green. "
        "Band: the distance from the target beyond which it is amber.",
    )
    red_threshold = models.DecimalField(
        **VALUE_FIELD,
        help_text="Higher/lower is better: the value beyond which the status is red. "
        "Band: the distance from the target beyond which it is red.",
    )
    frequency = models.CharField(
        max_length=10, choices=Frequency.choices, default=Frequency.MONTHLY
    )
    aggregation = models.CharField(
        max_length=10,
        choices=Aggregation.choices,
        default=Aggregation.MEAN,
        help_text="How values combine when periods roll up into quarters and years.",
    )
    decimal_places = models.PositiveSmallIntegerField(default=1, validators=[MaxValueValidator(4)])
    valid_min = models.DecimalField(
        **VALUE_FIELD,
        null=True,
        blank=True,
        help_text="Values below this are refused as typos (e.g. 0 for a percentage).",
    )
    valid_max = models.DecimalField(
        **VALUE_FIELD,
        null=True,
        blank=True,
        help_text="Values above this are refused as typos (e.g. 100 for a percentage).",
    )
    data_due_days = models.PositiveSmallIntegerField(
        default=10,
        validators=[MaxValueValidator(90)],
        help_text="Days after a period ends by which its value is due; later it counts as missing.",
    )

    lesson_learned = models.TextField(
        "lesson learned",
        blank=True,
        max_length=5000,
        help_text="What we learned from missing it; asked when a missed objective is closed.",
    )

    # --- current status, kept by the rollups so lists filter and sort on it -------------------
    current_status = models.CharField(max_length=10, choices=Rag.choices, default=Rag.NO_DATA)
    current_value = models.DecimalField(**VALUE_FIELD, null=True, blank=True)
    current_period_end = models.DateField(null=True, blank=True)
    status_computed_at = models.DateTimeField(null=True, blank=True)
    # When a recompute was first queued after its values changed and has not run since (None:
    # none waits). The dashboard reads it to say its figures are stale when the worker has not
    # picked the work up (it never reads raw values).
    rollup_queued_at = models.DateTimeField(null=True, blank=True, editable=False)

    history = HistoricalRecords(
        excluded_fields=[
            "current_status",
            "current_value",
            "current_period_end",
            "status_computed_at",
            "rollup_queued_at",
        ]
    )
    objects = ObjectiveQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "code"], name="objective_code_unique_per_organization"
            ),
            models.CheckConstraint(
                condition=Q(due_date__gte=F("start_date")), name="objective_due_after_start"
            ),
            models.CheckConstraint(
                condition=~Q(direction="higher") | Q(red_threshold__lte=F("amber_threshold")),
                name="objective_higher_red_below_amber",
            ),
            models.CheckConstraint(
                condition=~Q(direction="lower") | Q(red_threshold__gte=F("amber_threshold")),
                name="objective_lower_red_above_amber",
            ),
            models.CheckConstraint(
                condition=~Q(direction="band")
                | (Q(amber_threshold__gte=0) & Q(red_threshold__gte=F("amber_threshold"))),
                name="objective_band_distances_ordered",
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "status", "current_status"]),
            models.Index(fields=["organization", "due_date"]),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    def clean(self) -> None:
        errors = {}
        if self.start_date and self.due_date and self.due_date < self.start_date:
            errors["due_date"] = "The due date must be on or after the start date."
        if self.amber_threshold is not None and self.red_threshold is not None:
            if self.direction == Direction.HIGHER and self.red_threshold > self.amber_threshold:
                errors["red_threshold"] = (
                    "When higher is better, the red threshold must be at or below the amber one."
                )
            if self.direction == Direction.LOWER and self.red_threshold < self.amber_threshold:
                errors["red_threshold"] = (
                    "When lower is better, the red threshold must be at or above the amber one."
                )
            if self.direction == Direction.BAND and (
                self.amber_threshold < 0 or self.red_threshold < self.amber_threshold
            ):
                errors["red_threshold"] = (
                    "For a band, thresholds are distances from the target: 0 ≤ amber ≤ red."
                )
        if (
            self.valid_min is not None
            and self.valid_max is not None
            and self.valid_min > self.valid_max
        ):
            errors["valid_max"] = "The highest valid value must not be below the lowest."
        if self.organization_id:
            for name in ("owner", "accountable_executive"):
                member = getattr(self, name, None)
                if member is not None and member.organization_id != self.organization_id:
                    errors[name] = "Choose a member of this organisation."
            if self.org_unit_id and self.org_unit.organization_id != self.organization_id:
                errors["org_unit"] = "Choose a unit of this organisation."
            if self.parent_id:
                if self.parent.organization_id != self.organization_id:
                    errors["parent"] = "Choose an objective of this organisation."
                elif self.pk and self.parent_id == self.pk:
                    errors["parent"] = "An objective cannot be its own parent."
        executive = (
            getattr(self, "accountable_executive", None) if self.accountable_executive_id else None
        )
        if executive is not None and executive.role != "executive":
            errors["accountable_executive"] = (
                "The accountable person must be an executive (top management)."
            )
        if errors:
            raise ValidationError(errors)


class Measurement(models.Model):
    """One KPI value for one period of an objective. A correction updates it in place; the
    earlier value stays in the audit trail."""

    class Source(models.TextChoices):
        FORM = "form", "Entered in a form"
        IMPORT = "import", "Imported from a file"
        API = "api", "Sent through the API"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    objective = models.ForeignKey(
        QualityObjective, on_delete=models.CASCADE, related_name="measurements"
    )
    period_end = models.DateField(help_text="Last day of the period the value is for.")
    value = models.DecimalField(**VALUE_FIELD)
    note = models.CharField(max_length=500, blank=True)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.FORM)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    entered_at = models.DateTimeField()
    # Set when a management review is held with this value before it: from then on the value
    # is evidence, changed only by a quality manager with a reason. A value that arrived after
    # the review (it saw the period as missing) has none, and its owner may still log it.
    seen_in = models.ForeignKey(
        "PeriodLock", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    history = HistoricalRecords(excluded_fields=["seen_in"])
    objects = OrganizationScopedQuerySet.as_manager()

    class Meta:
        ordering = ["objective", "period_end"]
        constraints = [
            models.UniqueConstraint(
                fields=["objective", "period_end"], name="measurement_one_per_period"
            ),
        ]
        indexes = [models.Index(fields=["organization", "period_end"])]

    # Its version (qms.core.concurrency, the API's ETag): every record and correction sets it.
    version_field = "entered_at"

    def __str__(self) -> str:
        # Named as its objective's page names it ("OBJ-01 October 2026: 96.4%"), not by the
        # objective's internal id or an ISO date: the audit trail shows this name.
        from objectives.periods import describe
        from objectives.templatetags.objectives_tags import kpi

        period = describe(self.objective.frequency, self.period_end)
        return f"{self.objective.code} {period}: {kpi(self.value, self.objective)}"


class ActionStep(BaseModel):
    """A step of an objective's plan (6.2.2): what, resources, who, when, how evaluated."""

    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        IN_PROGRESS = "in_progress", "In progress"
        DONE = "done", "Done"
        CANCELLED = "cancelled", "Cancelled"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    objective = models.ForeignKey(
        QualityObjective, on_delete=models.CASCADE, related_name="plan_steps"
    )
    what = models.CharField("what will be done", max_length=300)
    resources = models.CharField("resources needed", max_length=300, blank=True)
    responsible = models.ForeignKey(
        Membership, on_delete=models.PROTECT, null=True, blank=True, related_name="plan_steps"
    )
    due_date = models.DateField()
    evaluation = models.CharField("how results are evaluated", max_length=300, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PLANNED)

    history = HistoricalRecords()
    objects = OrganizationScopedQuerySet.as_manager()

    class Meta:
        ordering = ["due_date", "id"]

    def __str__(self) -> str:
        return self.what


class KpiRollup(models.Model):
    """An objective's value aggregated over a month, quarter or year, with its RAG status.

    Computed set-based in the database (`objectives.rollups`); never edited by hand.
    """

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    objective = models.ForeignKey(
        QualityObjective, on_delete=models.CASCADE, related_name="rollups"
    )
    org_unit = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="+")
    granularity = models.CharField(max_length=10, choices=Granularity.choices)
    period_end = models.DateField()
    value = models.DecimalField(**VALUE_FIELD, null=True)
    measurement_count = models.PositiveIntegerField()
    status = models.CharField(max_length=10, choices=Rag.choices)
    computed_at = models.DateTimeField()

    objects = OrganizationScopedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["objective", "granularity", "period_end"], name="kpirollup_one_per_period"
            ),
        ]
        indexes = [models.Index(fields=["organization", "granularity", "period_end"])]

    def __str__(self) -> str:
        return f"{self.objective_id} {self.granularity} {self.period_end}: {self.status}"


class UnitRollup(models.Model):
    """For an org unit and everything beneath it: how many active objectives were green, amber,
    red or without data in a period (the dashboard's unit filter reads this)."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    org_unit = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="+")
    granularity = models.CharField(max_length=10, choices=Granularity.choices)
    period_end = models.DateField()
    objectives = models.PositiveIntegerField()
    green = models.PositiveIntegerField()
    amber = models.PositiveIntegerField()
    red = models.PositiveIntegerField()
    no_data = models.PositiveIntegerField()
    computed_at = models.DateTimeField()

    objects = OrganizationScopedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["org_unit", "granularity", "period_end"], name="unitrollup_one_per_period"
            ),
        ]
        indexes = [models.Index(fields=["organization", "granularity", "period_end"])]

    def __str__(self) -> str:
        return f"unit {self.org_unit_id} {self.granularity} {self.period_end}"


# An import that has not moved for this long is said to be stalled on its page (a worker that
# stopped; the run restarts when its task is delivered again).
IMPORT_STALL_NOTICE = datetime.timedelta(minutes=5)


class MeasurementImport(models.Model):
    """A file of measurements being validated and imported in the background, with progress."""

    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        VALIDATING = "validating", "Checking every row"
        IMPORTING = "importing", "Importing"
        DONE = "done", "Imported"
        REJECTED = "rejected", "Rejected: nothing was imported"
        FAILED = "failed", "Failed: nothing was imported"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    file = models.FileField(upload_to="imports/%Y/%m/")
    original_name = models.CharField(max_length=255)
    state = models.CharField(max_length=12, choices=State.choices, default=State.QUEUED)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    # [{"row": 14, "message": "..."}], capped so that a bad 100,000-row file stays readable.
    errors = models.JSONField(default=list, blank=True)
    error_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The task delivery running the job, and how many runs started: a redelivery of the same
    # message after its worker died restarts the job (objectives.imports).
    run_id = models.CharField(max_length=64, blank=True, editable=False)
    attempts = models.PositiveSmallIntegerField(default=0, editable=False)
    # When a run last moved (claimed, a batch of rows checked, validated): a page that shows
    # "100 %" for minutes says the work has stopped moving, not that it is nearly done.
    progressed_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = OrganizationScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.get_state_display()})"

    def stalled_since(self, now: datetime.datetime) -> datetime.datetime | None:
        """When an unfinished run last moved, if that is more than STALL_NOTICE ago."""
        if self.state not in (self.State.QUEUED, self.State.VALIDATING, self.State.IMPORTING):
            return None
        moved = self.progressed_at or self.created_at
        return moved if moved is not None and now - moved > IMPORT_STALL_NOTICE else None

    @property
    def percent(self) -> int:
        if not self.total_rows:
            return 100 if self.state in (self.State.DONE, self.State.REJECTED) else 0
        return min(100, round(100 * self.processed_rows / self.total_rows))


# --- closing the loop on red (ISO 9001 10.2) ---------------------------------------------------


class ObjectiveRules(BaseModel):
    """An organisation's rules for objectives that administrators may switch."""

    organization = models.OneToOneField(
        Organization, on_delete=models.CASCADE, related_name="objective_rules"
    )
    red_explanation_required = models.BooleanField(
        default=True,
        help_text="An off-track objective's owner explains why, and the next step, before "
        "further values are accepted for it.",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "objective rules"

    def __str__(self) -> str:
        return f"Objective rules of {self.organization}"


class ProposalStatus(models.TextChoices):
    PROPOSED = "proposed", "Corrective action proposed"
    ACCEPTED = "accepted", "Accepted: action raised"
    DISMISSED = "dismissed", "Dismissed"
    # An open action was already raised on the objective: no second one is proposed.
    COVERED = "covered", "Not proposed: an action is already open"


class RedFollowUp(BaseModel):
    """An objective off track in a period (turned red, or red again in a new period): its
    owner's explanation and next step, and the corrective action proposed to the accountable
    executive, who accepts it (an action is raised) or dismisses it with a reason."""

    ProposalStatus = ProposalStatus

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    objective = models.ForeignKey(
        QualityObjective, on_delete=models.CASCADE, related_name="red_follow_ups"
    )
    period_end = models.DateField()
    value = models.DecimalField(**VALUE_FIELD, null=True, blank=True)
    consecutive = models.BooleanField(default=False, help_text="Red in the period before too.")
    explanation = models.TextField(blank=True, max_length=2000)
    next_step = models.TextField(blank=True, max_length=2000)
    explained_by = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    explained_at = models.DateTimeField(null=True, blank=True)
    proposal_status = models.CharField(
        max_length=10, choices=ProposalStatus.choices, default=ProposalStatus.PROPOSED
    )
    dismissal_reason = models.CharField(max_length=500, blank=True)
    decided_by = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    action = models.ForeignKey(
        "core.Action", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    history = HistoricalRecords()
    objects = OrganizationScopedQuerySet.as_manager()

    class Meta:
        # "Off-track follow-up changed" in the audit trail, not "Red follow up changed".
        verbose_name = "off-track follow-up"
        ordering = ["-period_end", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["objective", "period_end"], name="red_follow_up_once_per_period"
            )
        ]

    def __str__(self) -> str:
        end = self.period_end
        day = f"{end:%-d %b %Y}" if hasattr(end, "year") else end  # as prose writes a date
        return f"{self.objective.code} off track for the period ending {day}"

    @property
    def is_explained(self) -> bool:
        return bool(self.explanation.strip())


class PeriodLock(models.Model):
    """A management review held over the periods ending on or before `through`: the values it
    saw (Measurement.seen_in) are corrected only by a quality manager, with a reason, and the
    next review is told; a value it saw as missing may still arrive."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    # A unit's review saw (and locks) its unit subtree's objectives only; empty: every unit.
    org_unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    through = models.DateField()
    review_reference = models.CharField(max_length=20)
    held_on = models.DateField(null=True, blank=True)
    locked_at = models.DateTimeField(default=timezone.now)

    objects = OrganizationScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-through", "-id"]
        indexes = [models.Index(fields=["organization", "-through"])]

    def __str__(self) -> str:
        return f"Periods to {self.through} locked by {self.review_reference}"


class LockedCorrection(models.Model):
    """A value of a locked period corrected by a quality manager: shown in the next review."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    objective = models.ForeignKey(QualityObjective, on_delete=models.CASCADE, related_name="+")
    period_end = models.DateField()
    before = models.DecimalField(**VALUE_FIELD, null=True)
    after = models.DecimalField(**VALUE_FIELD)
    reason = models.CharField(max_length=500)
    corrected_by = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="+")
    corrected_at = models.DateTimeField(default=timezone.now)

    objects = OrganizationScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-corrected_at", "-id"]

    def __str__(self) -> str:
        return f"{self.objective.code} {self.period_end}: {self.before} → {self.after}"
