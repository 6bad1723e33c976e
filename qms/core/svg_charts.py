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


def sparkline(
    points: list[tuple[float, str]],
    target: float | None,
    width: int = 160,
    *,
    slots: list[int] | None = None,
    of: int | None = None,
) -> str:
    """Monthly values as a line, each point's marker shaped by its status, the target dashed.
    With `slots` (each point's month, counted from the first of `of` months shared by the
    sparklines of a table), a point sits under its month, so a series that stops in July
    ends where July is, not where the others' October is; the line breaks at a missing month."""
    if not points:
        return ""
    values = [v for v, _ in points] + ([target] if target is not None else [])
    low, high = min(values), max(values)
    span = (high - low) or 1.0
    height, pad = 40, 4
    slots = slots if slots is not None else list(range(len(points)))
    step = (width - 2 * pad) / max((of or len(points)) - 1, 1)

    def y(value: float) -> float:
        return round(height - pad - (value - low) / span * (height - 2 * pad), 1)

    coords = [(round(pad + i * step, 1), y(v)) for i, (v, _) in zip(slots, points, strict=True)]
    runs: list[list[str]] = []
    for n, (x, yy) in enumerate(coords):
        if not runs or slots[n] != slots[n - 1] + 1:
            runs.append([])
        runs[-1].append(f"{x},{yy}")
    lines = "".join(
        f'<polyline points="{" ".join(run)}" fill="none" stroke="#2f6fde"/>' for run in runs
    )
    marks = "".join(_marker(x, yy, s) for (x, yy), (_, s) in zip(coords, points, strict=True))
    target_line = (
        f'<line x1="{pad}" x2="{width - pad}" y1="{y(target)}" y2="{y(target)}" '
        'stroke="#8a94a3" stroke-dasharray="3 2"/>'
        if target is not None
        else ""
    )
    return (
        f'<svg width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-hidden="true">{target_line}{lines}{marks}</svg>'
    )


def wrap(label: str, width: int) -> list[str]:
    """A label in lines of at most `width` characters, broken between words (a word longer
    than a line is broken where it must): never cut short."""
    lines: list[str] = []
    for word in label.split():
        while len(word) > width:
            lines.append(word[:width])
            word = word[width:]
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [""]


def _label_lines(label: str, width: int = 46) -> list[str]:
    """A label whole, broken between words: a board paper is read on paper, where there is no
    tooltip to hold the rest."""
    return wrap(label, width)


def attainment_bars(rows: list[tuple], cap: float = 150.0) -> str:
    """Horizontal bars: (label, % of target, status[, what to write instead of a percentage]);
    a line at 100 %; the % and the status in words in a column of their own, so they never
    cross a bar or the 100 % line. A row without a percentage (a target of 0 missed) has no
    bar and its text across the bar area. Each label is written whole, on as many lines as it
    needs."""
    if not rows:
        return ""
    label_w, bar_w, text_w, line_h, axis_h = 236, 290, 94, 11, 26
    width = label_w + bar_w + text_w
    heights = [max(len(_label_lines(label)), 1) * line_h + 6 for label, *_ in rows]
    plot_h = sum(heights) + 4
    height = plot_h + axis_h
    scale = bar_w / cap
    parts = [
        f'<svg width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" '
        'aria-label="Attainment of target per objective" font-family="sans-serif" '
        'font-size="9">'
    ]
    # Grid and ticks on round numbers; 100 % (the target) dashed and darker.
    for tick in range(0, int(cap) + 1, 50):
        x = label_w + tick * scale
        stroke = 'stroke="#1b2430" stroke-dasharray="2 2"' if tick == 100 else 'stroke="#d9dee5"'
        parts.append(
            f'<line x1="{x:.1f}" x2="{x:.1f}" y1="0" y2="{plot_h}" {stroke}/>'
            f'<text x="{x:.1f}" y="{plot_h + 10}" text-anchor="middle">{tick}%</text>'
        )
    parts.append(
        f'<text x="{label_w + bar_w / 2:.1f}" y="{plot_h + 22}" text-anchor="middle">'
        "% of target attained (100% = target)</text>"
    )
    top = 2
    for (label, percent, status, *instead), row_h in zip(rows, heights, strict=True):
        colour = RAG_COLOURS.get(status, RAG_COLOURS["no_data"])
        lines = _label_lines(label)
        first = top + (row_h - len(lines) * line_h) / 2 + 8
        tspans = "".join(
            f'<tspan x="{label_w - 4}" y="{first + i * line_h:.1f}">{escape(line)}</tspan>'
            for i, line in enumerate(lines)
        )
        middle = top + row_h / 2
        words = STATUS_WORDS.get(status, "")
        if percent is None:
            shape = (
                f'<text x="{label_w + 4}" y="{middle + 3:.1f}">{escape(" ".join(instead))}</text>'
                f'<text x="{width - 2}" y="{middle + 3:.1f}" text-anchor="end">{words}</text>'
            )
        else:
            length = max(min(percent, cap), 0) * scale
            shape = (
                f'<rect x="{label_w}" y="{middle - 5:.1f}" width="{length:.1f}" height="10" '
                f'fill="{colour}"/>'
                f'<text x="{width - 2}" y="{middle + 3:.1f}" text-anchor="end">{percent:.0f}% '
                f"{words}</text>"
            )
        parts.append(
            f'<g><title>{escape(label)}</title><text text-anchor="end">{tspans}</text>{shape}</g>'
        )
        top += row_h
    parts.append("</svg>")
    return "".join(parts)


def _round_step(top: float, ticks: int = 4) -> float:
    """A round tick step (1, 2, 2.5 or 5 times a power of ten) giving at most `ticks` steps."""
    if top <= ticks:
        return 1  # counts: never a tick between two whole numbers
    magnitude = 10 ** int(f"{top / ticks:e}".split("e")[1])
    for factor in (1, 2, 2.5, 5, 10):
        if top / (factor * magnitude) <= ticks:
            step = factor * magnitude
            return int(step) if step >= 1 and step == int(step) else step
    return 10 * magnitude


def stacked_columns(
    labels: list[str], stacks: list[tuple[str, str, list[int]]], width: int = 620
) -> str:
    """Columns, one per label (months), each a stack of counts: `stacks` is (name, colour,
    counts per label). Ticks on round numbers; a legend with each stack's name in words; the
    total written above each column."""
    totals = [sum(s[2][i] for s in stacks) for i in range(len(labels))]
    if not any(totals):
        return ""  # nothing to draw: the summary and the table say so
    step = _round_step(max(totals) or 1)
    top = step * max(1, -(-max(totals) // step)) if max(totals) else step
    left, right, plot_top, plot_h, legend_h = 34, 8, 18, 120, 16
    height = plot_top + plot_h + 18 + legend_h
    slot = (width - left - right) / len(labels)
    bar = min(28.0, slot * 0.6)

    def y(v: float) -> float:
        return plot_top + plot_h - v / top * plot_h

    parts = [
        f'<svg width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" '
        'aria-hidden="true" font-family="sans-serif" font-size="8">'
    ]
    tick = 0.0
    while tick <= top + 1e-9:
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" '
            f'stroke="#e1e6ee"/><text x="{left - 4}" y="{y(tick) + 3:.1f}" '
            f'text-anchor="end">{tick:g}</text>'
        )
        tick += step
    for i, label in enumerate(labels):
        x = left + slot * i + (slot - bar) / 2
        base = 0
        for _, colour, counts in stacks:
            if counts[i]:
                parts.append(
                    f'<rect x="{x:.1f}" y="{y(base + counts[i]):.1f}" width="{bar:.1f}" '
                    f'height="{y(base) - y(base + counts[i]):.1f}" fill="{colour}"/>'
                )
            base += counts[i]
        centre = x + bar / 2
        if totals[i]:
            parts.append(
                f'<text x="{centre:.1f}" y="{y(totals[i]) - 2:.1f}" text-anchor="middle">'
                f"{totals[i]}</text>"
            )
        parts.append(
            f'<text x="{centre:.1f}" y="{plot_top + plot_h + 11}" text-anchor="middle">'
            f"{escape(label)}</text>"
        )
    x = left
    for name, colour, _ in stacks:
        parts.append(
            f'<rect x="{x}" y="{height - 10}" width="8" height="8" fill="{colour}"/>'
            f'<text x="{x + 11}" y="{height - 3}">{escape(name)}</text>'
        )
        x += 20 + 5 * len(name)
    parts.append("</svg>")
    return "".join(parts)


SERIES_COLOURS = ["#1b2430", "#2f6fde", "#a15c00", "#1e7b45", "#7a3db8", "#b3261e", "#5b95dc"]
SERIES_MARKERS = ["circle", "square", "triangle", "circle", "square", "triangle", "circle"]


def line_series(
    labels: list[str],
    series: list[tuple[str, list[float | None]]],
    low: float,
    high: float,
    width: int = 620,
) -> str:
    """Lines across `labels` (rounds, months), one per (name, values) on a fixed scale from
    `low` to `high` with a tick at each whole number; a gap where a value is None; the legend
    names each line whole, beneath the chart, with its marker shape as well as its colour."""
    if not labels or not series:
        return ""
    left, right, plot_top, plot_h = 30, 20, 8, 110
    legend_top = plot_top + plot_h + 22
    height = legend_top + 13 * len(series) + 4
    step = (width - left - right) / max(len(labels) - 1, 1)

    def x(i: int) -> float:
        return left + (i * step if len(labels) > 1 else (width - left - right) / 2)

    def y(v: float) -> float:
        return plot_top + plot_h - (v - low) / (high - low) * plot_h

    def marker(cx: float, cy: float, shape: str, colour: str) -> str:
        if shape == "square":
            return (
                f'<rect x="{cx - 2.5:.1f}" y="{cy - 2.5:.1f}" width="5" height="5" '
                f'fill="{colour}"/>'
            )
        if shape == "triangle":
            return f'<path d="M{cx:.1f},{cy - 3:.1f} l3,5 h-6 z" fill="{colour}"/>'
        return f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="2.5" fill="{colour}"/>'

    parts = [
        f'<svg width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" '
        'aria-hidden="true" font-family="sans-serif" font-size="8">'
    ]
    for tick in range(int(low), int(high) + 1):
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" '
            f'stroke="#e1e6ee"/><text x="{left - 4}" y="{y(tick) + 3:.1f}" '
            f'text-anchor="end">{tick}</text>'
        )
    for i, label in enumerate(labels):
        # The first and last labels lean inwards: written whole, never cut at the edge.
        anchor = "middle"
        if len(labels) > 1 and i in (0, len(labels) - 1):
            anchor = "start" if i == 0 else "end"
        parts.append(
            f'<text x="{x(i):.1f}" y="{plot_top + plot_h + 12}" text-anchor="{anchor}">'
            f"{escape(label)}</text>"
        )
    for n, (name, values) in enumerate(series):
        colour = SERIES_COLOURS[n % len(SERIES_COLOURS)]
        shape = SERIES_MARKERS[n % len(SERIES_MARKERS)]
        runs, run = [], []
        for i, value in enumerate(values):
            if value is None:
                runs, run = runs + ([run] if run else []), []
            else:
                run.append((x(i), y(value)))
        runs += [run] if run else []
        for points in runs:
            line = " ".join(f"{px:.1f},{py:.1f}" for px, py in points)
            parts.append(f'<polyline points="{line}" fill="none" stroke="{colour}"/>')
            parts.extend(marker(px, py, shape, colour) for px, py in points)
        top = legend_top + 13 * n
        parts.append(
            marker(left + 4, top, shape, colour)
            + f'<text x="{left + 12}" y="{top + 3}">{escape(name)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
