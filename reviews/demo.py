"""Demo review registers for Acme: nonconformities from every source (two raised by customer
complaints), the findings of one internal and one certification audit, a year of customer
feedback with monthly survey scores, and provider evaluations with one supplier on conditions
and one disqualified. Dates are relative to the demo's today, so the data stays current.
Idempotent: it does nothing if Acme already has nonconformities."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction

from qms.core.demo import at, on_the_day
from qms.core.registers.definition import get_register
from qms.core.registers.services import record_create, record_update
from reviews.models import AuditFinding, CustomerFeedback, Nonconformity, ProviderEvaluation

# title, source, severity, days ago detected, unit, owner, status, days ago closed, effective
NONCONFORMITIES = [
    (
        "Bore diameter out of tolerance on batch 2231",
        "internal",
        "major",
        200,
        "SHF",
        "contributor",
        "closed",
        170,
        True,
    ),
    (
        "Wrong connector fitted to pump housing",
        "customer_complaint",
        "major",
        150,
        "LDS",
        "leeds.lead",
        "closed",
        110,
        True,
    ),
    (
        "Supplier castings with porosity",
        "supplier",
        "major",
        120,
        "SHF",
        "quality",
        "closed",
        80,
        False,
    ),
    ("Calibration of CMM overdue", "audit", "minor", 95, "SHF", "quality", "closed", 60, None),
    (
        "Work instruction WI-14 out of date at Leeds",
        "internal",
        "minor",
        60,
        "LDS",
        "leeds.lead",
        "action",
        None,
        None,
    ),
    (
        "Scratched surface finish on delivered shafts",
        "customer_complaint",
        "critical",
        40,
        "SHF",
        "contributor",
        "investigating",
        None,
        None,
    ),
    (
        "Packaging damaged in transit by carrier",
        "supplier",
        "minor",
        25,
        "CUS",
        "cs.lead",
        "open",
        None,
        None,
    ),
    (
        "Torque values not recorded on assembly line 2",
        "internal",
        "major",
        10,
        "LDS",
        "leeds.lead",
        "open",
        None,
        None,
    ),
]

# title, audit kind, days ago, auditor, type, clause, unit, status, days ago closed
AUDIT_FINDINGS = [
    (
        "Calibration of the CMM overdue by three weeks",
        "internal",
        100,
        "Quentin Marsh",
        "minor",
        "7.1.5",
        "SHF",
        "closed",
        60,
    ),
    (
        "Training records incomplete for new starters",
        "internal",
        100,
        "Quentin Marsh",
        "observation",
        "7.2",
        "LDS",
        "closed",
        70,
    ),
    (
        "Customer complaint trend not analysed",
        "internal",
        100,
        "Quentin Marsh",
        "ofi",
        "9.1.3",
        "CUS",
        "responded",
        None,
    ),
    (
        "Management review did not consider provider performance",
        "certification",
        45,
        "Arthur Bell",
        "minor",
        "9.3.2",
        "ACME",
        "responded",
        None,
    ),
    (
        "No evidence that corrective action effectiveness is checked",
        "certification",
        45,
        "Arthur Bell",
        "major",
        "10.2.1",
        "ACME",
        "open",
        None,
    ),
    (
        "Good use of visual management at Sheffield",
        "certification",
        45,
        "Arthur Bell",
        "ofi",
        "7.4",
        "SHF",
        "closed",
        30,
    ),
]

CUSTOMERS = ["Northern Pumps Ltd", "Hydra Systems", "Vale Agricultural", "Brightwater Engineering"]
# Monthly survey scores, oldest first (months ago 12 .. 1): rising as the complaint process improves.
# Monthly survey scores, oldest first, for the last two years: every management review the
# demo replays (quarterly since mid-2025) has a year of customer feedback behind it.
SURVEY_SCORES = [
    "6.9", "7.0", "7.1", "7.0", "7.2", "7.1", "7.3", "7.2", "7.4", "7.3", "7.5", "7.3",
    "7.4", "7.6", "7.5", "7.8", "7.9", "7.7", "8.0", "8.1", "8.0", "8.3", "8.2", "8.4",
]  # fmt: skip
# title, customer index, channel, type, days ago, linked NC index, status
OTHER_FEEDBACK = [
    ("Wrong connector on pump housings, order 4471", 0, "email", "complaint", 152, 1, "closed"),
    ("Burrs on machined brackets, order 3306", 1, "email", "complaint", 560, None, "closed"),
    ("Drawing revision mismatch on shipped flanges", 2, "phone", "complaint", 430, None, "closed"),
    ("Scratches on delivered shafts", 2, "phone", "complaint", 41, 5, "answered"),
    ("Late delivery of order 5120", 1, "portal", "complaint", 75, None, "closed"),
    (
        "Thanks for the quick turnaround on the prototype",
        3,
        "email",
        "compliment",
        90,
        None,
        "closed",
    ),
    (
        "Engineering support praised at quarterly meeting",
        0,
        "visit",
        "compliment",
        30,
        None,
        "closed",
    ),
    ("Offer a portal for delivery tracking", 1, "survey", "suggestion", 120, None, "answered"),
    ("Packaging could use less plastic", 2, "email", "suggestion", 12, None, "open"),
    ("Certificate of conformity missing with delivery", 3, "phone", "complaint", 8, None, "open"),
]

# provider, months evaluated ago, quality, delivery, status, notes
EVALUATIONS = [
    (
        "Castings & Co",
        7,
        "88",
        "84",
        "approved",
        "Incoming inspection acceptance and OTIF over the half year.",
    ),
    (
        "Castings & Co",
        1,
        "72",
        "80",
        "conditional",
        "Porosity in two batches (NC-003): approved on condition of an 8D report and 100% inspection for three months.",
    ),
    ("Sheffield Steel Stockholders", 1, "96", "93", "approved", "No rejects; one late delivery."),
    (
        "QuickFreight Logistics",
        1,
        "70",
        "58",
        "disqualified",
        "Repeated transit damage and late deliveries; replaced by a new carrier.",
    ),
    (
        "Precision Coatings Ltd",
        2,
        "94",
        "90",
        "approved",
        "Coating thickness within specification on every sample.",
    ),
    (
        "Metrology Services UK",
        3,
        "98",
        "95",
        "approved",
        "Calibration certificates complete and on time.",
    ),
]


FORTNIGHT = datetime.timedelta(days=14)


def _days_ago(today: datetime.date, days: int | None) -> datetime.date | None:
    return today - datetime.timedelta(days=days) if days is not None else None


@transaction.atomic
def seed_reviews(context) -> None:
    organization = context.organization
    if Nonconformity.objects.filter(organization=organization).exists():
        return
    today, members, units = context.today, context.members, context.units
    quality = members["quality"]

    def create(key, record):
        return record_create(
            register=get_register(key), membership=quality, record=record, reason="Demo data"
        )

    ncs = []
    for title, source, severity, ago, unit, owner, status, closed_ago, effective in NONCONFORMITIES:
        verified = effective is not None
        ncs.append(
            create(
                "nonconformities",
                Nonconformity(
                    title=title,
                    source=source,
                    severity=severity,
                    detected_on=_days_ago(today, ago),
                    org_unit=units[unit],
                    owner=members[owner],
                    description=f"{title}. Found and recorded on the day.",
                    containment="Affected parts quarantined and checked." if ago > 20 else "",
                    root_cause="Found by 5 whys; see the corrective action." if closed_ago else "",
                    status=status,
                    closed_on=_days_ago(today, closed_ago),
                    effective=effective,
                    verified_by=quality if verified else None,
                    verified_on=_days_ago(today, closed_ago - 20) if verified else None,
                ),
            )
        )

    for title, kind, ago, auditor, kind_of, clause, unit, status, closed_ago in AUDIT_FINDINGS:
        audit_date = _days_ago(today, ago)
        create(
            "audit-findings",
            AuditFinding(
                title=title,
                audit_kind=kind,
                audit_reference=f"{'IA' if kind == 'internal' else 'CB'}-{audit_date:%Y-%m}",
                audit_date=audit_date,
                auditor=auditor,
                finding_type=kind_of,
                clause=clause,
                org_unit=units[unit],
                description=title + ".",
                status=status,
                closed_on=_days_ago(today, closed_ago),
            ),
        )

    feedback = []
    for months_ago, score in zip(range(len(SURVEY_SCORES), 0, -1), SURVEY_SCORES, strict=True):
        received = _days_ago(today, months_ago * 30 + 10)
        feedback.append(
            (
                received,
                CustomerFeedback(
                    title=f"Customer satisfaction survey, {received:%B %Y}",
                    received_on=received,
                    customer=CUSTOMERS[months_ago % len(CUSTOMERS)],
                    channel="survey",
                    feedback_type="survey_score",
                    score=Decimal(score),
                    status="closed",
                ),
            )
        )
    for title, customer, channel, kind, ago, nc_index, status in OTHER_FEEDBACK:
        received = _days_ago(today, ago)
        feedback.append(
            (
                received,
                CustomerFeedback(
                    title=title,
                    received_on=received,
                    customer=CUSTOMERS[customer],
                    channel=channel,
                    feedback_type=kind,
                    nonconformity=ncs[nc_index] if nc_index is not None else None,
                    status=status,
                ),
            )
        )
    for received, record in sorted(feedback, key=lambda pair: pair[0]):
        # Recorded on the day it was received; a complaint open until it was answered or closed
        # a fortnight later: a management review held between saw it open (reviews.agenda
        # reads the register as of the meeting).
        final = record.status
        settled = record.feedback_type == "complaint" and final != "open"
        if settled:
            record.status = "open"
        with on_the_day(organization, at(received, hour=10)):
            create("customer-feedback", record)
        if settled:
            with on_the_day(organization, at(min(received + FORTNIGHT, today), hour=16)):
                record.status = final
                record_update(
                    register=get_register("customer-feedback"), membership=quality,
                    record=record, reason="Demo data",
                )  # fmt: skip

    for provider, months_ago, quality_score, delivery_score, status, notes in EVALUATIONS:
        evaluated = _days_ago(today, months_ago * 30)
        create(
            "provider-evaluations",
            ProviderEvaluation(
                provider=provider,
                period_start=evaluated - datetime.timedelta(days=182),
                period_end=evaluated - datetime.timedelta(days=1),
                quality_score=Decimal(quality_score),
                delivery_score=Decimal(delivery_score),
                status=status,
                criteria_notes=notes,
                evaluated_on=evaluated,
                evaluated_by=quality,
            ),
        )
