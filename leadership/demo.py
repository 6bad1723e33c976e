"""Demo leadership records for Acme: a policy with two versions (the second in force and
mostly acknowledged), commitments linked to objectives, the 5.3 responsibility matrix with a
change of holder, and resource requests, decisions and spend. Idempotent."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from leadership.models import PolicyCommitment, PolicyVersion, Responsibility
from leadership.services import policy, resources, responsibilities
from objectives.models import QualityObjective
from qms.core.demo import at, on_the_day

POLICY_V1 = """Acme Precision Ltd makes precision-machined and assembled components that our customers can build on.

## Our commitments
- We meet our customers' requirements and the law, every time.
- We continually improve our quality management system.
"""

POLICY_V2 = """Acme Precision Ltd makes precision-machined and assembled components that our customers can build on.

## Our commitments
- We meet our customers' requirements and applicable statutory and regulatory requirements, every time.
- We deliver on time and right first time, and we measure it.
- We continually improve our quality management system, using the objectives below and our management reviews.
- We develop the competence of everyone who works for us.

## How we do it
Top management sets measurable quality objectives each year, reviews them every quarter and puts resources behind them. Every member of staff knows the objectives of their unit and how their work contributes.
"""


@transaction.atomic
def _date_request(allocation, since: datetime.datetime, requested_on: datetime.date) -> None:
    """Demo only: the year's requests were made a fortnight apart from January and decided a
    week later (not all today), so the management reviews held during the year read the
    requests and decisions they could have seen (reviews.agenda, as of the meeting day)."""
    from leadership.models import ResourceAllocation, ResourceSpend
    from qms.core.demo import move_to_the_day

    now = timezone.now()
    requested = min(
        timezone.make_aware(datetime.datetime.combine(requested_on, datetime.time(9))),
        now - datetime.timedelta(days=8),
    )
    move_to_the_day(allocation.organization, since, requested)
    if allocation.decided_at is not None:
        ResourceAllocation.objects.filter(pk=allocation.pk).update(
            decided_at=requested + datetime.timedelta(days=7)
        )
    for spend in ResourceSpend.objects.filter(allocation=allocation):
        ResourceSpend.objects.filter(pk=spend.pk).update(
            recorded_at=timezone.make_aware(
                datetime.datetime.combine(spend.date, datetime.time(11))
            )
        )


def seed_leadership(context) -> None:
    organization = context.organization
    if PolicyVersion.objects.filter(organization=organization).exists():
        return
    members = context.members
    quality, ceo = members["quality"], members["executive"]
    today = context.today

    def day(days_ago: int, hour: int) -> datetime.datetime:
        return at(today - datetime.timedelta(days=days_ago), hour)

    # Each step on its own day, so that the policy page, its history and its approval agree.
    with on_the_day(organization, day(432, 9)):
        quality_policy = policy.policy_get_or_create(organization=organization, actor=quality.user)
        v1 = policy.policy_version_create_draft(
            policy=quality_policy, membership=quality, text=POLICY_V1, change_summary="First issue"
        )
    with on_the_day(organization, day(428, 10)):
        policy.policy_version_submit(version=v1, membership=quality)
    with on_the_day(organization, day(425, 15)):
        policy.policy_version_approve(
            version=v1, approver=ceo, comment="Approved by the board of directors."
        )
    with on_the_day(organization, day(424, 9)):
        policy.policy_version_publish(version=v1, membership=quality)
    with on_the_day(organization, day(70, 11)):
        v2 = policy.policy_version_create_draft(
            policy=quality_policy,
            membership=quality,
            text=POLICY_V2,
            change_summary="Adds on-time delivery and competence commitments",
        )
    with on_the_day(organization, day(66, 10)):
        policy.policy_version_submit(version=v2, membership=quality)
    with on_the_day(organization, day(62, 16)):
        policy.policy_version_approve(
            version=v2, approver=ceo, comment="Agreed with the board; publish to all staff."
        )
    with on_the_day(organization, day(60, 9)):
        v2 = policy.policy_version_publish(version=v2, membership=quality)
    for n, username in enumerate(
        ("executive", "quality", "contributor", "ops.director", "cs.lead", "admin")
    ):
        with on_the_day(organization, day(59 - n % 4, 10 + n)):
            policy.policy_acknowledge(version=v2, membership=members[username])

    objectives = {o.code: o for o in QualityObjective.objects.filter(organization=organization)}
    links = {
        PolicyCommitment.Kind.REQUIREMENTS: ["OBJ-02", "OBJ-03", "OBJ-15"],
        PolicyCommitment.Kind.IMPROVEMENT: ["OBJ-06", "OBJ-14"],
    }
    for commitment in quality_policy.commitments.all():
        policy.commitment_save(
            commitment=commitment,
            actor=quality.user,
            objectives=[objectives[c] for c in links.get(commitment.kind, []) if c in objectives],
        )
    for order, (text, codes) in enumerate(
        [
            ("Deliver on time and right first time", ["OBJ-01", "OBJ-04", "OBJ-07"]),
            ("Develop the competence of everyone who works for us", ["OBJ-10"]),
            ("Reduce the environmental impact of our operations", []),
        ],
        start=2,
    ):
        commitment = PolicyCommitment(
            organization=organization, policy=quality_policy, text=text, order=order
        )
        policy.commitment_save(
            commitment=commitment,
            actor=quality.user,
            objectives=[objectives[c] for c in codes if c in objectives],
        )

    responsibilities.responsibilities_ensure_standard(organization=organization, actor=quality.user)
    by_code = {r.code: r for r in Responsibility.objects.filter(organization=organization)}
    year_ago = today - datetime.timedelta(days=365)
    assign = responsibilities.assignment_create
    assign(
        responsibility=by_code["5.3a"],
        membership=quality,
        valid_from=year_ago,
        actor=ceo.user,
        authority="Stop any process that does not conform",
    )
    assign(
        responsibility=by_code["5.3b"],
        membership=members["ops.director"],
        valid_from=year_ago,
        actor=ceo.user,
    )
    old = assign(
        responsibility=by_code["5.3c"],
        membership=members["ops.director"],
        valid_from=year_ago,
        actor=ceo.user,
    )
    responsibilities.assignment_end(
        assignment=old, valid_to=today - datetime.timedelta(days=181), actor=ceo.user
    )
    assign(
        responsibility=by_code["5.3c"],
        membership=quality,
        valid_from=today - datetime.timedelta(days=180),
        actor=ceo.user,
        authority="Report directly to the Managing Director",
    )
    assign(
        responsibility=by_code["5.3d"],
        membership=members["cs.director"],
        valid_from=year_ago,
        actor=ceo.user,
    )
    # 5.3e is left unassigned: the matrix shows the gap.

    start = today.replace(month=1, day=1)
    end = today.replace(month=12, day=31)
    requests = [
        (
            "budget",
            "In-process gauges for CNC lines 1 and 2",
            "OBJ-04",
            None,
            "18000",
            "",
            members["contributor"],
            True,
            "6500",
        ),
        (
            "people",
            "Supplier quality engineer (0.5 FTE)",
            "OBJ-07",
            None,
            "0.5",
            "FTE",
            members["leeds.lead"],
            True,
            None,
        ),
        (
            "knowledge",
            "Root-cause analysis training for team leads",
            "OBJ-14",
            None,
            "4500",
            "GBP",
            quality,
            True,
            "4500",
        ),
        (
            "infrastructure",
            "Customer portal for complaint tracking",
            "OBJ-03",
            None,
            "26000",
            "GBP",
            members["cs.lead"],
            False,
            None,
        ),
        (
            "budget",
            "Energy sub-metering for Leeds",
            "OBJ-13",
            None,
            "9000",
            "",
            members["leeds.lead"],
            None,
            None,
        ),
        (
            "monitoring",
            "CMM calibration contract",
            None,
            "SHF",
            "3200",
            "GBP",
            members["contributor"],
            True,
            "1600",
        ),
    ]
    for n, (kind, title, code, unit_code, amount, unit, requester, approve, spent) in enumerate(
        requests
    ):
        replaying_since = timezone.now()
        allocation = resources.allocation_request(
            membership=requester,
            kind=kind,
            title=title,
            justification=f"Needed for {code or unit_code}.",
            objective=objectives.get(code) if code else None,
            org_unit=context.units[unit_code] if unit_code else None,
            amount=Decimal(amount),
            unit=unit,
            period_start=start,
            period_end=end,
        )
        if approve is not None:
            allocation = resources.allocation_decide(
                allocation=allocation,
                approver=members["ops.director"] if code in ("OBJ-04", "OBJ-07") else ceo,
                approve=approve,
                comment="" if approve else "Not this year: fix the complaint process first.",
            )
        if spent:
            resources.spend_record(
                allocation=allocation,
                membership=quality,
                date=today - datetime.timedelta(days=30),
                amount=Decimal(spent),
                note="Invoice",
            )
        _date_request(allocation, replaying_since, start + datetime.timedelta(days=14 * n))
