"""Board-ready documents: HTML templates printed to PDF with WeasyPrint, each page marked as a
controlled copy (organisation, what, period, when it was made, the application's version).

WeasyPrint lays out HTML and CSS without a browser (no JavaScript: charts are SVG drawn on the
server, `qms.core.svg_charts`). It needs Pango, which Debian installs with Chromium; `.ci/run`
installs it explicitly."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import timezone


def app_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("qms-leadership-dashboard")
    except PackageNotFoundError:  # pragma: no cover - running from a plain checkout
        return "unknown"


def css_string(text: str) -> str:
    """Text for a CSS `content: "..."` string (page footers)."""
    return "".join(c if c.isalnum() or c in " .,:;-()/&'+" else f"\\{ord(c):x} " for c in text)


def render_pdf(template: str, context: dict, *, organization, title: str, period: str) -> bytes:
    """`template` extends "documents/base.html"; the footer of every page says what it is."""
    return render_document(
        template, context, organization=organization, title=title, period=period
    ).write_pdf()


def render_document(template: str, context: dict, *, organization, title: str, period: str):
    """The laid-out pages (a WeasyPrint `Document`) that `render_pdf` prints: where each box
    sits on its page, for checking that nothing runs past the margins."""
    from weasyprint import HTML

    made = timezone.localtime()
    html = render_to_string(
        template,
        {
            **context,
            "document": {
                "organization": organization.name,
                "title": title,
                "period": period,
                "made": made,
                "version": app_version(),
                "footer": css_string(f"{organization.name} · {title} · {period}"),
            },
        },
    )
    return HTML(string=html).render()
