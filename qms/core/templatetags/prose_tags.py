"""Template filters for sentences: see `qms.core.prose`."""

import datetime

from django import template

from qms.core import prose

register = template.Library()


@register.filter
def ends_sentence(text) -> bool:
    """`{% if not comment|ends_sentence %}.{% endif %}` after “{{ comment }}”: one stop."""
    return prose.ends_sentence(text)


@register.filter
def isoday(value) -> str:
    """An ISO date string (a frozen record, a pack's metadata) as prose writes a date: "31 Oct
    2026". Anything else (a manifest someone edited) is shown as it is."""
    try:
        day = datetime.date.fromisoformat(str(value))
    except ValueError:
        return str(value)
    return f"{day:%-d %b %Y}"
