"""Demo context issues and risks for Acme, dated relative to today so that the management
review's period always has changes in it. Built through the register services (audited).
Idempotent: skipped once Acme has any context issue."""

from __future__ import annotations

import datetime

from django.db import transaction

from leadership.models import ContextIssue, Risk
from leadership.registers import CONTEXT_ISSUES, RISKS
from objectives.models import QualityObjective
from qms.core.demo import at, on_the_day
from qms.core.registers.services import record_create, record_update

# fmt: off
# title, kind, days ago raised, status, days ago changed, effect on the QMS
ISSUES = [
    ("Automotive customers moving to IATF 16949 supplier requirements", "external", 400, "current", None, "Customer-specific requirements (PPAP, control plans) must be built into planning and audits."),
    ("Steel and aluminium price volatility", "external", 300, "changed", 40, "Pressure to change material suppliers; new suppliers need evaluation before use."),
    ("Skilled CNC machinist shortage in the region", "external", 500, "current", None, "Competence of new starters; training plan and buddying are needed to hold first-pass yield."),
    ("ERP migration planned for next year", "internal", 120, "current", None, "Traceability and document control must keep working through the cut-over."),
    ("Leeds site lease renewal", "internal", 600, "closed", 75, "Closed: lease renewed for 10 years; infrastructure plans can go ahead."),
    ("New customer portal for complaints", "internal", 35, "current", None, "Complaints arrive faster and with more detail; response-time KPI becomes measurable."),
    ("UK CA marking rules for machinery parts", "external", 200, "changed", 20, "Declarations of conformity for two product families must be updated."),
]

# title, kind, likelihood, impact, owner, objective codes, status, treatment, identified days
# ago, review due in days (negative = overdue), reviewed days ago, effectiveness
RISKS_DATA = [
    ("Single source for anodising", "risk", 4, 4, "ops.director", ["OBJ-07", "OBJ-01"], "treating", "Qualify a second anodiser; hold two weeks of safety stock.", 240, 30, None, ""),
    ("Loss of key CNC programmer", "risk", 3, 5, "executive", ["OBJ-04", "OBJ-12"], "treating", "Cross-train two machinists; document programs in the shared library.", 300, -10, None, ""),
    ("Gauge calibration lapses", "risk", 3, 4, "contributor", ["OBJ-09", "OBJ-15"], "monitoring", "Calibration schedule in the CMMS with reminders two weeks ahead.", 400, 60, 30, "partly"),
    ("Complaint handling too slow for key accounts", "risk", 4, 3, "cs.director", ["OBJ-11", "OBJ-02"], "monitoring", "Triage rota and 24-hour acknowledgement.", 330, 90, 45, "effective"),
    ("Cyber attack stops production planning", "risk", 2, 5, "admin", [], "open", "", 60, 120, None, ""),
    ("ERP migration corrupts traceability records", "risk", 3, 5, "quality", ["OBJ-06"], "open", "", 100, 45, None, ""),
    ("Energy price spike", "risk", 3, 3, "leeds.lead", ["OBJ-13"], "monitoring", "Fixed-price contract to next year; LED lighting done.", 380, 150, 90, "effective"),
    ("Win the rail-sector framework contract", "opportunity", 3, 5, "cs.director", ["OBJ-02"], "treating", "Prepare IRIS-style process evidence; customer visit in spring.", 150, 60, None, ""),
    ("In-process gauging to cut scrap", "opportunity", 4, 3, "contributor", ["OBJ-04", "OBJ-05"], "treating", "See the OBJ-04 plan: gauges on both CNC lines.", 200, 30, None, ""),
    ("Late supplier certificates of conformity", "risk", 2, 2, "leeds.lead", ["OBJ-07"], "closed", "Certificates required with the advance shipping notice.", 500, -200, 210, "effective"),
]
# fmt: on


@transaction.atomic
def seed_registers(context) -> None:
    organization = context.organization
    if ContextIssue.objects.filter(organization=organization).exists():
        return
    quality = context.members["quality"]
    today = context.today

    def ago(days):
        return today - datetime.timedelta(days=days) if days is not None else None

    for title, kind, raised, status, changed, effect in ISSUES:
        record_create(
            register=CONTEXT_ISSUES,
            membership=quality,
            record=ContextIssue(
                title=title,
                kind=kind,
                raised_on=ago(raised),
                status=status,
                status_changed_on=ago(changed),
                effect_on_qms=effect,
            ),
        )
    objectives = {o.code: o for o in QualityObjective.objects.for_organization(organization)}
    for row in RISKS_DATA:
        title, kind, likelihood, impact, owner, codes, status, treatment = row[:8]
        identified, review_in, reviewed, effectiveness = row[8:]
        # Recorded on the day it was identified, being treated; its effectiveness reviewed (and
        # the risk monitored or closed) on the review's day: a management review held between
        # the two saw it open (reviews.agenda reads the register as of the meeting).
        with on_the_day(organization, at(ago(identified))):
            risk = record_create(
                register=RISKS,
                membership=quality,
                record=Risk(
                    title=title,
                    kind=kind,
                    likelihood=likelihood,
                    impact=impact,
                    owner=context.members.get(owner),
                    status=status if reviewed is None else Risk.Status.TREATING,
                    treatment=treatment,
                    identified_on=ago(identified),
                    review_due_on=today + datetime.timedelta(days=review_in),
                ),
                m2m={"objectives": [objectives[c] for c in codes if c in objectives]},
            )
        if reviewed is not None:
            with on_the_day(organization, at(ago(reviewed), hour=14)):
                risk.status, risk.reviewed_on = status, ago(reviewed)
                risk.effectiveness = effectiveness
                record_update(register=RISKS, membership=quality, record=risk)
