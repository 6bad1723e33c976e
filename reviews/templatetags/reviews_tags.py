"""Template filters of the management review pages."""

import datetime

from django import template

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
