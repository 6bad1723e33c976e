"""Who may do what in engagement. Services enforce these; pages and the API read them to show
only what a member may use."""

from __future__ import annotations

from qms.core.models import Membership
from qms.core.roles import WRITER_ROLES, Role

# Anyone who writes may suggest (auditors only read).
SUGGESTER_ROLES = WRITER_ROLES
# Triage (accept, decline, merge) is the quality manager's job.
TRIAGE_ROLES = frozenset({Role.QUALITY_MANAGER})
# Only top management recognises.
RECOGNISER_ROLES = frozenset({Role.EXECUTIVE})
# The survey's statements are the organisation's: quality managers and administrators edit them.
SURVEY_EDITOR_ROLES = frozenset({Role.QUALITY_MANAGER, Role.ADMIN})
# Folded survey results and comments: management and auditors.
SURVEY_RESULT_ROLES = frozenset({Role.EXECUTIVE, Role.QUALITY_MANAGER, Role.ADMIN, Role.AUDITOR})
# Members asked to answer the survey (auditors are outside the organisation's staff).
SURVEY_RESPONDENT_ROLES = WRITER_ROLES


def can_suggest(membership: Membership | None) -> bool:
    return membership is not None and membership.role in SUGGESTER_ROLES


def can_triage(membership: Membership | None) -> bool:
    return membership is not None and membership.role in TRIAGE_ROLES


def can_recognise(membership: Membership | None) -> bool:
    return membership is not None and membership.role in RECOGNISER_ROLES


def can_edit_survey(membership: Membership | None) -> bool:
    return membership is not None and membership.role in SURVEY_EDITOR_ROLES


def can_see_survey_results(membership: Membership | None) -> bool:
    return membership is not None and membership.role in SURVEY_RESULT_ROLES


def can_answer_survey(membership: Membership | None) -> bool:
    return membership is not None and membership.role in SURVEY_RESPONDENT_ROLES
