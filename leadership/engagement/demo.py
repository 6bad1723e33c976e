"""Demo engagement records for Acme, so each page has something to show: survey statements and
four rounds (three closed with results, one open that the demo contributor has not answered),
suggestions in every state, milestones found in the objectives' data with one recognised, and
lessons learned on closed nonconformities. Idempotent: nothing is added once the organisation
has survey statements (lessons: once a nonconformity has one).

The past rounds hold more answers than the demo has members: they stand for the whole
workforce, most of whom have no login in the demo, so they are counted straight into the
rounds' frozen results (what `survey_round_count` does at a close). The open round's answers are
given through the service, sealed like any member's.
"""

from __future__ import annotations

import datetime

from django.apps import apps
from django.db import transaction
from django.utils import timezone

from leadership.engagement.milestones import milestones_detect
from leadership.engagement.models import (
    Milestone,
    Suggestion,
    SurveyParticipation,
    SurveyRound,
    SurveyStatement,
)
from leadership.engagement.selectors.surveys import frozen_results
from leadership.engagement.services import recognition as recognition_services
from leadership.engagement.services import suggestions as suggestion_services
from leadership.engagement.services import surveys as survey_services
from qms.core.demo import on_the_day
from qms.core.models import OrgUnit

STATEMENTS = [
    "I know the quality objectives of my team.",
    "I can stop work when I see a quality problem.",
    "Problems I report are followed up.",
    "I have what I need to do my work right first time.",
    "Management takes part in quality, not only talks about it.",
]
# Past rounds: (days ago opened, {unit code: respondents}, score bias). Customer Service's 3
# respondents never show on their own: they fold into the company group.
PAST_ROUNDS = [
    (275, {"ACME": 3, "SHF": 8, "LDS": 6, "CUS": 3}, 0),
    (184, {"ACME": 3, "SHF": 9, "LDS": 4, "CUS": 3}, 1),
    (93, {"ACME": 4, "SHF": 9, "LDS": 6, "CUS": 3}, 2),
]
COMMENTS = [
    "More time for root-cause work would help.",
    "The new gauges on line 2 made a real difference.",
    "We hear about objectives at the monthly meeting but not what changed.",
    "Drawings still arrive late from engineering.",
    "Good to see the managing director on the shop floor more often.",
]
LESSONS = [
    "Tool wear limits now live in the setter's checklist, not in one person's memory.",
    "Calibration due dates are on the shared planning board, reviewed every Monday.",
    "A supplier change is only approved with a first-article inspection booked.",
]


def _at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _score(index: int, question: int, bias: int) -> int:
    """Deterministic, plausible scores: mostly 3-4, improving with `bias`."""
    return max(
        1, min(5, 3 + ((index * 7 + question * 3 + bias) % 4 == 0) + (bias > 0) - (index % 5 == 4))
    )


def _seed_survey(context) -> None:
    organization, members, units, today = (
        context.organization,
        context.members,
        context.units,
        context.today,
    )
    quality = members["quality"]
    for text in STATEMENTS:
        survey_services.survey_statement_create(organization=organization, actor=quality, text=text)
    questions = [
        {"key": str(s.pk), "text": s.text}
        for s in SurveyStatement.objects.for_organization(organization).active()
    ]
    for number, (days_ago, per_unit, bias) in enumerate(PAST_ROUNDS, start=1):
        opens = today - datetime.timedelta(days=days_ago)
        survey_round = SurveyRound.objects.create(
            organization=organization,
            number=number,
            opens_on=opens,
            closes_on=opens + datetime.timedelta(days=13),
            questions=questions,
        )
        answers, index = [], 0
        for code, count in per_unit.items():
            unit = units.get(code)
            for _ in range(count):
                scores = {q["key"]: _score(index, i, bias) for i, q in enumerate(questions)}
                comment = COMMENTS[(index + number) % len(COMMENTS)] if index % 4 == 1 else ""
                answers.append((unit.pk if unit else None, scores, comment))
                index += 1
        survey_round.results = frozen_results(
            questions, list(OrgUnit.objects.for_organization(organization)), answers
        )
        survey_round.counted_on = survey_round.closes_on + datetime.timedelta(days=1)
        survey_round.save(update_fields=["results", "counted_on"])
        for member in members.values():
            if member.role != "auditor":
                SurveyParticipation.objects.get_or_create(
                    organization=organization, round=survey_round, membership=member
                )
    # The current round: open, answered by two colleagues, not yet by the contributor.
    current = SurveyRound.objects.create(
        organization=organization,
        number=len(PAST_ROUNDS) + 1,
        opens_on=today - datetime.timedelta(days=3),
        closes_on=today + datetime.timedelta(days=10),
        questions=questions,
    )
    for username in ("leeds.lead", "cs.lead"):
        member = members.get(username)
        if member is not None:
            survey_services.survey_answer(
                membership=member,
                survey_round=current,
                scores={q["key"]: 4 for q in questions},
                today=today,
            )


def _seed_suggestions(context) -> None:
    members, units, today = context.members, context.units, context.today
    quality, ceo = members["quality"], members["executive"]
    contributor = members["contributor"]
    leeds = members.get("leeds.lead", contributor)
    cs_lead = members.get("cs.lead", contributor)
    ops = members.get("ops.director", ceo)

    def submit(member, title, unit, benefit, days_ago, anonymous=False):
        return suggestion_services.suggestion_submit(
            membership=member,
            title=title,
            org_unit=units.get(unit),
            expected_benefit=benefit,
            is_anonymous=anonymous,
            now=_at(today - datetime.timedelta(days=days_ago)),
        )

    def backdate(suggestion, days_ago):
        Suggestion.objects.filter(pk=suggestion.pk).update(
            decided_at=_at(today - datetime.timedelta(days=days_ago), 15)
        )

    gauges = submit(
        contributor,
        "Shadow board for gauges at each lathe",
        "SHF",
        "No more hunting for the bore gauge; fewer measurement skips.",
        120,
    )
    # Accepted, and its action raised, on the day the quality manager decided (not today).
    with on_the_day(context.organization, _at(today - datetime.timedelta(days=112), 15)):
        suggestion_services.suggestion_accept_as_action(
            suggestion=gauges,
            actor=quality,
            title="Install gauge shadow boards at lathes 1-6",
            owner=contributor,
            accountable_executive=ops,
            due_date=today + datetime.timedelta(days=30),
            note="Good idea: start with the six lathes.",
        )
    checklist = submit(
        leeds,
        "Photo checklist for connector orientation",
        "LDS",
        "Wrong-connector escapes like order 4471 caught at the bench.",
        80,
    )
    backdate(
        suggestion_services.suggestion_accept_as_opportunity(
            suggestion=checklist,
            actor=quality,
            note="For the next management review: worth doing across both sites.",
        ),
        70,
    )
    shift = submit(
        cs_lead,
        "Call customers back within one hour, not one day",
        None,  # anonymous: Customer Service is too small a group to name
        "Happier customers; complaints contained earlier.",
        60,
        anonymous=True,
    )
    backdate(
        suggestion_services.suggestion_decline(
            suggestion=shift,
            actor=quality,
            reason="Not with the current staffing; we will revisit it with the resource plan.",
        ),
        40,
    )
    duplicate = submit(
        contributor, "Gauge boards at every machine", "SHF", "Same as the lathe boards.", 50
    )
    backdate(
        suggestion_services.suggestion_merge(
            suggestion=duplicate, actor=quality, duplicate_of=gauges, note="Already under way."
        ),
        45,
    )
    submit(
        leeds,
        "Laminated torque chart at each assembly bench",
        None,  # anonymous: Leeds Assembly is too small a group to name
        "Fewer torque look-ups in the manual, fewer mistakes.",
        20,
        anonymous=True,
    )
    submit(
        cs_lead,
        "Share the customer complaint summary with the shop floor monthly",
        None,
        "People see what customers see.",
        2,
    )


def _seed_recognition(context) -> None:
    organization, members = context.organization, context.members
    milestones_detect(organization=organization, today=context.today)
    milestone = (
        Milestone.objects.for_organization(organization).order_by("period_end", "id").first()
    )
    if milestone is None:
        return
    executive = milestone.executive
    recognition_services.recognition_give(
        executive=executive,
        note="Thank you for keeping this on track month after month: it shows in the results.",
        recipient=milestone.achieved_by,
        team=None if milestone.achieved_by_id else milestone.org_unit,
        milestone=milestone,
        today=context.today,
    )
    recognition_services.recognition_give(
        executive=members["executive"],
        note="For the gauge shadow-board idea, now rolled out on the lathes.",
        recipient=members["contributor"],
        today=context.today - datetime.timedelta(days=20),
    )


@transaction.atomic
def seed_engagement(context) -> None:
    if SurveyStatement.objects.filter(organization=context.organization).exists():
        return
    _seed_survey(context)
    _seed_suggestions(context)
    _seed_recognition(context)


@transaction.atomic
def seed_lessons(context) -> None:
    """Lessons on the demo's closed nonconformities (run after the reviews demo creates them).
    Reads the model through the app registry: `reviews` sits above this app."""
    nonconformity = apps.get_model("reviews", "Nonconformity")
    closed = nonconformity.objects.filter(organization=context.organization, status="closed")
    if closed.exclude(lesson_learned="").exists():
        return
    for record, lesson in zip(closed.order_by("number"), LESSONS, strict=False):
        nonconformity.objects.filter(pk=record.pk).update(lesson_learned=lesson)
