"""Each executive's leadership record (ISO 9001 5.1): how they took part, quarter by quarter.

Composed here, in the top layer, from the apps' data: reviews attended and signed off,
approvals (policy, resources) and how long they waited, announcements sent, leadership
activities logged, recognitions given, actions they answer for. It is the answer to an
auditor's "how does top management demonstrate leadership?". It only reads. The number of
queries depends on the number of quarters shown, never on how much data there is.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils import timezone

from leadership.communication.selectors import announcements_sent
from leadership.communication.selectors_activities import activities_logged
from leadership.engagement.selectors import recognitions_given
from leadership.models import PolicyVersion, ResourceAllocation
from leadership.selectors.accountability import ExecutiveRecord, executive_records
from objectives.periods import quarter_end
from qms.core.actions.models import Action, ActionStatus
from qms.core.models import Membership, Organization
from reviews.models import ManagementReview, ReviewAttendee, ReviewStatus


@dataclass(frozen=True)
class Quarter:
    start: datetime.date
    end: datetime.date

    @property
    def label(self) -> str:
        return f"Q{(self.end.month - 1) // 3 + 1} {self.end.year}"


def last_quarters(today: datetime.date, count: int = 4) -> list[Quarter]:
    """The quarter containing `today` and the `count - 1` before it, oldest first."""
    quarters = []
    end = quarter_end(today)
    for _ in range(count):
        start = datetime.date(end.year, end.month - 2, 1)
        quarters.append(Quarter(start, end))
        end = start - datetime.timedelta(days=1)
    return list(reversed(quarters))


def _waits(pairs) -> float | None:
    days = [(done - asked).total_seconds() / 86400 for asked, done in pairs if asked and done]
    return round(sum(days) / len(days), 1) if days else None


def _day_range(field: str, start: datetime.date, end: datetime.date) -> Q:
    return Q(**{f"{field}__date__gte": start, f"{field}__date__lte": end})


def _reviews(org: Organization, executive: Membership, q: Quarter) -> dict:
    attendance = ReviewAttendee.objects.filter(
        review__organization=org,
        membership=executive,
        review__status__in=[ReviewStatus.HELD, ReviewStatus.SIGNED_OFF],
        review__held_on__gte=q.start,
        review__held_on__lte=q.end,
    ).aggregate(invited=Count("id"), attended=Count("id", filter=Q(attendance="attended")))
    signed = (
        ManagementReview.objects.for_organization(org)
        .filter(_day_range("signed_off_at", q.start, q.end), signed_off_by=executive)
        .count()
    )
    return {
        "reviews_attended": f"{attendance['attended']} of {attendance['invited']}",
        "reviews_signed_off": signed,
    }


def _approvals(org: Organization, executive: Membership, q: Quarter) -> dict:
    policy = list(
        PolicyVersion.objects.filter(organization=org, approved_by=executive)
        .filter(_day_range("approved_at", q.start, q.end))
        .values_list("submitted_at", "approved_at")
    )
    resources = list(
        ResourceAllocation.objects.for_organization(org)
        .filter(decided_by=executive)
        .filter(_day_range("decided_at", q.start, q.end))
        .values_list("created_at", "decided_at")
    )
    return {
        "policy_approvals": len(policy),
        "policy_wait_days": _waits(policy),
        "resource_decisions": len(resources),
        "resource_wait_days": _waits(resources),
    }


def _communication(org: Organization, executive: Membership, q: Quarter) -> dict:
    ids = [executive.pk]
    period = {"organization": org, "executive_ids": ids, "start": q.start, "end": q.end}
    return {
        "announcements_sent": announcements_sent(**period).get(executive.pk, 0),
        "activities_logged": activities_logged(**period).get(executive.pk, 0),
        "recognitions_given": recognitions_given(**period).get(executive.pk, 0),
    }


def _actions(org: Organization, executive: Membership, q: Quarter) -> dict:
    done = Q(status__in=[ActionStatus.DONE, ActionStatus.VERIFIED])
    counts = (
        Action.objects.for_organization(org)
        .filter(accountable_executive=executive)
        .aggregate(
            raised=Count("id", filter=_day_range("created_at", q.start, q.end)),
            closed=Count("id", filter=done & _day_range("closed_at", q.start, q.end)),
        )
    )
    return {"actions_raised": counts["raised"], "actions_closed": counts["closed"]}


# (key, label) in the order the record shows them, and the functions that fill them.
FIGURES = [
    ("reviews_attended", "Management reviews attended"),
    ("reviews_signed_off", "Reviews signed off"),
    ("policy_approvals", "Policy versions approved"),
    ("policy_wait_days", "Days a policy version waited for approval (mean)"),
    ("resource_decisions", "Resource requests decided"),
    ("resource_wait_days", "Days a resource request waited (mean)"),
    ("announcements_sent", "Quality announcements sent"),
    ("activities_logged", "Leadership activities logged"),
    ("recognitions_given", "Recognitions given"),
    ("actions_raised", "Actions raised they answer for"),
    ("actions_closed", "Of their actions, closed"),
]
FigureSource = Callable[[Organization, Membership, Quarter], dict]
SOURCES: list[FigureSource] = [_reviews, _approvals, _communication, _actions]


@dataclass
class LeadershipRecord:
    executive: Membership
    quarters: list[Quarter]
    # key -> one value per quarter
    figures: dict[str, list] = field(default_factory=dict)
    now: ExecutiveRecord | None = None  # objectives, open and overdue actions, pending approvals

    def rows(self) -> list[tuple[str, str, list]]:
        return [(key, label, self.figures.get(key, [])) for key, label in FIGURES]

    @property
    def next_steps(self) -> list[str]:
        """What this executive should do next, in sentences (empty when nothing waits)."""
        steps = []
        if self.now is None:
            return steps
        if self.now.pending:
            steps.append(f"Decide what waits for you: {self.now.pending_text}.")
        if self.now.overdue_actions:
            steps.append(
                f"Follow up {self.now.overdue_actions} overdue action"
                f"{'s' if self.now.overdue_actions != 1 else ''} you answer for."
            )
        if self.now.objectives.get("red"):
            steps.append(f"{self.now.objectives['red']} of your objectives are off track.")
        latest = {key: values[-1] for key, values in self.figures.items() if values}
        if not latest.get("activities_logged"):
            steps.append("No leadership activity logged this quarter: a quality walk counts.")
        if not latest.get("announcements_sent"):
            steps.append("No quality announcement from you this quarter.")
        return steps


def leadership_record(
    *,
    organization: Organization,
    executive: Membership,
    today: datetime.date | None = None,
    quarters: int = 4,
) -> LeadershipRecord:
    today = today or timezone.localdate()
    record = LeadershipRecord(executive, last_quarters(today, quarters))
    for quarter in record.quarters:
        for source in SOURCES:
            for key, value in source(organization, executive, quarter).items():
                record.figures.setdefault(key, []).append(value)
    record.now = next(
        (r for r in executive_records(organization=organization, today=today)
         if r.executive.pk == executive.pk),
        None,
    )  # fmt: skip
    return record
