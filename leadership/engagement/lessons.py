"""Lessons learned, asked when a nonconformity or a missed objective is closed, and read as one
searchable list (and by the next management review).

Nonconformities live in `reviews`, above this app: `reviews` registers its source here
(`register_lesson_source`) rather than this app importing it. Missed objectives are read here.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Q
from django.urls import reverse

from objectives.models import QualityObjective
from qms.core.models import Organization


@dataclass(frozen=True)
class Lesson:
    kind: str  # "objective", "nonconformity"
    kind_label: str
    reference: str
    title: str
    lesson: str
    closed_on: datetime.date | None
    unit_name: str
    url: str


# (organization, search, start, end) -> lessons
LessonSource = Callable[[Organization, str, "datetime.date | None", "datetime.date | None"], list]

_SOURCES: dict[str, LessonSource] = {}


def register_lesson_source(kind: str, source: LessonSource) -> None:
    _SOURCES[kind] = source


def missed_objective_lessons(
    organization: Organization,
    search: str = "",
    start: datetime.date | None = None,
    end: datetime.date | None = None,
) -> list[Lesson]:
    """Objectives closed as missed with a lesson; their date is the objective's due date."""
    queryset = (
        QualityObjective.objects.for_organization(organization)
        .filter(status=QualityObjective.Status.MISSED)
        .exclude(lesson_learned="")
        .select_related("org_unit")
    )
    if search:
        queryset = queryset.filter(
            Q(lesson_learned__icontains=search)
            | Q(title__icontains=search)
            | Q(code__icontains=search)
        )
    if start is not None:
        queryset = queryset.filter(due_date__gte=start)
    if end is not None:
        queryset = queryset.filter(due_date__lte=end)
    return [
        Lesson(
            kind="objective",
            kind_label="Missed objective",
            reference=o.code,
            title=o.title,
            lesson=o.lesson_learned,
            closed_on=o.due_date,
            unit_name=o.org_unit.name,
            url=reverse("objectives:detail", args=[organization.slug, o.code]),
        )
        for o in queryset
    ]


register_lesson_source("objective", missed_objective_lessons)


def lessons_learned(
    *,
    organization: Organization,
    search: str = "",
    start: datetime.date | None = None,
    end: datetime.date | None = None,
) -> list[Lesson]:
    """Every registered source's lessons, newest first (then by reference): deterministic."""
    search = (search or "").strip()[:200]
    lessons = [
        lesson
        for source in _SOURCES.values()
        for lesson in source(organization, search, start, end)
    ]
    lessons.sort(
        key=lambda item: (item.closed_on or datetime.date.min, item.reference), reverse=True
    )
    return lessons
