"""Customer feedback (ISO 9001 9.1.2): complaints, compliments, suggestions and survey scores."""

from __future__ import annotations

import re

from django.utils import timezone

from qms.core.registers.definition import Column, ImportColumn, Register
from qms.core.registers.filters import RegisterFilterSet
from qms.core.registers.forms import RegisterForm
from reviews.forms import SatisfactionObjectiveForm
from reviews.models import CustomerFeedback, Nonconformity
from reviews.registers.common import TEXTAREA, date_text

TYPE_STYLE = {"complaint": "red", "compliment": "green", "suggestion": "nodata"}
STATUS_STYLE = {"open": "amber", "answered": "green", "closed": "nodata"}
NC_REFERENCE = re.compile(r"^NC-?0*(\d{1,9})$", re.IGNORECASE)


def score_style(score) -> str:
    """A survey score of 8 or more is good, 6 to 8 middling, below 6 poor."""
    if score is None:
        return "nodata"
    return "green" if score >= 8 else "amber" if score >= 6 else "red"


class CustomerFeedbackForm(RegisterForm):
    class Meta:
        model = CustomerFeedback
        fields = [
            "title",
            "received_on",
            "customer",
            "channel",
            "feedback_type",
            "score",
            "description",
            "nonconformity",
            "status",
        ]
        widgets = {"description": TEXTAREA}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.pk:
            self.fields["received_on"].initial = timezone.localdate


class CustomerFeedbackFilter(RegisterFilterSet):
    search_fields = ("title", "customer", "description")

    class Meta:
        model = CustomerFeedback
        fields = ["feedback_type", "channel", "status"]


def _type_text(record) -> str:
    if record.feedback_type == CustomerFeedback.FeedbackType.SURVEY_SCORE:
        return f"Survey score {record.score:g}/10" if record.score is not None else "Survey score"
    return record.get_feedback_type_display()


def _type_style(record) -> str:
    if record.feedback_type == CustomerFeedback.FeedbackType.SURVEY_SCORE:
        return score_style(record.score)
    return TYPE_STYLE[record.feedback_type]


def nonconformity_reference_to_form(cell, lookups) -> int | str:
    text = str(cell or "").strip()
    if not text:
        return ""
    match = NC_REFERENCE.match(text)
    pk = lookups["nonconformities"].get(int(match.group(1))) if match else None
    if pk is None:
        raise ValueError(f"{text[:40]} is not a nonconformity of this organisation (e.g. NC-004)")
    return pk


def nonconformity_lookup(organization) -> dict:
    numbers = Nonconformity.objects.for_organization(organization).values_list("number", "id")
    return {"nonconformities": dict(numbers)}


CUSTOMER_FEEDBACK = Register(
    key="customer-feedback",
    model=CustomerFeedback,
    title="Customer feedback",
    singular="customer feedback",
    clause="ISO 9001 9.1.2",
    lead="What customers tell us: complaints, compliments, suggestions and survey scores, as "
    "received, and the nonconformity a complaint raised.",
    form_class=CustomerFeedbackForm,
    filterset_class=CustomerFeedbackFilter,
    columns=(
        Column("Summary", lambda r: r.title, sort="title"),
        Column("Customer", lambda r: r.customer, sort="customer"),
        Column("Received", lambda r: date_text(r.received_on), sort="received_on"),
        Column("Channel", lambda r: r.get_channel_display(), sort="channel"),
        Column("Type", _type_text, chip=_type_style, sort="feedback_type"),
        Column("Nonconformity", lambda r: r.nonconformity.reference if r.nonconformity else ""),
        Column(
            "Status",
            lambda r: r.get_status_display(),
            chip=lambda r: STATUS_STYLE[r.status],
            sort="status",
        ),
    ),
    detail_fields=(
        "received_on",
        "customer",
        "channel",
        "feedback_type",
        "score",
        "description",
        "nonconformity",
        "status",
    ),
    import_columns=(
        ImportColumn("title", "title", "A short summary.", "Late delivery of order 4471", True),
        ImportColumn("received_on", "received_on", "Date, YYYY-MM-DD.", "2026-03-04", True),
        ImportColumn("customer", "customer", "Customer name.", "Northern Pumps Ltd", True),
        ImportColumn(
            "channel", "channel", "email, phone, survey, visit, portal or other.", "email", True
        ),
        ImportColumn(
            "feedback_type",
            "feedback_type",
            "complaint, compliment, survey_score or suggestion.",
            "complaint",
            True,
        ),
        ImportColumn("score", "score", "0 to 10, only for a survey score.", ""),
        ImportColumn("description", "description", "What the customer said.", ""),
        ImportColumn(
            "nonconformity_reference",
            "nonconformity",
            "Reference of the nonconformity a complaint raised.",
            "NC-004",
            to_form=nonconformity_reference_to_form,
        ),
        ImportColumn("status", "status", "open (default), answered or closed.", ""),
    ),
    import_lookups=nonconformity_lookup,
    status_field="status",
    api_fields=(
        "title",
        "received_on",
        "customer",
        "channel",
        "feedback_type",
        "score",
        "description",
        "nonconformity",
        "status",
    ),
    select_related=("nonconformity",),
    ordering=("-received_on", "-number"),
    nav_order=64,
    # Survey scores become a customer-satisfaction objective's values (9.1.2, 5.1.2).
    list_template="reviews/feedback_kpi.html",
    list_context=lambda request: {
        "satisfaction_form": SatisfactionObjectiveForm(organization=request.organization)
    },
    empty_text="Record what customers tell you, good and bad, and their survey scores: the "
    "management review looks at customer satisfaction (9.3.2 c 1).",
)
