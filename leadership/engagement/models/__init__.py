"""Models of staff engagement: improvement suggestions, pulse surveys, milestones and
recognition. Split by concept; imported here so Django finds them."""

from leadership.engagement.models.recognition import Milestone, MilestoneKind, Recognition
from leadership.engagement.models.suggestions import Suggestion, SuggestionStatus
from leadership.engagement.models.surveys import (
    SealedAnswer,
    SurveyParticipation,
    SurveyRound,
    SurveyStatement,
)

__all__ = [
    "Milestone",
    "MilestoneKind",
    "Recognition",
    "SealedAnswer",
    "Suggestion",
    "SuggestionStatus",
    "SurveyParticipation",
    "SurveyRound",
    "SurveyStatement",
]
