"""Small charts drawn as SVG on the server, for documents that cannot run JavaScript (evidence
pack reports, board PDFs). Status is shown by marker shape and words, never colour alone.
Everything drawn is numbers and our own labels, escaped."""

from __future__ import annotations

from django.utils.html import escape

RAG_COLOURS = {"green": "#1e7b45", "amber": "#a15c00", "red": "#b3261e", "no_data": "#8a94a3"}
STATUS_WORDS = {"green": "on track", "amber": "at risk", "red": "off track", "no_data": "no data"}


def _marker(x: float, y: float, status: str) -> str:
    colour = RAG_COLOURS.get(status, RAG_COLOURS["no_data"])
    if status == "red":
        return f'<rect x="{x - 2.5}" y="{y - 2.5}" width="5" height="5" fill="{colour}"/>'
    if status == "amber":
        return f'<path d="M{x},{y - 3} l3,5 h-6 z" fill="{colour}"/>'
    return f'<circle cx="{x}" cy="{y}" r="2.5" fill="{colour}"/>'


def sparkline(points: list[tuple[float, str]], target: float | None, width: int = 160) -> str:
    """Monthly values as a line, each point's marker shaped by its status, the target dashed."""
    if not points:
        return ""
    values = [v for v, _ in points] + ([target] if target is not None else [])
    low, high = min(values), max(values)
    span = (high - low) or 1.0
    height, pad = 40, 4
    step = (width - 2 * pad) / max(len(points) - 1, 1)

    def y(value: float) -> float:
        return round(height - pad - (value - low) / span * (height - 2 * pad), 1)

    coords = [(round(pad + i * step, 1), y(v)) for i, (v, _) in enumerate(points)]
    line = " ".join(f"{x},{yy}" for x, yy in coords)
    marks = "".join(_marker(x, yy, s) for (x, yy), (_, s) in zip(coords, points, strict=True))
    target_line = (
        f'<line x1="{pad}" x2="{width - pad}" y1="{y(target)}" y2="{y(target)}" '
        'stroke="#8a94a3" stroke-dasharray="3 2"/>'
        if target is not None
        else ""
    )
    return (
        f'<svg width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-hidden="true">{target_line}<polyline points="{line}" fill="none" '
        f'stroke="#2f6fde"/>{marks}</svg>'
    )


def attainment_bars(rows: list[tuple[str, float, str]], cap: float = 150.0) -> str:
    """Horizontal bars: (label, % of target, status); a line at 100 %; the status in words at
    the end of each bar."""
    if not rows:
        return ""
    label_w, bar_w, text_w, row_h = 230, 300, 90, 16
    width, height = label_w + bar_w + text_w, row_h * len(rows) + 20
    scale = bar_w / cap
    parts = [
        f'<svg width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" '
        'aria-label="Attainment of target per objective" font-family="sans-serif" '
        'font-size="9">'
    ]
    for i, (label, percent, status) in enumerate(rows):
        top = 4 + i * row_h
        length = max(min(percent, cap), 0) * scale
        colour = RAG_COLOURS.get(status, RAG_COLOURS["no_data"])
        parts.append(
            f'<text x="{label_w - 4}" y="{top + 10}" text-anchor="end">{escape(label[:42])}</text>'
            f'<rect x="{label_w}" y="{top + 2}" width="{length:.1f}" height="{row_h - 5}" '
            f'fill="{colour}"/>'
            f'<text x="{label_w + length + 4:.1f}" y="{top + 10}">{percent:.0f}% '
            f"{STATUS_WORDS.get(status, '')}</text>"
        )
    x100 = label_w + 100 * scale
    parts.append(
        f'<line x1="{x100:.1f}" x2="{x100:.1f}" y1="0" y2="{height - 14}" stroke="#1b2430" '
        'stroke-dasharray="2 2"/>'
        f'<text x="{x100:.1f}" y="{height - 3}" text-anchor="middle">100% = target</text></svg>'
    )
    return "".join(parts)
