"""Writes of the reviews app beyond the registers' own (which go through
`qms.core.registers.services`)."""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db.models import Count, Sum
from django.db.models.functions import TruncMonth, TruncQuarter, TruncWeek
from django.utils import timezone

from objectives.imports import ImportResult, ValidRow, measurements_write
from objectives.models import Frequency, Measurement, QualityObjective
from objectives.periods import describe, period_end, previous_period_end
from objectives.permissions import can_log_values
from objectives.validation import value_problem
from qms.core.immutable import NotAllowed
from qms.core.models import Membership
from reviews.models import CustomerFeedback

_TRUNC = {
    Frequency.WEEKLY: TruncWeek,  # Monday, as the ISO week that `week_end` closes on Sunday
    Frequency.MONTHLY: TruncMonth,
    Frequency.QUARTERLY: TruncQuarter,
}


def customer_satisfaction_to_objective(
    *,
    objective: QualityObjective,
    user,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
) -> ImportResult:
    """Write the mean survey score (0 to 10) of each complete period of the objective's frequency
    between `start` (default: the objective's start) and `end` (default: today) as its
    measurements, rounded to its decimal places; a period without scores is left alone.

    Rerunning corrects changed means and leaves the rest as they are. Refuses a user who may not
    record the objective's values (which includes anyone outside its organisation).
    """
    membership = (
        Membership.objects.filter(organization_id=objective.organization_id, user=user)
        .current()
        .first()
    )
    if not can_log_values(membership, objective):
        raise NotAllowed(
            f"You cannot record values of {objective.code}: only its owner and the quality "
            "team of its organisation can."
        )
    frequency = objective.frequency
    start = max(start or objective.start_date, objective.start_date)
    # From the first day of the period `start` falls in, so that its mean is of the whole period.
    start = previous_period_end(frequency, period_end(frequency, start)) + datetime.timedelta(1)
    end = end or timezone.localdate()
    means = (
        CustomerFeedback.objects.for_organization(objective.organization_id)
        .filter(
            feedback_type=CustomerFeedback.FeedbackType.SURVEY_SCORE,
            received_on__gte=start,
            received_on__lte=end,
        )
        .annotate(period=_TRUNC[frequency]("received_on"))
        .order_by("period")
        .values("period")
        .annotate(total=Sum("score"), scores=Count("id"))
    )
    places = Decimal(1).scaleb(-objective.decimal_places)
    rows: list[ValidRow] = []
    for number, group in enumerate(means, start=1):
        ends_on = period_end(frequency, _as_date(group["period"]))
        if ends_on > end:
            # Only whole periods: the mean of half a month would change as the month fills up.
            continue
        scores = group["scores"]
        # Scores have two decimal places, so their sum is exact once SQLite's float is rounded.
        total = Decimal(str(group["total"])).quantize(Decimal("0.01"))
        value = (total / scores).quantize(places, rounding=ROUND_HALF_UP)
        problem = value_problem(objective, value)
        if problem:
            raise ValidationError(
                f"The mean survey score of {describe(frequency, ends_on)} cannot be "
                f"recorded: {problem}. Its valid range must allow survey scores, 0 to 10."
            )
        note = f"Mean of {scores} customer survey score{'' if scores == 1 else 's'}"
        rows.append(ValidRow(number, objective.id, ends_on, value, note))
    return measurements_write(
        organization=objective.organization,
        rows=rows,
        user=user,
        source=Measurement.Source.IMPORT,
        reason="Mean survey score from the customer feedback register",
    )


def _as_date(value) -> datetime.date:
    # Truncating a DateField gives a date; some backends hand back a datetime.
    return value.date() if isinstance(value, datetime.datetime) else value
