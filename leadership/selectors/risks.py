"""Reads of the risks and opportunities register (ISO 9001 6.1), for the management review's
input 9.3.2 e ("effectiveness of actions taken to address risks and opportunities"), the
dashboard and the evidence pack."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Exists, F, OuterRef, Q

from leadership.models import Risk
from leadership.models.risks import LEVEL_RANGES
from qms.core.actions.models import OPEN_STATUSES, Action
from qms.core.models import Organization


@dataclass(frozen=True)
class RisksSummary:
    start: datetime.date
    end: datetime.date
    identified: int  # new in the period
    open_high: int
    open_medium: int
    open_low: int
    opportunities_open: int
    reviewed: int  # effectiveness reviews done in the period
    reviewed_effective: int
    reviewed_partly: int
    reviewed_not_effective: int
    reviews_overdue: int  # due by the end, not done
    # Open high risks with no open treatment action: what top management should ask about.
    high_without_action: list[Risk] = field(default_factory=list)

    @property
    def open_total(self) -> int:
        return self.open_high + self.open_medium + self.open_low

    @property
    def has_data(self) -> bool:
        return self.open_total > 0 or self.identified > 0 or self.reviewed > 0


def _level(level: str) -> Q:
    low, high = LEVEL_RANGES[level]
    return Q(score__gte=low, score__lte=high)


def open_treatment_actions(risks, moment: datetime.datetime | None = None):
    """`risks` annotated with whether an open action was raised from each (at `moment`: raised
    by then and not closed by then; a management review held earlier asks)."""
    actions = Action.objects.filter(
        source_type=ContentType.objects.get_for_model(Risk), source_id=OuterRef("pk")
    )
    if moment is None:
        actions = actions.filter(status__in=OPEN_STATUSES)
    else:
        actions = actions.filter(created_at__lte=moment).filter(
            Q(status__in=OPEN_STATUSES) | Q(closed_at__gt=moment)
        )
    return risks.annotate(has_open_action=Exists(actions))


def risks_summary(
    *,
    organization: Organization,
    start: datetime.date,
    end: datetime.date,
    moment: datetime.datetime | None = None,
) -> RisksSummary:
    """The register as of `end`, and what happened in it from `start` to `end` (inclusive);
    with `moment` (the end of a review's meeting day), the register and its treatment actions
    as they stood then: a risk closed or re-scored after the meeting counts as it was."""
    if moment is None:
        risks = Risk.objects.for_organization(organization)
    else:
        # Each risk's version at `moment` (its audit trail); the score is not kept there, so it
        # is computed as the model computes it.
        risks = (
            Risk.history.as_of(moment)
            .filter(organization=organization)
            .annotate(score=F("likelihood") * F("impact"))
        )
    is_open = Q(identified_on__lte=end) & ~Q(status=Risk.Status.CLOSED)
    is_risk = Q(kind=Risk.Kind.RISK)
    reviewed = Q(reviewed_on__gte=start, reviewed_on__lte=end)
    Effect = Risk.Effectiveness
    counts = risks.aggregate(
        identified=Count("id", filter=Q(identified_on__gte=start, identified_on__lte=end)),
        open_high=Count("id", filter=is_open & is_risk & _level("high")),
        open_medium=Count("id", filter=is_open & is_risk & _level("medium")),
        open_low=Count("id", filter=is_open & is_risk & _level("low")),
        opportunities_open=Count("id", filter=is_open & Q(kind=Risk.Kind.OPPORTUNITY)),
        reviewed=Count("id", filter=reviewed),
        reviewed_effective=Count("id", filter=reviewed & Q(effectiveness=Effect.EFFECTIVE)),
        reviewed_partly=Count("id", filter=reviewed & Q(effectiveness=Effect.PARTLY)),
        reviewed_not_effective=Count("id", filter=reviewed & Q(effectiveness=Effect.NOT_EFFECTIVE)),
        reviews_overdue=Count(
            "id", filter=is_open & Q(review_due_on__lte=end, reviewed_on__isnull=True)
        ),
    )
    high = Risk.objects.filter(pk__in=risks.filter(is_open & is_risk & _level("high")).values("id"))
    unactioned = (
        open_treatment_actions(high, moment)
        .filter(has_open_action=False)
        .select_related("owner__user")
        .order_by("-score", "number")
    )
    return RisksSummary(start=start, end=end, high_without_action=list(unactioned[:10]), **counts)
