"""Clauses 7.2, 4.2 and 4.4, and the certificate: competence requirements and records, training
with attendance and effectiveness, interested parties and how each requirement is monitored,
processes with their owners, KPIs and risks, and the certification record with its audits."""

from __future__ import annotations

from leadership.selectors.certification import certificates_for_evidence
from leadership.selectors.competence import (
    competence_records_for_evidence,
    competence_requirements_for_evidence,
    training_sessions_for_evidence,
)
from leadership.selectors.parties import interested_parties_for_evidence
from leadership.selectors.processes import processes_for_evidence
from qms.evidence.sections import Finding, Scope, dict_rows, plural, register_section
from qms.evidence.writer import PackWriter


def competence(scope: Scope, writer: PackWriter) -> list[Finding]:
    base = "7.2-competence"
    args = {"organization": scope.organization, "unit": scope.unit, "start": scope.start,
            "end": scope.end}  # fmt: skip
    required = writer.csv(
        f"{base}/required-competences.csv",
        ["Competence", "Required by responsibility", "Required of role", "Level"],
        (
            [r.competence.name, str(r.responsibility) if r.responsibility_id else "",
             r.get_role_display() if r.role else "", r.level]
            for r in competence_requirements_for_evidence(**args)
        ),
    )  # fmt: skip
    records = writer.csv(
        f"{base}/competence-records.csv",
        ["Member", "Unit", "Competence", "Level", "Evidence", "Evidence detail", "Attained",
         "Expires"],
        (
            [r.membership.display_name,
             r.membership.org_unit.name if r.membership.org_unit_id else "",
             r.competence.name, r.level, r.get_evidence_kind_display(), r.evidence,
             r.attained_on, r.expires_on]
            for r in competence_records_for_evidence(**args)
        ),
    )  # fmt: skip
    sessions = training_sessions_for_evidence(**args)
    dict_rows(writer, f"{base}/training-sessions.csv", sessions, [
        "id", "topic", "kind", "held_on", "duration_hours", "trainer", "unit", "competences",
        "target_level", "evaluation_due_on", "invited", "attended",
    ])  # fmt: skip
    writer.json(f"{base}/training-sessions.json", sessions)
    evaluated = sum(1 for s in sessions for a in s["attendees"] if a.get("result"))
    return [
        Finding("7.2", f"{plural(required.rows, 'competence requirement')} of the QMS "
                "responsibilities and roles.", [f"{base}/required-competences.csv"],
                missing=not required.rows),
        Finding("7.2", f"{plural(records.rows, 'competence record')} in force during the "
                "period, with their evidence.", [f"{base}/competence-records.csv"],
                missing=not records.rows),
        Finding("7.2", f"{plural(len(sessions), 'training session')} held, with attendance and "
                f"{plural(evaluated, 'effectiveness evaluation')}.",
                [f"{base}/training-sessions.csv", f"{base}/training-sessions.json"],
                missing=not sessions),
    ]  # fmt: skip


def parties_and_processes(scope: Scope, writer: PackWriter) -> list[Finding]:
    args = {"organization": scope.organization, "unit": scope.unit, "start": scope.start,
            "end": scope.end}  # fmt: skip
    parties = interested_parties_for_evidence(**args)
    dict_rows(writer, "4.2-interested-parties/requirements.csv", parties, [
        "party_reference", "party", "kind", "requirement_reference", "requirement",
        "monitoring_objectives", "monitoring_register", "monitoring_note", "unmonitored",
        "party_review_due_on", "party_reviewed_on",
    ])  # fmt: skip
    unmonitored = sum(1 for p in parties if p.get("unmonitored"))
    processes = processes_for_evidence(**args)
    dict_rows(writer, "4.4-processes/processes.csv", processes, [
        "reference", "process", "category", "status", "owner", "unit", "purpose", "inputs",
        "outputs", "kpis", "risks", "hands_over_to", "documents", "flags",
    ])  # fmt: skip
    writer.json("4.4-processes/processes.json", processes)
    flagged = sum(1 for p in processes if p.get("flags"))
    certificates = certificates_for_evidence(**args)
    writer.json("4.4-processes/certificates.json", certificates)
    findings = [
        Finding("4.2", f"{plural(len(parties), 'interested party requirement')} with how each "
                "is monitored.", ["4.2-interested-parties/requirements.csv"],
                missing=not parties),
        Finding("4.4", f"{plural(len(processes), 'process', 'processes')} with owners, KPIs, "
                "risks and hand-overs.", ["4.4-processes/processes.csv",
                                           "4.4-processes/processes.json"],
                missing=not processes),
    ]  # fmt: skip
    if unmonitored:
        findings.append(Finding("4.2", f"{plural(unmonitored, 'requirement')} monitored by "
                                "nothing.", ["4.2-interested-parties/requirements.csv"],
                                missing=True))  # fmt: skip
    if flagged:
        findings.append(Finding("4.4", f"{plural(flagged, 'process', 'processes')} without an "
                                "owner or a KPI.", ["4.4-processes/processes.csv"],
                                missing=True))  # fmt: skip
    if certificates:
        states = ", ".join(f"{c['number']} {c['state_at_end']}" for c in certificates)
        findings.append(Finding("4.4", f"The certificate and its audit cycle ({states} at the "
                                "period's end).", ["4.4-processes/certificates.json"]))  # fmt: skip
    else:
        findings.append(Finding("4.4", "No certification record.",
                                ["4.4-processes/certificates.json"], missing=True))  # fmt: skip
    return findings


register_section(40, "parties-and-processes", parties_and_processes)
register_section(72, "competence", competence)
