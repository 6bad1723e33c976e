"""Clauses 7.4, 7.3 and 5.1 (communication): the communication plan with each due date's
status, announcements with their reach, and executives' leadership activities."""

from __future__ import annotations

from leadership.communication.selectors import announcements_for_evidence
from leadership.communication.selectors_activities import activities_for_evidence
from leadership.communication.selectors_plan import plan_for_evidence
from qms.evidence.sections import Finding, Scope, dict_rows, plural, register_section
from qms.evidence.writer import PackWriter


def communication(scope: Scope, writer: PackWriter) -> list[Finding]:
    base = "7.4-communication"
    args = {"organization": scope.organization, "unit": scope.unit, "start": scope.start,
            "end": scope.end}  # fmt: skip
    plan = plan_for_evidence(**args, today=scope.end)
    plan_entry = dict_rows(writer, f"{base}/communication-plan.csv", plan, [
        "item_id", "topic", "recurrence", "audience_units", "audience_roles", "channel",
        "communicator", "due_on", "status", "done_on", "note", "announcement_ids",
    ])  # fmt: skip
    announcements = announcements_for_evidence(**args)
    header = list(announcements[0]) if announcements else ["id", "title"]
    sent = dict_rows(writer, f"{base}/announcements.csv", announcements, header)
    activities = activities_for_evidence(**args)
    logged = dict_rows(writer, "5.1-leadership/leadership-activities.csv", activities, [
        "id", "date", "kind", "title", "executive", "unit", "notes", "follow_up_actions",
    ])  # fmt: skip
    findings = [
        Finding(
            "7.4",
            f"The communication plan: {plural(plan_entry.rows, 'due date')} in the period, each "
            "with what was communicated, to whom, how, by whom, and whether on time.",
            [f"{base}/communication-plan.csv"],
            missing=not plan_entry.rows,
        ),
        Finding(
            "7.3",
            f"{plural(sent.rows, 'quality announcement')} published in the period, with who "
            "received and read each (reach rate).",
            [f"{base}/announcements.csv"],
            missing=not sent.rows,
        ),
        Finding(
            "5.1",
            f"{plural(logged.rows, 'leadership activity', 'leadership activities')} logged by "
            "executives (quality walks, town halls, visits), with their follow-up actions.",
            ["5.1-leadership/leadership-activities.csv"],
            missing=not logged.rows,
        ),
    ]
    return findings


register_section(74, "communication", communication)
