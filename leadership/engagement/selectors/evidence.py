"""Rows for the evidence pack (5.1, 7.3) and the management review input (9.3.2 f): plain
dicts in a deterministic order, so a pack built twice from the same data is byte-identical.
Nothing here names the submitter of an anonymous suggestion or returns a survey response."""

from __future__ import annotations

import datetime

from django.utils import timezone

from leadership.engagement.lessons import lessons_learned
from leadership.engagement.models import Suggestion
from leadership.engagement.selectors.recognition import recognition_list
from leadership.engagement.selectors.surveys import survey_results_by_round
from qms.core.models import Organization, OrgUnit


def _in_unit(queryset, unit: OrgUnit | None, field: str):
    if unit is None:
        return queryset
    return queryset.filter(**{f"{field}__path__startswith": unit.path})


def _date(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        value = timezone.localdate(value)
    return value.isoformat()


def suggestions_for_evidence(
    *,
    organization: Organization,
    unit: OrgUnit | None = None,
    start: datetime.date,
    end: datetime.date,
) -> list[dict]:
    """Suggestions submitted in [start, end] with their outcome, oldest first."""
    from leadership.engagement.selectors.suggestions import folded_units, with_shown_unit

    queryset = with_shown_unit(
        _in_unit(
            Suggestion.objects.for_organization(organization).filter(
                submitted_at__date__gte=start, submitted_at__date__lte=end
            ),
            unit,
            "org_unit",
        ).select_related(
            "submitted_by__user", "org_unit", "decided_by__user", "action", "duplicate_of"
        ),
        folded_units(organization),
    )
    return [
        {
            "reference": s.reference,
            "title": s.title,
            "unit": s.shown_unit_name,  # folded, for an anonymous one, as on its page
            "submitted_by": s.submitter_label(),
            "submitted_on": _date(s.submitted_at),
            "outcome": s.get_status_display(),
            "decision_note": s.decision_note,
            "decided_by": s.decided_by.display_name if s.decided_by_id else "",
            "decided_on": _date(s.decided_at),
            "action": s.action.reference if s.action_id else "",
            "duplicate_of": s.duplicate_of.reference if s.duplicate_of_id else "",
        }
        for s in queryset.order_by("submitted_at", "id")
    ]


def survey_results_for_evidence(
    *,
    organization: Organization,
    unit: OrgUnit | None = None,
    start: datetime.date,
    end: datetime.date,
) -> list[dict]:
    """One row per round and shown group (folded for anonymity) and statement, in round order.
    With a unit, only the groups of that unit's subtree (a group folded above it is not shown)."""
    allowed = None
    if unit is not None:
        allowed = set(
            OrgUnit.objects.filter(
                organization=organization, path__startswith=unit.path
            ).values_list("pk", flat=True)
        )
    rows = []
    for result in survey_results_by_round(organization=organization, start=start, end=end):
        groups = list(result.groups)
        if allowed is None and result.overall is not None:
            groups.insert(0, result.overall)
        for group in groups:
            if allowed is not None and group.unit_id not in allowed:
                continue
            for question in group.questions:
                rows.append(
                    {
                        "round": result.round.number,
                        "opened_on": _date(result.round.opens_on),
                        "group": group.label,
                        "respondents": group.respondents,
                        "statement": question.text,
                        "mean_score": question.mean,
                    }
                )
    return rows


def recognitions_for_evidence(
    *,
    organization: Organization,
    unit: OrgUnit | None = None,
    start: datetime.date,
    end: datetime.date,
) -> list[dict]:
    """Recognitions given in [start, end], oldest first (with a unit: to its members or teams)."""
    queryset = recognition_list(organization=organization).filter(
        given_on__gte=start, given_on__lte=end
    )
    if unit is not None:
        from django.db.models import Q

        queryset = queryset.filter(
            Q(team__path__startswith=unit.path) | Q(recipient__org_unit__path__startswith=unit.path)
        )
    return [
        {
            "given_on": _date(r.given_on),
            "given_by": r.given_by.display_name,
            "recognised": r.recipient_label,
            "note": r.note,
            "milestone": r.milestone.title if r.milestone_id else "",
        }
        for r in queryset.order_by("given_on", "id")
    ]


def lessons_for_evidence(
    *,
    organization: Organization,
    unit: OrgUnit | None = None,
    start: datetime.date,
    end: datetime.date,
) -> list[dict]:
    """Lessons learned from nonconformities and missed objectives closed in [start, end], oldest
    first. With a unit, those recorded against a unit of its subtree."""
    names = None
    if unit is not None:
        names = set(
            OrgUnit.objects.filter(
                organization=organization, path__startswith=unit.path
            ).values_list("name", flat=True)
        )
    lessons = lessons_learned(organization=organization, start=start, end=end)
    lessons.sort(key=lambda item: (item.closed_on or datetime.date.min, item.reference))
    return [
        {
            "kind": lesson.kind_label,
            "reference": lesson.reference,
            "title": lesson.title,
            "unit": lesson.unit_name,
            "closed_on": _date(lesson.closed_on),
            "lesson": lesson.lesson,
        }
        for lesson in lessons
        if names is None or lesson.unit_name in names
    ]


def improvements_for_review(
    *,
    organization: Organization,
    start: datetime.date,
    end: datetime.date,
    moment: datetime.datetime | None = None,
) -> dict[str, list[dict]]:
    """Management review input 9.3.2 f as plain JSON (to be frozen with the review): suggestions
    accepted in [start, end] (as an action or an opportunity for improvement), oldest decision
    first, and lessons learned closed in [start, end], oldest first. An action raised after
    `moment` (the end of the meeting day) is not named: the meeting could not have seen it."""
    from leadership.engagement.selectors.suggestions import accepted_suggestions

    suggestions = [
        {
            "reference": s.reference,
            "title": s.title,
            # An anonymous one's unit is not frozen into the review (and so the audit trail and
            # every pack after): a unit that shrinks later would still name it (*found by the
            # sixth try-out*). Its page folds the unit as the team is then.
            "unit": "" if s.is_anonymous else s.shown_unit_name,
            "expected_benefit": s.expected_benefit,
            "outcome": s.get_status_display(),
            "action": s.action.reference
            if s.action_id and (moment is None or s.action.created_at <= moment)
            else "",
            "decided_on": _date(s.decided_at),
            "note": s.decision_note,
        }
        for s in accepted_suggestions(organization=organization, start=start, end=end)
    ]
    return {
        "suggestions": suggestions,
        "lessons": lessons_for_evidence(organization=organization, start=start, end=end),
    }
