"""Clauses 9.1.3, 9.3 and 10.2: analysis of customer feedback, providers and audits;
management reviews with their frozen inputs, attendance, minutes and decisions; nonconformities,
actions and their effectiveness."""

from __future__ import annotations

import json

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q

from qms.core.actions.models import Action, EffectivenessCheck
from qms.evidence.sections import (
    PEOPLE,
    Finding,
    Scope,
    member_name,
    plural,
    readable,
    register_section,
)
from qms.evidence.writer import PackWriter, json_default
from reviews.models import (
    AuditFinding,
    CustomerFeedback,
    ManagementReview,
    Nonconformity,
    ProviderEvaluation,
    ReviewDecision,
    ReviewStatus,
)


def analysis(scope: Scope, writer: PackWriter) -> list[Finding]:
    org = scope.organization
    base = "9.1.3-analysis"
    feedback = writer.csv(
        f"{base}/customer-feedback.csv",
        ["Reference", "Received", "Customer", "Channel", "Type", "Score", "Title", "Status"],
        readable(
            scope.in_unit(CustomerFeedback.objects.for_organization(org))
            .filter(received_on__gte=scope.start, received_on__lte=scope.end)
            .order_by("received_on", "number"),
            "number", "received_on", "customer", "channel", "feedback_type", "score", "title",
            "status",
        ),
    )  # fmt: skip
    providers = writer.csv(
        f"{base}/provider-evaluations.csv",
        ["Reference", "Provider", "From", "To", "Quality", "Delivery", "Overall", "Status",
         "Evaluated on"],
        readable(
            ProviderEvaluation.objects.for_organization(org)
            .filter(period_end__gte=scope.start, period_start__lte=scope.end)
            .order_by("provider", "period_start", "number"),
            "number", "provider", "period_start", "period_end", "quality_score", "delivery_score",
            "overall_score", "status", "evaluated_on",
        ),
    )  # fmt: skip
    findings_qs = scope.in_unit(AuditFinding.objects.for_organization(org)).filter(
        audit_date__gte=scope.start, audit_date__lte=scope.end
    )
    audits = writer.csv(
        f"{base}/audit-findings.csv",
        ["Reference", "Audit", "Audit reference", "Date", "Auditor", "Type", "Clause", "Title",
         "Unit", "Status", "Closed on"],
        readable(findings_qs.order_by("audit_date", "number"), "number", "audit_kind",
               "audit_reference", "audit_date", "auditor", "finding_type", "clause", "title",
               "org_unit__name", "status", "closed_on"),
    )  # fmt: skip
    result = []
    for entry, what, path in (
        (feedback, "customer feedback record", "customer-feedback.csv"),
        (providers, "external provider evaluation", "provider-evaluations.csv"),
        (audits, "audit finding", "audit-findings.csv"),
    ):
        text = (
            f"{plural(entry.rows, what)} in the period."
            if entry.rows
            else f"No {what} in the period."
        )
        result.append(Finding("9.1.3", text, [f"{base}/{path}"], missing=not entry.rows))
    return result


def management_reviews(scope: Scope, writer: PackWriter) -> list[Finding]:
    reviews = list(
        ManagementReview.objects.for_organization(scope.organization)
        .filter(
            Q(held_on__gte=scope.start, held_on__lte=scope.end)
            | Q(held_on__isnull=True, planned_on__gte=scope.start, planned_on__lte=scope.end)
        )
        .select_related("chair__user", "signed_off_by__user", "org_unit")
        .prefetch_related("inputs", "attendees__membership__user", "decisions")
        .order_by("number")
    )
    base = "9.3-management-reviews"
    index_path = f"{base}/reviews.csv"
    writer.csv(
        index_path,
        ["Reference", "Title", "Unit", "Planned on", "Held on", "Days late", "Status", "Chair",
         "Signed off by", "Signed off at", "Top management attending", "Decisions"],
        (
            [r.reference, r.title, r.org_unit.name if r.org_unit else "", r.planned_on,
             r.held_on, r.days_late(), r.get_status_display(),
             r.chair.display_name if r.chair else "",
             r.signed_off_by.display_name if r.signed_off_by else "", r.signed_off_at,
             sum(1 for a in r.attendees.all() if a.is_top_management
                 and a.attendance == "attended"),
             len(r.decisions.all())]
            for r in reviews
        ),
    )  # fmt: skip
    files = [index_path]
    decision_ids = []
    for review in reviews:
        if review.status not in (ReviewStatus.HELD, ReviewStatus.SIGNED_OFF):
            continue
        folder = f"{base}/{review.reference}"
        record = {
            "reference": review.reference,
            "title": review.title,
            "planned_on": review.planned_on,
            "held_on": review.held_on,
            "period": [review.period_start, review.period_end],
            "status": review.status,
            "chair": review.chair.display_name if review.chair else None,
            "minutes": review.minutes,
            "signed_off_by": review.signed_off_by.display_name if review.signed_off_by else None,
            "signed_off_at": review.signed_off_at,
            "sign_off_comment": review.sign_off_comment,
            "attendees": [
                {"name": a.membership.display_name, "attendance": a.attendance,
                 "top_management": a.is_top_management}
                for a in sorted(review.attendees.all(), key=lambda a: a.membership_id)
            ],
            "decisions": [
                {"number": d.number, "kind": d.kind, "text": d.text}
                for d in sorted(review.decisions.all(), key=lambda d: d.number)
            ],
        }  # fmt: skip
        writer.json(f"{folder}/record.json", record)
        writer.text(f"{folder}/minutes.md", (review.minutes or "").rstrip() + "\n")
        inputs = [
            {"key": i.key, "clause": i.clause, "title": i.title, "missing": i.missing,
             "commentary": i.commentary, "compiled_at": i.compiled_at, "data": i.data}
            for i in sorted(review.inputs.all(), key=lambda i: i.order)
        ]  # fmt: skip
        writer.text(
            f"{folder}/inputs.json",
            json.dumps(inputs, sort_keys=True, indent=2, default=json_default) + "\n",
        )
        files += [f"{folder}/record.json", f"{folder}/minutes.md", f"{folder}/inputs.json"]
        decision_ids += [d.pk for d in review.decisions.all()]
    actions = (
        Action.objects.for_organization(scope.organization)
        .filter(
            source_type=ContentType.objects.get_for_model(ReviewDecision),
            source_id__in=decision_ids,
        )
        .annotate(**PEOPLE)
        .order_by("number")
    )  # fmt: skip
    actions_path = f"{base}/decision-actions.csv"
    writer.csv(
        actions_path,
        ["Action", "Decision id", "Title", "Owner", "Accountable executive", "Due", "Status",
         "Closed at", "Verification"],
        readable(actions, "number", "source_id", "title", "owner_name", "executive_name",
               "due_date", "status", "closed_at", "verification_result"),
    )  # fmt: skip
    files.append(actions_path)
    held = [r for r in reviews if r.status in (ReviewStatus.HELD, ReviewStatus.SIGNED_OFF)]
    if not held:
        return [Finding("9.3", "No management review was held in the period.", files,
                        missing=True)]  # fmt: skip
    findings = [
        Finding(
            "9.3",
            f"{plural(len(held), 'management review')} held in the period, with the inputs as "
            "frozen at the meeting, attendance, minutes, decisions and the actions they raised.",
            files,
        )
    ]
    late = [r for r in held if r.days_late()]
    unsigned = [r for r in held if r.status != ReviewStatus.SIGNED_OFF]
    if late:
        findings.append(Finding("9.3", f"{plural(len(late), 'review')} held later than planned: "
                                + ", ".join(r.reference for r in late) + ".", [index_path],
                                missing=True))  # fmt: skip
    if unsigned:
        findings.append(Finding("9.3", f"{plural(len(unsigned), 'review')} not yet signed off: "
                                + ", ".join(r.reference for r in unsigned) + ".", [index_path],
                                missing=True))  # fmt: skip
    return findings


def improvement(scope: Scope, writer: PackWriter) -> list[Finding]:
    org = scope.organization
    base = "10.2-improvement"
    ncs = writer.csv(
        f"{base}/nonconformities.csv",
        ["Reference", "Detected", "Title", "Source", "Severity", "Unit", "Owner", "Root cause",
         "Status", "Closed on", "Effective", "Verified on"],
        readable(
            scope.in_unit(Nonconformity.objects.for_organization(org))
            .filter(detected_on__lte=scope.end)
            .filter(Q(closed_on__isnull=True) | Q(closed_on__gte=scope.start))
            .annotate(owner_name=member_name("owner"))
            .order_by("detected_on", "number"),
            "number", "detected_on", "title", "source", "severity", "org_unit__name",
            "owner_name", "root_cause", "status", "closed_on", "effective", "verified_on",
        ),
    )  # fmt: skip
    actions = (
        Action.objects.for_organization(org)
        .filter(created_at__lt=scope.end_dt())
        .filter(Q(closed_at__isnull=True) | Q(closed_at__gte=scope.start_dt()))
        .annotate(**PEOPLE)
        .order_by("number")
    )  # fmt: skip
    if scope.unit is not None:
        actions = actions.filter(owner__org_unit__path__startswith=scope.unit.path)
    acted = writer.csv(
        f"{base}/actions.csv",
        ["Action", "Title", "Source", "Owner", "Accountable executive", "Raised", "Due",
         "Status", "Closed at", "Closing note", "Verification", "Verification evidence"],
        readable(actions, "number", "title", "source_type__model", "owner_name", "executive_name",
               "created_at", "due_date", "status", "closed_at", "closing_note",
               "verification_result", "verification_evidence"),
    )  # fmt: skip
    checks = writer.csv(
        f"{base}/effectiveness-checks.csv",
        ["Action", "Result", "Evidence", "Checked by", "Checked at"],
        readable(
            EffectivenessCheck.objects.for_organization(org)
            .filter(action__in=actions.values("pk"))
            .filter(checked_at__gte=scope.start_dt(), checked_at__lt=scope.end_dt())
            .annotate(checker=member_name("checked_by"))
            .order_by("checked_at", "id"),
            "action__number", "result", "evidence", "checker", "checked_at",
        ),
    )  # fmt: skip
    files = [f"{base}/nonconformities.csv", f"{base}/actions.csv",
             f"{base}/effectiveness-checks.csv"]  # fmt: skip
    findings = [
        Finding("10.2", f"{plural(ncs.rows, 'nonconformity', 'nonconformities')} open during "
                "the period, with root cause and closure.", files[:1], missing=not ncs.rows),
        Finding("10.2", f"{plural(acted.rows, 'action')} open during the period, with owner, "
                "accountable executive, due date and how each was closed.", files[1:2],
                missing=not acted.rows),
        Finding("10.2", f"{plural(checks.rows, 'effectiveness check')} made in the period.",
                files[2:], missing=not checks.rows),
    ]  # fmt: skip
    return findings


register_section(90, "analysis", analysis)
register_section(93, "management-reviews", management_reviews)
register_section(102, "improvement", improvement)
