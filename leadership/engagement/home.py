"""The engagement panel on the organisation's home page: a pointer to the quality board, the
open survey and what awaits the member's decision."""

from __future__ import annotations

from django.utils import timezone

from leadership.engagement import permissions
from leadership.engagement.models import Suggestion, SurveyParticipation, SurveyRound
from leadership.engagement.selectors.recognition import milestones_awaiting


def board_panel_context(request) -> dict:
    membership = request.membership
    organization = membership.organization
    today = timezone.localdate()
    survey_round = SurveyRound.objects.for_organization(organization).open_on(today).first()
    survey_due = (
        survey_round is not None
        and permissions.can_answer_survey(membership)
        and not SurveyParticipation.objects.filter(
            round=survey_round, membership=membership
        ).exists()
    )
    return {
        "survey_due": survey_due,
        "survey_round": survey_round,
        "awaiting_triage": Suggestion.objects.for_organization(organization)
        .awaiting_triage()
        .count()
        if permissions.can_triage(membership)
        else None,
        "milestones_waiting": milestones_awaiting(
            organization=organization, executive=membership
        ).count()
        if permissions.can_recognise(membership)
        else None,
    }
