"""Reads of engagement that pages, the API, the top layer (dashboard, leadership record,
evidence pack) and the review agenda share. The top layer imports from here."""

from leadership.engagement.lessons import Lesson, lessons_learned
from leadership.engagement.selectors.evidence import (
    improvements_for_review,
    lessons_for_evidence,
    recognitions_for_evidence,
    suggestions_for_evidence,
    survey_results_for_evidence,
)
from leadership.engagement.selectors.recognition import (
    milestones_awaiting,
    recent_recognitions,
    recognitions_given,
)
from leadership.engagement.selectors.suggestions import accepted_suggestions, suggestion_figures
from leadership.engagement.selectors.surveys import (
    GroupResult,
    RoundResults,
    survey_results,
    survey_results_by_round,
    survey_trend,
)

__all__ = [
    "GroupResult",
    "Lesson",
    "RoundResults",
    "accepted_suggestions",
    "improvements_for_review",
    "lessons_for_evidence",
    "lessons_learned",
    "milestones_awaiting",
    "recent_recognitions",
    "recognitions_for_evidence",
    "recognitions_given",
    "suggestion_figures",
    "suggestions_for_evidence",
    "survey_results",
    "survey_results_by_round",
    "survey_results_for_evidence",
    "survey_trend",
]
