"""Demo competence, training, interested parties, processes and the certificate for Acme, dated
relative to today so that the matrix always shows gaps and competences expiring next quarter,
one training evaluation is due, one requirement is unmonitored and one process has no KPI.
Built through the services (audited). Idempotent: skipped once Acme has any competence."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction

from leadership.models import (
    Certificate,
    CertificationAudit,
    Competence,
    InterestedParty,
    PartyKind,
    PartyRequirement,
    Process,
    Responsibility,
    Risk,
)
from leadership.registers_support import PARTIES, PROCESSES
from leadership.registers_support import REQUIREMENTS as PARTY_REQUIREMENTS
from leadership.services import certification, competence, training
from leadership.services.parties import party_kinds_ensure_standard
from objectives.models import QualityObjective
from qms.core.demo import at, on_the_day
from qms.core.registers.services import record_create

# fmt: off
# name, description, levels 1-4, validity in months
COMPETENCES = [
    ("Internal auditing (ISO 9001)", "Plan and run internal audits to ISO 19011.", ["Knows the audit programme", "Audits with a lead auditor", "Leads audits", "Trains auditors"], 36),
    ("Root-cause analysis", "8D, 5 whys and fishbone on nonconformities.", ["Knows the methods", "Takes part in an 8D", "Leads 8Ds", "Coaches others"], None),
    ("CNC setting and first-off inspection", "Set up a CNC machine and sign off first-off parts.", ["Supervised", "Independent on one machine", "Independent on all", "Approves others"], 24),
    ("Measurement and calibration", "Use and check gauges; understand uncertainty.", ["Uses gauges", "Checks calibration status", "Runs MSA studies", "Owns the calibration system"], 24),
    ("Complaint handling", "Acknowledge, investigate and answer customer complaints.", ["Logs complaints", "Answers routine complaints", "Handles key accounts", "Owns the process"], None),
]
# competence index, responsibility code or role, level
COMPETENCE_REQUIREMENTS = [
    (0, "5.3a", 3), (1, "5.3b", 3), (1, "5.3c", 2), (4, "5.3d", 3), (0, "5.3e", 2),
    (1, "quality_manager", 3), (2, "contributor", 2), (3, "contributor", 2), (1, "executive", 1),
]
# member, competence index, level, evidence kind, evidence, attained days ago, expires in days
RECORDS = [
    ("quality", 0, 3, "qualification", "IRCA ISO 9001 lead auditor, cert. 55-1120", 1000, 60),
    ("quality", 1, 3, "training", "8D practitioner course", 600, None),
    ("quality", 3, 2, "assessment", "MSA study reviewed by the metrology lab", 300, 430),
    ("contributor", 2, 3, "assessment", "Signed off on all three CNC cells", 500, 40),
    ("contributor", 3, 1, "training", "Gauge handling induction", 700, 30),
    ("contributor", 1, 2, "experience", "Took part in three 8Ds in 2025", 250, None),
    ("leeds.lead", 2, 2, "assessment", "Independent on the assembly press cell", 400, 330),
    ("cs.lead", 4, 2, "training", "Complaint handling workshop", 380, None),
    ("executive", 1, 1, "training", "Leadership briefing on problem solving", 800, None),
    ("ops.director", 1, 2, "experience", "Led the 2024 scrap reduction 8D", 900, None),
]
PARTIES_DATA = [
    # name, kind, why it matters, requirements: (requirement, objective codes, register, note)
    ("Automotive key accounts", "Customers", "70% of revenue; IATF-style supplier requirements.", [
        ("On-time delivery of at least 95%", ["OBJ-01"], "", "Monthly OTD report to the customer"),
        ("Complaints answered within 3 days", ["OBJ-11"], "customer-feedback", ""),
        ("PPAP for every new part number", [], "", ""),
    ]),
    ("Anodising and heat-treatment suppliers", "Suppliers and external providers", "Single sources for two special processes.", [
        ("Clear purchase specifications and forecasts", ["OBJ-07"], "provider-evaluations", "Quarterly supplier review"),
    ]),
    ("Health and Safety Executive", "Regulators", "Machinery and COSHH regulations.", [
        ("Safe systems of work on CNC cells", [], "nonconformities", "Safety findings logged as NCs"),
    ]),
    ("Machinists and assembly staff", "Employees", "Skills shortage in the region.", [
        ("Training and a clear career path", ["OBJ-10"], "", "Training plan completion"),
    ]),
    ("Owners (family holding)", "Owners and investors", "Expect steady margin and the certificate kept.", [
        ("ISO 9001 certificate maintained", ["OBJ-14"], "audit-findings", ""),
    ]),
]
# name, category, owner, unit code, purpose, inputs, outputs, objective codes, risk titles,
# documents, hands over to (indexes)
PROCESSES_DATA = [
    ("Sales and contract review", "core", "cs.director", "CUS", "Agree what the customer needs and that we can deliver it.", "Enquiries, drawings, specifications", "Confirmed orders", ["OBJ-02"], ["Win the rail-sector framework contract"], "QP-01 Contract review\nhttps://intranet.example/qp-01", [1]),
    ("Production planning", "core", "ops.director", "ACME", "Schedule work so that orders ship on time.", "Confirmed orders, capacity", "Works orders, schedule", ["OBJ-01"], ["Cyber attack stops production planning"], "QP-04 Planning", [2, 3]),
    ("CNC machining", "core", "contributor", "SHF", "Make parts right first time.", "Works orders, material, programs", "Machined parts", ["OBJ-04", "OBJ-05", "OBJ-12", "OBJ-15"], ["Loss of key CNC programmer", "Gauge calibration lapses"], "WI-12 First-off inspection", [3]),
    ("Assembly and dispatch", "core", "leeds.lead", "LDS", "Assemble, test and ship.", "Machined and bought-in parts", "Shipped products", ["OBJ-08", "OBJ-07"], ["Single source for anodising"], "WI-30 Final inspection", [4]),
    ("Complaint handling", "support", "cs.lead", "CUS", "Answer customers and fix causes.", "Complaints, returns", "Answers, 8D reports", ["OBJ-03", "OBJ-11"], ["Complaint handling too slow for key accounts"], "QP-09 Complaints", []),
    ("Training and competence", "support", None, "ACME", "Keep people competent for their work.", "Competence gaps, new starters", "Trained, assessed staff", [], [], "QP-11 Training", []),
]
# fmt: on


@transaction.atomic
def seed_competence(context) -> None:
    organization = context.organization
    if Competence.objects.filter(organization=organization).exists():
        return
    members, today = context.members, context.today
    quality = members["quality"]

    def days(n):
        return today + datetime.timedelta(days=n)

    competences = [
        competence.competence_save(
            membership=quality,
            competence=Competence(
                name=name,
                description=description,
                level_1=levels[0],
                level_2=levels[1],
                level_3=levels[2],
                level_4=levels[3],
                validity_months=validity,
            ),
        )
        for name, description, levels, validity in COMPETENCES
    ]
    responsibilities = {r.code: r for r in Responsibility.objects.filter(organization=organization)}
    for index, holder, level in COMPETENCE_REQUIREMENTS:
        responsibility = responsibilities.get(holder)
        if responsibility is None and "." in holder:
            continue
        competence.competence_requirement_set(
            membership=quality,
            competence=competences[index],
            responsibility=responsibility,
            role="" if responsibility else holder,
            level=level,
        )
    for username, index, level, kind, evidence, ago, expires_in in RECORDS:
        if username not in members:
            continue
        competence.competence_record_create(
            actor=quality,
            membership=members[username],
            competence=competences[index],
            level=level,
            evidence_kind=kind,
            evidence=evidence,
            attained_on=days(-ago),
            expires_on=days(expires_in) if expires_in is not None else None,
        )

    _seed_training(context, competences)
    _seed_parties(context)
    _seed_processes(context)
    _seed_certificate(context)


def _seed_training(context, competences) -> None:
    members, units, today = context.members, context.units, context.today
    quality = members["quality"]
    staff = [members[u] for u in ("contributor", "leeds.lead") if u in members]
    # Held four months ago, evaluated: effective for one, not for the other.
    rca = training.training_session_create(
        membership=quality,
        competences=[competences[1]],
        invitees=[*staff, members["quality"]],
        topic="8D problem solving workshop",
        kind="workshop",
        target_level=3,
        trainer="Quentin Marsh",
        held_on=today - datetime.timedelta(days=120),
        duration_hours=Decimal("7"),
        org_unit=units["ACME"],
        evaluation_due_on=today - datetime.timedelta(days=30),
    )
    training.training_attendance_mark(session=rca, membership=quality, attended=staff)
    attendances = {a.membership_id: a for a in rca.attendances.all()}
    if staff:
        training.training_evaluate(
            attendance=attendances[staff[0].pk],
            evaluator=quality,
            result="effective",
            method="review",
            note="Led the OBJ-04 scrap 8D on her own.",
            evaluated_on=today - datetime.timedelta(days=20),
        )
    # Held last month; its evaluation is due now (the reminder and the list say so).
    gauges = training.training_session_create(
        membership=quality,
        competences=[competences[3]],
        invitees=staff,
        topic="Gauge R&R and calibration basics",
        kind="session",
        target_level=2,
        trainer="Metrology Ltd",
        held_on=today - datetime.timedelta(days=40),
        duration_hours=Decimal("3.5"),
        org_unit=units["SHF"],
        evaluation_due_on=today - datetime.timedelta(days=2),
    )
    training.training_attendance_mark(session=gauges, membership=quality, attended=staff)
    # Planned from the internal-auditing gap.
    training.training_session_create(
        membership=quality,
        competences=[competences[0]],
        invitees=[members[u] for u in ("cs.lead", "leeds.lead") if u in members],
        topic="Internal auditor course (ISO 19011)",
        kind="course",
        target_level=2,
        trainer="BSI Training Academy",
        held_on=today + datetime.timedelta(days=30),
        duration_hours=Decimal("14"),
        org_unit=units["ACME"],
    )


def _seed_parties(context) -> None:
    organization, quality = context.organization, context.members["quality"]
    party_kinds_ensure_standard(organization)
    kinds = {k.name: k for k in PartyKind.objects.filter(organization=organization)}
    objectives = {o.code: o for o in QualityObjective.objects.filter(organization=organization)}
    for name, kind, why, requirements in PARTIES_DATA:
        party = record_create(
            register=PARTIES,
            membership=quality,
            record=InterestedParty(
                title=name,
                kind=kinds[kind],
                description=why,
                review_due_on=context.today + datetime.timedelta(days=120),
            ),
        )
        for text, codes, register_key, note in requirements:
            record_create(
                register=PARTY_REQUIREMENTS,
                membership=quality,
                record=PartyRequirement(
                    party=party,
                    title=text,
                    monitoring_register=register_key,
                    monitoring_note=note,
                ),
                m2m={"objectives": [objectives[c] for c in codes if c in objectives]},
            )


def _seed_processes(context) -> None:
    organization, members, units = context.organization, context.members, context.units
    quality = members["quality"]
    objectives = {o.code: o for o in QualityObjective.objects.filter(organization=organization)}
    risks = {r.title: r for r in Risk.objects.filter(organization=organization)}
    # In use since the certificate was issued (about 800 days ago, `_seed_certificate`): a
    # management review held since saw them in the process register (reviews.agenda reads
    # it as of the meeting).
    with on_the_day(organization, at(context.today - datetime.timedelta(days=800))):
        created = []
        for (
            name,
            category,
            owner,
            unit,
            purpose,
            inputs,
            outputs,
            codes,
            risk_titles,
            docs,
            _,
        ) in PROCESSES_DATA:
            created.append(
                record_create(
                    register=PROCESSES,
                    membership=quality,
                    record=Process(
                        title=name,
                        category=category,
                        owner=members.get(owner) if owner else None,
                        org_unit=units.get(unit),
                        purpose=purpose,
                        inputs=inputs,
                        outputs=outputs,
                        documents=docs,
                    ),
                    m2m={
                        "objectives": [objectives[c] for c in codes if c in objectives],
                        "risks": [risks[t] for t in risk_titles if t in risks],
                    },
                )
            )
        for process, spec in zip(created, PROCESSES_DATA, strict=True):
            process.hands_over_to.set([created[i] for i in spec[-1]])


def _seed_certificate(context) -> None:
    quality, today = context.members["quality"], context.today
    issued = today - datetime.timedelta(days=800)
    certificate = certification.certificate_save(
        membership=quality,
        certificate=Certificate(
            certification_body="British Assessment Bureau",
            number="QMS-48213",
            scope="Design-to-print CNC machining, assembly and testing of precision components "
            "for the automotive, rail and industrial sectors.",
            sites="Sheffield Machining, Unit 4 Parkway, Sheffield\nLeeds Assembly, Leeds",
            issued_on=issued,
            expires_on=issued + datetime.timedelta(days=3 * 365 - 1),
        ),
    )
    # The latest surveillance audit is the one whose findings the reviews demo records
    # ("CB-<year>-<month>" of 45 days ago), so its findings show against it.
    for kind, planned, held, result in [
        ("certification", -810, -806, "recommended"),
        ("surveillance", -445, -444, "recommended"),
        ("surveillance", -46, -45, "conditional"),
        ("recertification", 250, None, ""),
    ]:
        reference_day = today + datetime.timedelta(days=held if held is not None else planned)
        reference = f"CB-{reference_day:%Y-%m}"
        certification.certification_audit_save(
            membership=quality,
            audit=CertificationAudit(
                certificate=certificate,
                kind=kind,
                planned_on=today + datetime.timedelta(days=planned),
                held_on=today + datetime.timedelta(days=held) if held is not None else None,
                lead_auditor="Arthur Bell",
                audit_reference=reference,
                result=result,
            ),
        )
