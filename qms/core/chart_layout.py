"""Layout pieces every Plotly figure shares, so that each chart reads the same way at 1366 px
and at 390 px: monthly bars centred on their month with the month named under them, count axes
on whole numbers from zero, percentages on round ticks, long category labels wrapped at word
boundaries (whole in the hover and the table), and legends that never sit on the axis labels.

A figure may carry a `narrow` dict: layout values that `static/js/charts.js` applies when the
chart is drawn less than NARROW_PX wide (a phone), e.g. one column of small multiples."""

from __future__ import annotations

import datetime
import html
import math
import textwrap

NARROW_PX = 576  # Bootstrap's "sm" breakpoint: below it the page is one column
MONTH_LABEL = "%b %Y"  # "Dec 2026": never "Dec 26", which reads as a day


def month_start(day: datetime.date) -> str:
    """The x value of a monthly bar: the first of its month (the bar spans the month)."""
    return day.replace(day=1).isoformat()


def monthly_bars() -> dict:
    """Trace properties for bars (or points) that stand for a whole month: drawn across their
    month, centred on it, with the month named in the hover."""
    return {"xperiod": "M1", "xperiodalignment": "middle", "xhoverformat": MONTH_LABEL}


def _month_step(months: int, labels: int) -> int:
    return next((s for s in (1, 2, 3, 6) if math.ceil(months / s) <= labels), 12)


def month_axis(months: int, labels: int = 13) -> dict:
    """A date x axis naming months ("Dec 2026"), a label under the middle of every month; of
    every 2nd, 3rd or 6th month when there are more than `labels` (by default a year and the
    month under way)."""
    return {
        "type": "date",
        "dtick": f"M{_month_step(months, labels)}",
        # Mid-month: each label sits under its month's bar, not on the boundary between two.
        "tick0": "2000-01-16",
        "tickformat": MONTH_LABEL,
        "showgrid": False,
        "automargin": True,
        "fixedrange": True,
    }


def month_axis_narrow(months: int, axis: str = "xaxis", labels: int = 6) -> dict:
    """`narrow` values for a month axis: fewer labels, the year under the month."""
    return {f"{axis}.dtick": f"M{_month_step(months, labels)}", f"{axis}.tickformat": "%b<br>%Y"}


def nice_step(rough: float) -> float:
    """The step of 1, 2 or 5 times a power of ten nearest above `rough`."""
    if rough <= 0:
        return 1
    power = 10 ** math.floor(math.log10(rough))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= rough)


def count_axis(title: str, largest: float | None, ticks: int = 5) -> dict:
    """A y axis for counts: from zero, whole-number ticks only (never "0.5 actions")."""
    step = max(1, int(nice_step((largest or 0) / ticks)))
    top = max(step, math.ceil((largest or 0) / step) * step)
    return {
        "title": {"text": title},
        "rangemode": "tozero",
        "tickmode": "linear",
        "tick0": 0,
        "dtick": step,
        "tickformat": "d",
        # Room above the highest bar for its label, and the top tick on a round number.
        "range": [0, top * 1.08],
        # Clear of the month axis' first label: "0" touched "Jan 2026" at the corner.
        "ticklabelstandoff": 8,
        "automargin": True,
        "fixedrange": True,
    }


def percent_axis(title: str, **extra) -> dict:
    """A y axis for a rate in per cent: 0 to 100 on quarters, not synced to another axis."""
    return {
        "title": {"text": title},
        "range": [0, 108],
        "tickmode": "array",
        "tickvals": [0, 25, 50, 75, 100],
        "ticktext": ["0%", "25%", "50%", "75%", "100%"],
        "showgrid": False,
        "zeroline": False,
        "automargin": True,
        "fixedrange": True,
        **extra,
    }


def wrap_label(text: str, width: int = 26, lines: int = 2) -> str:
    """A label broken at word boundaries into at most `lines` lines (joined with <br> for
    Plotly); what does not fit ends in an ellipsis after a whole word, never mid-word."""
    text = " ".join(text.split())
    parts = textwrap.wrap(text, width, break_long_words=False, break_on_hyphens=False)
    if len(parts) > lines:
        parts = parts[:lines]
        last = parts[-1]
        while len(last) + 1 > width and " " in last:
            last = last.rsplit(" ", 1)[0]
        parts[-1] = last.rstrip(" ,;:·-\u2013") + "…"
    return "<br>".join(plain(part) for part in parts)


def plain(text: str) -> str:
    """Text as Plotly shows it literally: Plotly reads "<b>" or "&amp;" in labels and hover
    text as markup, so a title such as "Defects <5 ppm" is escaped."""
    return html.escape(text, quote=False)


def legend_below() -> dict:
    """A horizontal legend under the plot, below the axis labels whatever their height (its
    place is measured from the bottom of the whole figure, and the margin grows to fit it)."""
    return {
        "orientation": "h",
        "x": 0,
        "xanchor": "left",
        "yref": "container",
        "y": 0,
        "yanchor": "bottom",
    }


def legend_above() -> dict:
    """A horizontal legend over the plot, clear of the axis labels under it."""
    return {"orientation": "h", "x": 0, "xanchor": "left", "y": 1.02, "yanchor": "bottom"}


def base_layout() -> dict:
    """What every figure's layout starts from: transparent, the page's font, hover text
    aligned left (wrapped labels read as a paragraph)."""
    return {
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "rgba(0,0,0,0)",
        "font": {"family": "system-ui, sans-serif", "size": 12, "color": "#1b2430"},
        "hoverlabel": {"align": "left"},
    }


def _category_label(label: str, width: int) -> str:
    """ "Round 2 (Jun 2026)" -> "Round 2" over "(Jun 2026)": a bracket starts its own line."""
    head, bracket, tail = label.partition(" (")
    if bracket and len(head) <= width and len(tail) < width:
        return f"{plain(head)}<br>{plain('(' + tail)}"
    return wrap_label(label, width, 3)


def category_axis(labels: list[str], width: int = 12) -> dict:
    """An x axis of named categories ("Round 2 (Jun 2026)"), each label wrapped onto short
    lines so that labels sit level under their points instead of slanting into the legend."""
    return {
        "type": "category",
        "tickmode": "array",
        "tickvals": labels,
        "ticktext": [_category_label(label, width) for label in labels],
        "automargin": True,
        "fixedrange": True,
    }


def score_axis(title: str, low: int = 1, high: int = 5) -> dict:
    """A y axis for a mean score on a fixed scale: every whole point labelled, a little room
    beyond both ends so points at 1 or 5 are not cut in half."""
    return {
        "title": {"text": title},
        "range": [low - 0.2, high + 0.2],
        "tickmode": "linear",
        "tick0": low,
        "dtick": 1,
        "zeroline": False,
        "automargin": True,
        "fixedrange": True,
    }


def amount_axis(title: str, largest: float | None, ticks: int = 5, **extra) -> dict:
    """A y axis for an amount (days, hours): from zero, ticks on round steps (1, 2 or 5 times
    a power of ten), not synced to another axis; for a second axis on the right, no grid."""
    step = nice_step((largest or 0) / ticks) if largest else 1
    top = max(step, math.ceil((largest or 0) / step) * step)
    return {
        "title": {"text": title},
        "range": [0, top * 1.08],
        "tickmode": "linear",
        "tick0": 0,
        "dtick": step,
        "automargin": True,
        "fixedrange": True,
        **({"showgrid": False, "zeroline": False} if "overlaying" in extra else {}),
        **extra,
    }
