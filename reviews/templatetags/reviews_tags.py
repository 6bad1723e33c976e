"""Template filters of the management review pages."""

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django import template

from qms.core.prose import count_list, counted
from reviews.models import AuditFinding, CustomerFeedback, Nonconformity, ProviderEvaluation

register = template.Library()


@register.filter
def words(code) -> str:
    """A stored code as words: "customer_complaint" -> "Customer complaint"."""
    return str(code).replace("_", " ").capitalize()


@register.filter
def isodate(value):
    """An ISO date string from a frozen input, as a date the date filter can format."""
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        return value


@register.filter
def clause(text) -> str:
    """Free text written as a sentence, to be joined into another one: without its final stop
    (so "…two weeks.; next: …" reads "…two weeks; next: …")."""
    return str(text or "").strip().rstrip(".;:,").rstrip()


# --- the agenda's sentences of counts -----------------------------------------------------------
# Built here from a frozen input's numbers, so that the page, the print view and the signed PDF
# say the same, with every count in number and every kind by the label people read.


def _score(value) -> str:
    """A mean score as people read it: one decimal ("8.3 out of 10", not "8.30 / 10")."""
    return f"{Decimal(str(value)).quantize(Decimal('0.1'), rounding=ROUND_HALF_UP):,}"


@register.filter
def finding_counts(by_type: dict) -> str:
    """ "1 major nonconformity, 1 opportunity for improvement" (not "1 major, 1 ofi")."""
    labels = dict(AuditFinding.FindingType.choices)
    return count_list((n, str(labels.get(k, words(k))).lower()) for k, n in (by_type or {}).items())


@register.filter
def severity_counts(by_severity: dict) -> str:
    """ "2 minor, 1 major": severities are adjectives of the nonconformities just counted."""
    labels = dict(Nonconformity.Severity.choices)
    return ", ".join(
        f"{n} {str(labels.get(k, words(k))).lower()}" for k, n in (by_severity or {}).items() if n
    )


@register.filter
def open_at_start(d: dict) -> int:
    """Open when the period began. Inputs frozen before it was stored give it from the others:
    open at start + raised - closed = open at end."""
    if d.get("open_at_start") is not None:
        return d["open_at_start"]
    return max(d.get("open_at_end", 0) - d.get("raised", 0) + d.get("closed", 0), 0)


@register.filter
def feedback_counts(d: dict) -> str:
    """Every kind of feedback received, adding up to the total: "2 complaints (1 raised a
    nonconformity), 1 compliment, 1 suggestion, 2 survey scores (mean 8.3 out of 10)"."""
    kind = CustomerFeedback.FeedbackType
    by_type = d.get("by_type") or {
        kind.COMPLAINT: d.get("complaints", 0),
        kind.COMPLIMENT: d.get("compliments", 0),
        kind.SUGGESTION: d.get("suggestions", 0),
        kind.SURVEY_SCORE: d.get("survey_scores", 0),
    }
    parts = []
    for value, label in kind.choices:
        n = by_type.get(value, 0)
        if not n:
            continue
        part = counted(n, label.lower())
        if value == kind.COMPLAINT and d.get("complaints_with_nonconformity"):
            part += f" ({d['complaints_with_nonconformity']} raised a nonconformity)"
        if value == kind.SURVEY_SCORE and d.get("mean_score") is not None:
            part += f" (mean {_score(d['mean_score'])} out of 10)"
        parts.append(part)
    return ", ".join(parts)


@register.filter
def provider_decisions(by_status: dict) -> str:
    """ "2 approved, 1 approved with conditions, 1 disqualified"."""
    labels = dict(ProviderEvaluation.Status.choices)
    return ", ".join(
        f"{n} {str(labels.get(k, words(k))).lower()}" for k, n in (by_status or {}).items() if n
    )


@register.filter
def names(values) -> str:
    """Names joined for a sentence, without a stop of their own ("Castings & Co.")."""
    return clause(", ".join(str(v) for v in values or ()))


@register.filter
def mean_score(value) -> str:
    return "" if value in (None, "") else _score(value)
