"""Reminders of engagement, through the notification rules (each sent once: the occasion names
the round or the suggestion):

- a pulse survey round is open and the member has not answered → the member ("open");
- a suggestion has waited for triage more than `SUGGESTION_TRIAGE_DAYS` (default 14) days →
  every quality manager ("triage-overdue"); a waiting decision, resolved for all of them once
  one triages it;
- a milestone proposed to its accountable executive and neither recognised nor set aside →
  that executive ("proposed", told when it is detected); resolved once decided.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator

from django.conf import settings
from django.urls import reverse
from django.utils import formats, timezone

from leadership.engagement.models import Milestone, Recognition, Suggestion, SurveyParticipation
from leadership.engagement.permissions import SURVEY_RESPONDENT_ROLES, TRIAGE_ROLES
from leadership.engagement.services.surveys import current_round
from qms.core.models import Membership, Organization
from qms.core.notifications.registry import (
    NotificationSpec,
    register_kind,
    register_rule,
    register_waiting,
)

SURVEY_OPEN = "survey-open"
TRIAGE_OVERDUE = "suggestion-triage-overdue"


def triage_days() -> int:
    return getattr(settings, "SUGGESTION_TRIAGE_DAYS", 14)


def survey_open_reminders(
    organization: Organization, today: datetime.date
) -> Iterator[NotificationSpec]:
    survey_round = current_round(organization, today)
    if survey_round is None:
        return
    answered = SurveyParticipation.objects.filter(round=survey_round).values("membership_id")
    url = reverse("engagement:survey", args=[organization.slug])
    closes = formats.date_format(survey_round.closes_on, "j M Y")
    for member in (
        Membership.objects.for_organization(organization)
        .current(today)
        .filter(role__in=SURVEY_RESPONDENT_ROLES)
        .exclude(pk__in=answered)
        .select_related("user")
    ):
        yield NotificationSpec(
            recipient=member,
            kind=SURVEY_OPEN,
            subject=survey_round,
            occasion="open",
            title=f"Pulse survey open until {closes}: two minutes, anonymous",
            body=f"{len(survey_round.questions)} statements to rate from 1 to 5. Nobody can see "
            "your answers; results are counted after the round closes, only for groups of six "
            "or more.",
            url=url,
        )


def triage_reminders(
    organization: Organization, today: datetime.date
) -> Iterator[NotificationSpec]:
    cutoff = timezone.make_aware(
        datetime.datetime.combine(today - datetime.timedelta(days=triage_days()), datetime.time.max)
    )
    waiting = list(
        Suggestion.objects.for_organization(organization)
        .awaiting_triage()
        .filter(submitted_at__lte=cutoff)
        .select_related("organization")
    )
    if not waiting:
        return
    managers = list(
        Membership.objects.for_organization(organization)
        .current(today)
        .filter(role__in=TRIAGE_ROLES)
    )
    for suggestion in waiting:
        url = reverse("engagement:suggestion", args=[organization.slug, suggestion.pk])
        for manager in managers:
            yield NotificationSpec(
                recipient=manager,
                kind=TRIAGE_OVERDUE,
                subject=suggestion,
                occasion="triage-overdue",
                title=f"Suggestion {suggestion.reference} has waited over {triage_days()} days",
                body=f"“{suggestion.title}”: accept it, decline it with a reason, or merge it.",
                url=url,
            )


def milestones_waiting(
    organization: Organization, today: datetime.date
) -> Iterator[NotificationSpec]:
    from leadership.engagement.milestones import proposal_spec

    milestones = (
        Milestone.objects.for_organization(organization)
        .filter(dismissed_at__isnull=True, recognitions__isnull=True)
        .select_related("organization", "executive__user")
        .order_by("pk")
    )
    for milestone in milestones:
        yield proposal_spec(milestone)


def register() -> None:
    from leadership.engagement.milestones import PROPOSED_KIND
    from leadership.engagement.services.suggestions import OUTCOME_KIND
    from qms.core.schedules import DefaultSchedule, register_schedule

    register_kind(
        OUTCOME_KIND,
        "Your suggestion's outcome",
        description="A quality manager decided on a suggestion you made.",
    )
    register_kind(
        PROPOSED_KIND,
        "Milestones to recognise",
        description="An objective or unit you are accountable for reached a milestone.",
    )
    register_kind(
        SURVEY_OPEN,
        "Pulse survey open",
        description="A pulse survey round is open and you have not answered yet.",
    )
    register_kind(
        TRIAGE_OVERDUE,
        "Suggestions awaiting triage",
        description="A suggestion has waited longer than the organisation's triage time.",
    )
    register_rule(survey_open_reminders)
    register_waiting(TRIAGE_OVERDUE, triage_reminders, models=[Suggestion])
    register_waiting(PROPOSED_KIND, milestones_waiting, models=[Milestone, Recognition])
    register_schedule(
        DefaultSchedule(
            name="Engagement: open pulse survey rounds",
            task="engagement.open_survey_rounds",
            crontab={"minute": "10", "hour": "6"},
            description="Opens an organisation's next pulse survey round when the interval "
            "(PULSE_SURVEY_INTERVAL_DAYS) has passed; never two at once, so running it more "
            "often is safe.",
        )
    )
    register_schedule(
        DefaultSchedule(
            name="Engagement: count closed pulse survey rounds",
            task="engagement.count_survey_rounds",
            crontab={"minute": "5", "hour": "0"},
            description="Counts each pulse survey round that closed, once: its results are "
            "frozen and its sealed answers deleted. Results pages count a closed round "
            "themselves if they are read first.",
        )
    )
    register_schedule(
        DefaultSchedule(
            name="Engagement: detect milestones",
            task="engagement.detect_milestones",
            crontab={"minute": "20", "hour": "6"},
            description="Proposes milestones (target reached, on track period after period, a "
            "unit's actions all on time) to the accountable executive, each once.",
        )
    )
