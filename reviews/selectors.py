"""Period summaries of the review registers, for the management review's inputs (9.3.2 c), the
dashboard and the evidence pack. Each is one aggregate query (two for providers), whatever the
number of records, and says through `has_data` whether there was anything to summarise.

"Open at the end" is read from the dates, not the current status, so that a summary of a past
period stays what it was: a record counts as open on `end` if it was raised by then and not
closed by then.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Exists, OuterRef, Q, Sum

from qms.core.models import Organization
from reviews.models import AuditFinding, CustomerFeedback, Nonconformity, ProviderEvaluation

TWO_PLACES = Decimal("0.01")


def _mean(total, count: int) -> Decimal | None:
    """Mean of values with at most two decimal places, to two places, from their sum and count:
    exact, where an average in SQLite would go through a float."""
    if not count:
        return None
    exact_total = Decimal(str(total)).quantize(TWO_PLACES)
    return (exact_total / count).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def _per_choice(prefix: str, field_name: str, choices, condition: Q) -> dict[str, Count]:
    """One conditional count per choice, named `<prefix>_<value>`, for a single aggregate()."""
    return {
        f"{prefix}_{value}": Count("id", filter=condition & Q(**{field_name: value}))
        for value, _label in choices
    }


def _open_at(end: datetime.date, raised_field: str) -> Q:
    return Q(**{f"{raised_field}__lte": end}) & (Q(closed_on__isnull=True) | Q(closed_on__gt=end))


def _open_at_start(start: datetime.date, raised_field: str) -> Q:
    """Open when the period began: raised before it, not closed before it. With those raised
    and closed in the period it gives the end: open at start + raised - closed = open at end."""
    return _open_at(start - datetime.timedelta(days=1), raised_field)


# --- nonconformities (10.2) -----------------------------------------------------------------


@dataclass(frozen=True)
class NonconformitySummary:
    start: datetime.date
    end: datetime.date
    raised: int  # detected in the period
    by_source: dict[str, int]  # raised in the period, per source value (every source listed)
    by_severity: dict[str, int]  # raised in the period, per severity value
    closed: int  # closed in the period
    open_at_end: int
    open_at_start: int
    open_major_at_end: int  # major or critical, still open on `end`
    closed_effective: int  # closed in the period and verified effective
    closed_not_effective: int  # closed in the period and verified not effective
    closed_unverified: int  # closed in the period, effectiveness not yet verified

    @property
    def has_data(self) -> bool:
        return bool(self.raised or self.closed or self.open_at_end)


def _in_unit(queryset, unit):
    """Records of a unit and the units beneath it (a unit's management review); all with None."""
    return queryset if unit is None else queryset.filter(org_unit__path__startswith=unit.path)


def nonconformities_summary(
    *, organization: Organization, start: datetime.date, end: datetime.date, unit=None
) -> NonconformitySummary:
    raised = Q(detected_on__gte=start, detected_on__lte=end)
    closed = Q(closed_on__gte=start, closed_on__lte=end)
    open_at_end = _open_at(end, "detected_on")
    counts = _in_unit(Nonconformity.objects.for_organization(organization), unit).aggregate(
        raised=Count("id", filter=raised),
        closed=Count("id", filter=closed),
        open_at_end=Count("id", filter=open_at_end),
        open_at_start=Count("id", filter=_open_at_start(start, "detected_on")),
        open_major_at_end=Count(
            "id", filter=open_at_end & ~Q(severity=Nonconformity.Severity.MINOR)
        ),
        closed_effective=Count("id", filter=closed & Q(effective=True)),
        closed_not_effective=Count("id", filter=closed & Q(effective=False)),
        closed_unverified=Count("id", filter=closed & Q(effective__isnull=True)),
        **_per_choice("source", "source", Nonconformity.Source.choices, raised),
        **_per_choice("severity", "severity", Nonconformity.Severity.choices, raised),
    )
    return NonconformitySummary(
        start=start,
        end=end,
        raised=counts["raised"],
        by_source={v: counts[f"source_{v}"] for v in Nonconformity.Source.values},
        by_severity={v: counts[f"severity_{v}"] for v in Nonconformity.Severity.values},
        closed=counts["closed"],
        open_at_end=counts["open_at_end"],
        open_at_start=counts["open_at_start"],
        open_major_at_end=counts["open_major_at_end"],
        closed_effective=counts["closed_effective"],
        closed_not_effective=counts["closed_not_effective"],
        closed_unverified=counts["closed_unverified"],
    )


# --- audit findings (9.2) -------------------------------------------------------------------


@dataclass(frozen=True)
class AuditFindingSummary:
    start: datetime.date
    end: datetime.date
    raised: int  # from audits held in the period
    audits: int  # distinct audits (by reference) held in the period
    by_type: dict[str, int]  # raised in the period, per finding type value
    closed: int  # closed in the period, whenever raised
    open_at_end: int
    open_nonconformities_at_end: int  # major or minor nonconformities still open on `end`
    open_at_start: int

    @property
    def has_data(self) -> bool:
        return bool(self.raised or self.closed or self.open_at_end)


def audit_findings_summary(
    *, organization: Organization, start: datetime.date, end: datetime.date, unit=None
) -> AuditFindingSummary:
    raised = Q(audit_date__gte=start, audit_date__lte=end)
    open_at_end = _open_at(end, "audit_date")
    nonconformities = Q(
        finding_type__in=[AuditFinding.FindingType.MAJOR, AuditFinding.FindingType.MINOR]
    )
    counts = _in_unit(AuditFinding.objects.for_organization(organization), unit).aggregate(
        raised=Count("id", filter=raised),
        audits=Count("audit_reference", filter=raised, distinct=True),
        closed=Count("id", filter=Q(closed_on__gte=start, closed_on__lte=end)),
        open_at_end=Count("id", filter=open_at_end),
        open_nonconformities_at_end=Count("id", filter=open_at_end & nonconformities),
        open_at_start=Count("id", filter=_open_at_start(start, "audit_date")),
        **_per_choice("type", "finding_type", AuditFinding.FindingType.choices, raised),
    )
    return AuditFindingSummary(
        start=start,
        end=end,
        raised=counts["raised"],
        audits=counts["audits"],
        by_type={v: counts[f"type_{v}"] for v in AuditFinding.FindingType.values},
        closed=counts["closed"],
        open_at_end=counts["open_at_end"],
        open_nonconformities_at_end=counts["open_nonconformities_at_end"],
        open_at_start=counts["open_at_start"],
    )


# --- customer feedback (9.1.2) --------------------------------------------------------------


@dataclass(frozen=True)
class CustomerFeedbackSummary:
    start: datetime.date
    end: datetime.date
    received: int  # everything received in the period
    by_type: dict[str, int]  # received in the period, per feedback type value (they add up)
    complaints: int
    compliments: int
    suggestions: int
    complaints_with_nonconformity: int  # complaints that raised a nonconformity
    survey_scores: int  # number of survey scores received
    mean_score: Decimal | None  # their mean, 0 to 10, two places; None without scores

    @property
    def has_data(self) -> bool:
        return self.received > 0


def customer_feedback_summary(
    *, organization: Organization, start: datetime.date, end: datetime.date
) -> CustomerFeedbackSummary:
    kind = CustomerFeedback.FeedbackType
    counts = (
        CustomerFeedback.objects.for_organization(organization)
        .filter(received_on__gte=start, received_on__lte=end)
        .aggregate(
            received=Count("id"),
            complaints=Count("id", filter=Q(feedback_type=kind.COMPLAINT)),
            compliments=Count("id", filter=Q(feedback_type=kind.COMPLIMENT)),
            suggestions=Count("id", filter=Q(feedback_type=kind.SUGGESTION)),
            complaints_with_nonconformity=Count(
                "id", filter=Q(feedback_type=kind.COMPLAINT, nonconformity__isnull=False)
            ),
            survey_scores=Count("id", filter=Q(feedback_type=kind.SURVEY_SCORE)),
            score_total=Sum("score", filter=Q(feedback_type=kind.SURVEY_SCORE)),
            **_per_choice("type", "feedback_type", kind.choices, Q()),
        )
    )
    return CustomerFeedbackSummary(
        start=start,
        end=end,
        received=counts["received"],
        by_type={v: counts[f"type_{v}"] for v in kind.values},
        complaints=counts["complaints"],
        compliments=counts["compliments"],
        suggestions=counts["suggestions"],
        complaints_with_nonconformity=counts["complaints_with_nonconformity"],
        survey_scores=counts["survey_scores"],
        mean_score=_mean(counts["score_total"], counts["survey_scores"]),
    )


# --- external providers (8.4) ---------------------------------------------------------------


@dataclass(frozen=True)
class ProviderEvaluationSummary:
    start: datetime.date
    end: datetime.date
    evaluations: int  # evaluated in the period
    by_status: dict[str, int]  # evaluated in the period, per decision value
    mean_overall_score: Decimal | None  # of the period's evaluations, 0 to 100, two places
    # Providers whose latest evaluation up to `end` left them conditional or disqualified.
    conditional_providers: list[str] = field(default_factory=list)
    disqualified_providers: list[str] = field(default_factory=list)

    @property
    def has_data(self) -> bool:
        return bool(self.evaluations or self.conditional_providers or self.disqualified_providers)


def provider_evaluations_summary(
    *, organization: Organization, start: datetime.date, end: datetime.date
) -> ProviderEvaluationSummary:
    evaluations = ProviderEvaluation.objects.for_organization(organization)
    in_period = Q(evaluated_on__gte=start, evaluated_on__lte=end)
    counts = evaluations.aggregate(
        evaluations=Count("id", filter=in_period),
        overall_total=Sum("overall_score", filter=in_period),
        **_per_choice("status", "status", ProviderEvaluation.Status.choices, in_period),
    )
    # A provider's standing is its latest evaluation by `end`: none later for the same provider.
    later = evaluations.filter(provider__iexact=OuterRef("provider"), evaluated_on__lte=end).filter(
        Q(evaluated_on__gt=OuterRef("evaluated_on"))
        | Q(evaluated_on=OuterRef("evaluated_on"), number__gt=OuterRef("number"))
    )
    standing = (
        evaluations.filter(evaluated_on__lte=end)
        .exclude(status=ProviderEvaluation.Status.APPROVED)
        .exclude(Exists(later))
        .order_by("provider")
        .values_list("provider", "status")
    )
    conditional = [p for p, s in standing if s == ProviderEvaluation.Status.CONDITIONAL]
    disqualified = [p for p, s in standing if s == ProviderEvaluation.Status.DISQUALIFIED]
    return ProviderEvaluationSummary(
        start=start,
        end=end,
        evaluations=counts["evaluations"],
        by_status={v: counts[f"status_{v}"] for v in ProviderEvaluation.Status.values},
        mean_overall_score=_mean(counts["overall_total"], counts["evaluations"]),
        conditional_providers=conditional,
        disqualified_providers=disqualified,
    )
