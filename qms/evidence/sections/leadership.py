"""Clauses 5.1, 5.2, 5.3 and 7.1: top management's accountability, the policy, the
responsibility matrix and resources."""

from __future__ import annotations

from django.db.models import Q, Value
from django.db.models.functions import Concat

from leadership.models import PolicyVersion, ResourceSpend
from leadership.selectors.accountability import executive_records
from leadership.selectors.policy import acknowledgement_rates
from leadership.selectors.resources import allocation_list
from leadership.selectors.responsibilities import matrix_as_of
from qms.evidence.sections import Finding, Scope, member_name, plural, readable, register_section
from qms.evidence.writer import PackWriter


def _user(user) -> str:
    return (user.get_full_name() or user.get_username()) if user else ""


def top_management(scope: Scope, writer: PackWriter) -> list[Finding]:
    records = executive_records(organization=scope.organization, today=scope.end)
    path = "5.1-leadership/executives.csv"
    writer.csv(
        path,
        [
            "Executive", "Job title", "Objectives accountable for", "Off track", "At risk",
            "On track", "No data", "Open actions", "Overdue actions", "Policy approvals",
            "Resource decisions", *(label for label, _ in (records[0].extra if records else [])),
        ],
        (
            [
                r.executive.display_name, r.executive.job_title, r.objectives_total,
                r.objectives["red"], r.objectives["amber"], r.objectives["green"],
                r.objectives["no_data"], r.open_actions, r.overdue_actions, r.policy_approvals,
                r.resource_decisions, *(value for _, value in r.extra),
            ]
            for r in records
        ),
    )  # fmt: skip
    if not records:
        return [Finding("5.1", "No member holds the executive role: top management is not "
                        "named in the system.", [path], missing=True)]  # fmt: skip
    return [
        Finding(
            "5.1",
            f"{plural(len(records), 'member')} of top management, each with the objectives and "
            "actions they are accountable for and the decisions they took (as of the period's "
            "end).",
            [path],
        )
    ]


def policy(scope: Scope, writer: PackWriter) -> list[Finding]:
    # In force at some time during the period: published before its end, not superseded
    # before its start. Approved drafts not yet published are listed too (approval evidence).
    versions = list(
        PolicyVersion.objects.for_organization(scope.organization)
        .filter(published_at__lt=scope.end_dt())
        .filter(Q(superseded_at__isnull=True) | Q(superseded_at__gte=scope.start_dt()))
        .select_related("approved_by__user", "published_by", "submitted_by")
        .order_by("number")
    )
    path = "5.2-policy/policy-versions.csv"
    rows, texts = [], []
    for version in versions:
        total, _ = acknowledgement_rates(version)
        rows.append([
            version.number, version.get_status_display(), version.change_summary,
            _user(version.submitted_by),
            version.submitted_at, version.approved_by.display_name if version.approved_by else "",
            version.approved_at, version.approval_comment,
            _user(version.published_by), version.published_at, version.superseded_at,
            total.members, total.acknowledged, total.percent,
        ])  # fmt: skip
        text_path = f"5.2-policy/policy-v{version.number}.md"
        writer.text(text_path, version.text.rstrip() + "\n")
        texts.append(text_path)
    writer.csv(
        path,
        ["Version", "Status", "Change summary", "Submitted by", "Submitted at", "Approved by",
         "Approved at", "Approval comment", "Published by", "Published at", "Superseded at",
         "Staff",
         "Acknowledged", "Acknowledged %"],
        rows,
    )  # fmt: skip
    if not versions:
        return [Finding("5.2", "No quality policy version was in force during the period.",
                        [path], missing=True)]  # fmt: skip
    rates = ", ".join(f"v{r[0]} {r[-1]}%" for r in rows)
    return [
        Finding(
            "5.2",
            f"{plural(len(versions), 'policy version')} in force during the period, with who "
            f"approved and published each, and acknowledgement by staff ({rates}, as of the "
            "pack's creation).",
            [path, *texts],
        )
    ]


def responsibilities(scope: Scope, writer: PackWriter) -> list[Finding]:
    findings, files, unassigned = [], [], 0
    for label, day in (("start", scope.start), ("end", scope.end)):
        matrix = matrix_as_of(organization=scope.organization, day=day)
        path = f"5.3-responsibilities/matrix-at-{label}-{day.isoformat()}.csv"
        writer.csv(
            path,
            ["Code", "Responsibility", "Holder", "Job title", "From", "To", "Authority"],
            (
                [row.responsibility.code, row.responsibility.title,
                 *((a.membership.display_name, a.membership.job_title, a.valid_from,
                    a.valid_to, a.authority) if a else ("(no holder)", "", "", "", ""))]
                for row in matrix
                for a in (row.holders or [None])
            ),
        )  # fmt: skip
        files.append(path)
        if label == "end":
            unassigned = sum(1 for row in matrix if row.unassigned)
            total = len(matrix)
    if total == 0:
        return [Finding("5.3", "No responsibilities are defined.", files, missing=True)]
    findings.append(
        Finding(
            "5.3",
            f"The responsibility matrix ({plural(total, 'responsibility', 'responsibilities')}) "
            f"as of {scope.start:%-d %b %Y} and {scope.end:%-d %b %Y}.",
            files,
        )
    )
    if unassigned:
        findings.append(
            Finding(
                "5.3",
                f"{plural(unassigned, 'responsibility', 'responsibilities')} had no holder at "
                "the period's end.",
                files,
                missing=True,
            )
        )
    return findings


def resources(scope: Scope, writer: PackWriter) -> list[Finding]:
    allocations = (
        allocation_list(organization=scope.organization, unit=scope.unit)
        .filter(period_start__lte=scope.end, period_end__gte=scope.start)
        .annotate(requester=member_name("requested_by"), decider=member_name("decided_by"))
        .order_by("period_start", "id")
    )
    path = "7.1-resources/allocations.csv"
    entry = writer.csv(
        path,
        ["Id", "Kind", "Title", "Objective", "Unit", "Amount", "Unit of measure", "From", "To",
         "Status", "Requested by", "Decided by", "Decided at", "Decision comment", "Spent",
         "Over approved amount"],
        readable(
            allocations, "id", "kind", "title", "objective__code", "org_unit__name", "amount",
            "unit", "period_start", "period_end", "status", "requester", "decider", "decided_at",
            "decision_comment", "spent", "over_approved",
        ),
    )  # fmt: skip
    spend = (
        ResourceSpend.objects.filter(allocation__in=allocations.values("pk"))
        .filter(date__gte=scope.start, date__lte=scope.end)
        .annotate(recorder=Concat("recorded_by__first_name", Value(" "), "recorded_by__last_name"))
        .order_by("date", "id")
    )
    spend_path = "7.1-resources/spend.csv"
    writer.csv(
        spend_path,
        [
            "Allocation",
            "Date",
            "Amount",
            "Note",
            "Recorded by",
            "Reason for spending more than approved",
        ],
        readable(spend, "allocation_id", "date", "amount", "note", "recorder", "over_reason"),
    )
    if not entry.rows:
        return [Finding("7.1", f"No resource allocation covered the period ({scope.label}).",
                        [path], missing=True)]  # fmt: skip
    return [
        Finding(
            "7.1",
            f"{plural(entry.rows, 'resource allocation')} active in the period, with who "
            "requested and decided each, and what was spent.",
            [path, spend_path],
        )
    ]


register_section(10, "top-management", top_management)
register_section(20, "policy", policy)
register_section(30, "responsibilities", responsibilities)
register_section(70, "resources", resources)
