from django import template

from leadership.models.resources import amount_places, amount_text
from qms.core.markdown import render_markdown

register = template.Library()


@register.filter
def markdown(text: str):
    """Render Markdown safely (sanitised HTML)."""
    return render_markdown(text)


@register.filter
def amount_beside(value, other) -> str:
    """An amount written alike with the one shown beside it (an allocation's amount and its
    spend): "0.50" and "0.00", not "0.50" and "0"."""
    return amount_text(value, amount_places(value, other))


@register.filter
def amount_in_row(value, row: dict) -> str:
    """An amount of a row of totals (requested, approved, spent of one unit of measure),
    written alike with the others of its row."""
    return amount_text(
        value, amount_places(*(row.get(k) for k in ("requested", "approved", "spent")))
    )
