"""Audit readiness: for each clause a pack covers, computed checks that pass, fail or do not
apply, each with a link to the records behind it. The readiness page shows them today; the
evidence pack's report shows them as of the period's end: the same function, so the two agree.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.urls import reverse
from django.utils import timezone

from leadership.communication.selectors_plan import plan_on_time_summary
from leadership.selectors.policy import acknowledgement_rates, current_version
from objectives.models import QualityObjective
from objectives.periods import add_months
from objectives.selectors import objectives_missing_latest_value
from qms.core.actions.models import Action
from qms.core.models import Organization
from qms.evidence.models import ReadinessThresholds
from reviews.selectors_meetings import last_held_review, upcoming_reviews

PASS, FAIL, NOT_APPLICABLE = "pass", "fail", "n/a"
STATE_LABELS = {PASS: "Pass", FAIL: "Fail", NOT_APPLICABLE: "Not applicable"}


@dataclass(frozen=True)
class Check:
    clause: str
    title: str
    state: str
    detail: str  # a sentence: the figure behind the result, or what to do
    url: str = ""

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]


def thresholds_for(organization: Organization) -> ReadinessThresholds:
    """The organisation's thresholds, or the defaults (unsaved) until someone edits them."""
    found = ReadinessThresholds.objects.filter(organization=organization).first()
    return found or ReadinessThresholds(organization=organization)


def readiness_checks(organization: Organization, today: datetime.date | None = None) -> list[Check]:
    today = today or timezone.localdate()
    limits = thresholds_for(organization)
    slug = organization.slug

    def url(name: str, query: str = "") -> str:
        return reverse(name, args=[slug]) + query

    checks: list[Check] = []
    version = current_version(organization)
    policy_url = url("leadership:policy")
    if version is None:
        checks.append(Check("5.2", "A quality policy is in force", FAIL,
                            "No policy version is published: draft, approve and publish one.",
                            policy_url))  # fmt: skip
        checks.append(Check("5.2", "Staff acknowledged the policy", NOT_APPLICABLE,
                            "No policy in force.", policy_url))  # fmt: skip
    else:
        approved = (version.approved_at or version.published_at).date()
        since = add_months(today, -limits.policy_review_months)
        checks.append(Check(
            "5.2",
            f"Policy approved or reviewed within {limits.policy_review_months} months",
            PASS if approved >= since else FAIL,
            f"Version {version.number} was approved on {approved:%-d %b %Y}"
            + ("." if approved >= since else ": review it with top management."),
            policy_url,
        ))  # fmt: skip
        total, _ = acknowledgement_rates(version)
        checks.append(Check(
            "5.2",
            f"At least {limits.acknowledgement_percent}% of staff acknowledged the policy",
            PASS if total.members and total.percent >= limits.acknowledgement_percent else FAIL,
            f"{total.acknowledged} of {total.members} staff ({total.percent}%) acknowledged "
            f"version {version.number}.",
            policy_url,
        ))  # fmt: skip

    missing = objectives_missing_latest_value(organization, today)
    active = QualityObjective.objects.for_organization(organization).active().exists()
    objectives_url = url("objectives:list")
    if not active:
        checks.append(Check("6.2", "Every active objective has data for its latest period",
                            NOT_APPLICABLE, "No active objective.", objectives_url))  # fmt: skip
    else:
        codes = ", ".join(o.code for o, _ in missing[:5]) + (" …" if len(missing) > 5 else "")
        checks.append(Check(
            "6.2", "Every active objective has data for its latest period",
            PASS if not missing else FAIL,
            "Every active objective has its latest value." if not missing
            else f"{len(missing)} without their latest value: {codes}.",
            objectives_url,
        ))  # fmt: skip

    reviews_url = url("reviews:list")
    last = last_held_review(organization)
    overdue = upcoming_reviews(organization).filter(planned_on__lt=today).first()
    if last is None:
        checks.append(Check("9.3", "Management review held within its planned interval", FAIL,
                            "No management review has been held yet.", reviews_url))  # fmt: skip
    else:
        interval = last.schedule.interval_months if last.schedule_id else 12
        recent = last.held_on >= add_months(today, -interval)
        ok = recent and overdue is None
        detail = f"{last.reference} was held on {last.held_on:%-d %b %Y}"
        if overdue is not None:
            detail += f"; {overdue.reference}, planned {overdue.planned_on:%-d %b %Y}, is overdue"
        elif not recent:
            detail += f", more than {interval} months ago"
        checks.append(Check("9.3", "Management review held within its planned interval",
                            PASS if ok else FAIL, detail + ".", reviews_url))  # fmt: skip

    late_by = limits.action_overdue_days
    very_late = (
        Action.objects.for_organization(organization)
        .overdue(today - datetime.timedelta(days=late_by))
        .count()
    )
    checks.append(Check(
        "10.2", f"No action overdue by more than {late_by} days",
        PASS if not very_late else FAIL,
        "None." if not very_late
        else f"{very_late} actions are overdue by more than {late_by} days.",
        url("core:actions", "?overdue=on"),
    ))  # fmt: skip

    summary = plan_on_time_summary(
        organization=organization, start=add_months(today, -12), end=today, today=today
    )
    plan_url = url("communication:plan")
    if not summary.due:
        checks.append(Check("7.4", "Planned communications done on time", NOT_APPLICABLE,
                            "Nothing in the communication plan fell due in the last 12 months.",
                            plan_url))  # fmt: skip
    else:
        percent = round(100 * summary.on_time / summary.due)
        checks.append(Check(
            "7.4",
            f"At least {limits.communication_on_time_percent}% of planned communications on time",
            PASS if percent >= limits.communication_on_time_percent else FAIL,
            f"{summary.on_time} of {summary.due} done on time ({percent}%), {summary.late} late, "
            f"{summary.missed} missed in the last 12 months.",
            plan_url,
        ))  # fmt: skip
    return checks
