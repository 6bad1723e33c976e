"""Clauses 5.1, 7.3 and 10.2 (engagement): improvement suggestions and their outcome, pulse
survey results (closed rounds only, already folded so that no group under six respondents
shows), recognitions given by top management, and lessons learned."""

from __future__ import annotations

from leadership.engagement.selectors import (
    lessons_for_evidence,
    recognitions_for_evidence,
    suggestions_for_evidence,
    survey_results_for_evidence,
)
from qms.evidence.sections import Finding, Scope, dict_rows, plural, register_section
from qms.evidence.writer import PackWriter

BASE = "7.3-engagement"


def engagement(scope: Scope, writer: PackWriter) -> list[Finding]:
    args = {"organization": scope.organization, "unit": scope.unit, "start": scope.start,
            "end": scope.end}  # fmt: skip
    suggestions = dict_rows(writer, f"{BASE}/suggestions.csv", suggestions_for_evidence(**args), [
        "reference", "title", "unit", "submitted_by", "submitted_on", "outcome",
        "decision_note", "decided_by", "decided_on", "action", "duplicate_of",
    ])  # fmt: skip
    surveys = dict_rows(writer, f"{BASE}/pulse-survey-results.csv",
                        survey_results_for_evidence(**args), [
        "round", "opened_on", "group", "respondents", "statement", "mean_score",
    ])  # fmt: skip
    recognitions = dict_rows(writer, "5.1-leadership/recognitions.csv",
                             recognitions_for_evidence(**args), [
        "given_on", "given_by", "recognised", "note", "milestone",
    ])  # fmt: skip
    lessons = dict_rows(writer, "10.2-improvement/lessons-learned.csv",
                        lessons_for_evidence(**args), [
        "kind", "reference", "title", "unit", "closed_on", "lesson",
    ])  # fmt: skip
    return [
        Finding("7.3", f"{plural(suggestions.rows, 'improvement suggestion')} made in the period "
                "and how each was decided (anonymous ones stay anonymous).",
                [f"{BASE}/suggestions.csv"], missing=not suggestions.rows),
        Finding("7.3", "Pulse survey results per round, group and statement (groups under five "
                "respondents folded into their parent, never shown).",
                [f"{BASE}/pulse-survey-results.csv"], missing=not surveys.rows),
        Finding("5.1", f"{plural(recognitions.rows, 'recognition')} given by top management.",
                ["5.1-leadership/recognitions.csv"], missing=not recognitions.rows),
        Finding("10.2", f"{plural(lessons.rows, 'lesson')} learned from nonconformities and "
                "missed objectives closed in the period.",
                ["10.2-improvement/lessons-learned.csv"], missing=not lessons.rows),
    ]  # fmt: skip


register_section(75, "engagement", engagement)
