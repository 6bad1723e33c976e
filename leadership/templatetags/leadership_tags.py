from django import template

from qms.core.markdown import render_markdown

register = template.Library()


@register.filter
def markdown(text: str):
    """Render Markdown safely (sanitised HTML)."""
    return render_markdown(text)
