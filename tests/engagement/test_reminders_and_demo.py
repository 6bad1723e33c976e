"""Reminders through the notification rules (each once), and the demo data (meaningful pages,
idempotent)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from leadership.engagement.models import (
    Milestone,
    Recognition,
    SealedAnswer,
    Suggestion,
    SurveyRound,
)
from leadership.engagement.services import suggestions as suggestion_services
from leadership.engagement.services import surveys as survey_services
from qms.core.notifications.models import Notification
from qms.core.notifications.services import reminders_run
from tests.seeded import seeded_demo

pytestmark = pytest.mark.django_db


def test_an_open_round_reminds_each_member_who_has_not_answered_once(cast, members):
    survey_services.survey_statement_create(
        organization=cast.org_a, actor=members["quinn"], text="I know our objectives."
    )
    today = timezone.localdate()
    survey_round = survey_services.survey_round_open_if_due(organization=cast.org_a, today=today)
    survey_services.survey_answer(
        membership=members["carl"],
        survey_round=survey_round,
        scores={q["key"]: 4 for q in survey_round.questions},
        today=today,
    )
    for _ in range(2):
        reminders_run(today=today, organization=cast.org_a)
    reminded = set(
        Notification.objects.filter(kind="survey-open").values_list(
            "recipient__user__username", flat=True
        )
    )
    assert reminded == {"alice", "quinn", "adam"}  # not carl (answered), not auditors
    assert Notification.objects.filter(kind="survey-open").count() == 3


def test_a_suggestion_waiting_past_the_triage_time_reminds_quality_managers_once(
    cast, members, settings
):
    settings.SUGGESTION_TRIAGE_DAYS = 14
    today = timezone.localdate()
    now = timezone.now()
    old = suggestion_services.suggestion_submit(
        membership=members["carl"], title="Old", now=now - datetime.timedelta(days=15)
    )
    suggestion_services.suggestion_submit(
        membership=members["carl"], title="Recent", now=now - datetime.timedelta(days=3)
    )
    for _ in range(2):
        reminders_run(today=today, organization=cast.org_a)
    sent = Notification.objects.filter(kind="suggestion-triage-overdue")
    assert [(n.recipient.user.username, n.subject_key) for n in sent] == [
        ("quinn", f"engagement.suggestion:{old.pk}")
    ]


def test_the_demo_fills_every_engagement_page(client):
    seeded_demo()
    counts = (
        Suggestion.objects.count(),
        SurveyRound.objects.count(),
        SealedAnswer.objects.count(),
        Milestone.objects.count(),
        Recognition.objects.count(),
    )
    assert all(counts)
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="quality"))
    results = client.get(reverse("engagement:survey-results", args=["acme"])).content.decode()
    assert "Sheffield Machining" in results and "includes Customer Service" in results
    assert "More time for root-cause work would help." in results  # a counted group's comments
    lessons = client.get(reverse("engagement:lessons", args=["acme"])).content.decode()
    assert "No lessons yet" not in lessons
    client.force_login(get_user_model().objects.get(username="contributor"))
    board = client.get(reverse("engagement:board", args=["acme"])).content.decode()
    assert "Answer the pulse survey" in board and "Recent recognitions" in board
