"""Nonconformities (ISO 9001 10.2). Anyone who writes may raise one (staff report problems where
they see them); quality managers and admins take it on from there."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from qms.core.registers.definition import Column, ImportColumn, Register
from qms.core.registers.filters import RegisterFilterSet
from qms.core.registers.forms import RegisterForm
from qms.core.registers.importing import member_to_form
from qms.core.roles import QUALITY_EDITOR_ROLES, WRITER_ROLES
from reviews.models import Nonconformity
from reviews.registers.common import TEXTAREA, UNIT_COLUMN, date_text, unit_lookup

SEVERITY_STYLE = {"minor": "green", "major": "amber", "critical": "red"}
STATUS_STYLE = {"open": "red", "investigating": "amber", "action": "amber", "closed": "green"}
EFFECTIVE_TEXT = {True: ("Effective", "green"), False: ("Not effective", "red")}


class EffectiveSelect(forms.NullBooleanSelect):
    """Yes / no / not yet, in the words of an effectiveness check."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = [
            ("unknown", "Not yet verified"),
            ("true", "Effective"),
            ("false", "Not effective"),
        ]


class NonconformityForm(RegisterForm):
    class Meta:
        model = Nonconformity
        fields = [
            "title",
            "source",
            "severity",
            "detected_on",
            "org_unit",
            "description",
            "containment",
            "root_cause",
            "owner",
            "status",
            "closed_on",
            "effective",
            "verified_by",
            "verified_on",
            "lesson_learned",
        ]
        widgets = {
            "description": TEXTAREA,
            "containment": TEXTAREA,
            "root_cause": TEXTAREA,
            "lesson_learned": TEXTAREA,
            "effective": EffectiveSelect,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.pk:
            self.fields["detected_on"].initial = timezone.localdate

    def clean(self):
        cleaned = super().clean()
        # Closing is when the lesson is fresh: the page's form asks for it then. Imports (whose
        # rows have no such column) and the API may leave it empty, so older records still load.
        was_closed = self.instance.pk and self.instance.status == Nonconformity.Status.CLOSED
        closing = cleaned.get("status") == Nonconformity.Status.CLOSED and not was_closed
        if (
            "lesson_learned" in self.fields
            and "lesson_learned" in self.data
            and closing
            and not (cleaned.get("lesson_learned") or "").strip()
        ):
            self.add_error(
                "lesson_learned", "Say what was learned before closing the nonconformity."
            )
        return cleaned


class NonconformityFilter(RegisterFilterSet):
    search_fields = ("title", "description", "containment", "root_cause")

    class Meta:
        model = Nonconformity
        fields = ["source", "severity", "status", "owner", "org_unit"]


def _effective(record) -> str:
    return EFFECTIVE_TEXT.get(record.effective, ("Not verified", "nodata"))[0]


NONCONFORMITIES = Register(
    key="nonconformities",
    model=Nonconformity,
    title="Nonconformities",
    singular="nonconformity",
    clause="ISO 9001 10.2",
    lead="What went wrong, how it was contained, why it happened, and whether the corrective "
    "action worked. Anyone may report one; the quality team takes it to closure.",
    form_class=NonconformityForm,
    filterset_class=NonconformityFilter,
    columns=(
        Column("Nonconformity", lambda r: r.title, sort="title"),
        Column("Source", lambda r: r.get_source_display(), sort="source"),
        Column(
            "Severity",
            lambda r: r.get_severity_display(),
            chip=lambda r: SEVERITY_STYLE[r.severity],
            sort="severity",
        ),
        Column("Detected", lambda r: date_text(r.detected_on), sort="detected_on"),
        Column("Owner", lambda r: r.owner.display_name if r.owner else ""),
        Column(
            "Status",
            lambda r: r.get_status_display(),
            chip=lambda r: STATUS_STYLE[r.status],
            sort="status",
        ),
        Column(
            "Effectiveness",
            _effective,
            chip=lambda r: EFFECTIVE_TEXT.get(r.effective, ("", "nodata"))[1],
        ),
    ),
    detail_fields=(
        "source",
        "severity",
        "detected_on",
        "org_unit",
        "description",
        "containment",
        "root_cause",
        "owner",
        "status",
        "closed_on",
        "effective",
        "verified_by",
        "verified_on",
        "lesson_learned",
    ),
    import_columns=(
        ImportColumn("title", "title", "A short name.", "Bore diameter out of tolerance", True),
        ImportColumn(
            "source", "source", "customer complaint, internal, supplier or audit.", "internal", True
        ),
        ImportColumn("detected_on", "detected_on", "Date, YYYY-MM-DD.", "2026-03-02", True),
        ImportColumn("severity", "severity", "minor, major or critical.", "major", True),
        ImportColumn("description", "description", "What was found.", ""),
        UNIT_COLUMN,
        ImportColumn("containment", "containment", "What was done at once.", ""),
        ImportColumn("root_cause", "root_cause", "Why it happened.", ""),
        ImportColumn(
            "owner", "owner", "Username or e-mail of a member.", "quality", to_form=member_to_form
        ),
        ImportColumn(
            "status", "status", "open (default), investigating, action or closed.", "open"
        ),
        ImportColumn("closed_on", "closed_on", "Date, needed if closed.", ""),
        ImportColumn("effective", "effective", "yes or no once verified; else empty.", ""),
        ImportColumn(
            "verified_by",
            "verified_by",
            "Username or e-mail of who verified the effectiveness.",
            "",
            to_form=member_to_form,
        ),
        ImportColumn("verified_on", "verified_on", "Date of the effectiveness check.", ""),
    ),
    import_lookups=unit_lookup,
    status_field="status",
    api_fields=(
        "title",
        "source",
        "severity",
        "detected_on",
        "org_unit",
        "description",
        "containment",
        "root_cause",
        "owner",
        "status",
        "closed_on",
        "effective",
        "verified_by",
        "verified_on",
        "lesson_learned",
    ),
    select_related=("owner__user",),
    create_roles=WRITER_ROLES,
    edit_roles=QUALITY_EDITOR_ROLES,
    nav_order=62,
    detail_template="reviews/nonconformity_feedback.html",
    # Corrective actions (10.2.1 c); a major or critical one still open without one is pushed for.
    action_kind="nonconformity",
    action_label="Nonconformity",
    action_prominent=lambda r: (
        r.severity != Nonconformity.Severity.MINOR and r.status != Nonconformity.Status.CLOSED
    ),
    action_prompt="A major or critical nonconformity with no open corrective action.",
    # Staff report a problem with these; the quality team fills in the rest.
    reporter_fields=(
        "title",
        "source",
        "severity",
        "detected_on",
        "org_unit",
        "description",
        "containment",
    ),
    empty_text="Report anything that did not meet a requirement: a product defect, a missed "
    "step, a customer complaint found justified. The quality team investigates and follows up.",
)


def nonconformity_lessons(organization, search="", start=None, end=None) -> list:
    """Closed nonconformities with a lesson learned, for `leadership.engagement.lessons`."""
    from django.db.models import Q
    from django.urls import reverse

    from leadership.engagement.lessons import Lesson

    queryset = (
        Nonconformity.objects.filter(organization=organization, status=Nonconformity.Status.CLOSED)
        .exclude(lesson_learned="")
        .select_related("org_unit")
    )
    if search:
        queryset = queryset.filter(Q(lesson_learned__icontains=search) | Q(title__icontains=search))
    if start is not None:
        queryset = queryset.filter(closed_on__gte=start)
    if end is not None:
        queryset = queryset.filter(closed_on__lte=end)
    return [
        Lesson(
            kind="nonconformity",
            kind_label="Nonconformity",
            reference=nc.reference,
            title=nc.title,
            lesson=nc.lesson_learned,
            closed_on=nc.closed_on,
            unit_name=nc.org_unit.name if nc.org_unit_id else "",
            url=reverse("registers:nonconformities-detail", args=[organization.slug, nc.pk]),
        )
        for nc in queryset
    ]
