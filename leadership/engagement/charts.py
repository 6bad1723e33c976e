"""Plotly figures of engagement, built from selector data; each page also shows the numbers as a
table."""

from __future__ import annotations

from leadership.engagement.selectors.suggestions import MonthFigures
from leadership.engagement.selectors.surveys import TrendRow
from qms.core.chart_layout import (
    MONTH_LABEL,
    amount_axis,
    base_layout,
    category_axis,
    count_axis,
    legend_below,
    month_axis,
    month_axis_narrow,
    month_start,
    monthly_bars,
    plain,
    score_axis,
)

SYMBOLS = ["circle", "triangle-up", "square", "diamond", "circle-open", "x"]


def _layout() -> dict:
    return {
        **base_layout(),
        "margin": {"l": 10, "r": 10, "t": 10, "b": 10},
        "legend": legend_below(),
        "height": 340,
    }


def suggestions_figure(months: list[MonthFigures]) -> dict:
    """Bars: suggestions submitted and decided per month, each pair across its month with the
    month named under it; line: mean days to a decision."""
    xs = [month_start(m.month) for m in months]
    label = f"%{{x|{MONTH_LABEL}}}"
    return {
        "data": [
            {
                "type": "bar",
                "name": "Submitted",
                "x": xs,
                "y": [m.submitted for m in months],
                **monthly_bars(),
                "hovertemplate": f"{label}: %{{y}} submitted<extra></extra>",
            },
            {
                "type": "bar",
                "name": "Decided",
                "x": xs,
                "y": [m.decided for m in months],
                **monthly_bars(),
                "hovertemplate": f"{label}: %{{y}} decided<extra></extra>",
            },
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": "Mean days to decision",
                "x": xs,
                "y": [m.days_to_decision for m in months],
                **monthly_bars(),
                "yaxis": "y2",
                "hovertemplate": f"{label}: %{{y:.1f}} days to a decision<extra></extra>",
            },
        ],
        "layout": {
            **_layout(),
            "barmode": "group",
            "xaxis": month_axis(len(months)),
            "yaxis": count_axis(
                "Suggestions", max((max(m.submitted, m.decided) for m in months), default=0)
            ),
            "yaxis2": amount_axis(
                "Mean days to decision",
                max((m.days_to_decision or 0 for m in months), default=0),
                overlaying="y",
                side="right",
            ),
        },
        "narrow": month_axis_narrow(len(months)),
    }


def survey_trend_figure(round_labels: list[str], rows: list[TrendRow]) -> dict:
    """One line per group: mean score (1 to 5) per round; gaps where a group had too few
    respondents to be shown. Lines that run close together differ by marker shape as well as
    colour, and the hover names the group."""
    return {
        "data": [
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": row.label,
                "x": round_labels,
                "y": row.means,
                "marker": {"symbol": SYMBOLS[i % len(SYMBOLS)], "size": 8},
                "connectgaps": False,
                "hovertemplate": f"{plain(row.label)}: %{{y:.2f}} in %{{x}}<extra></extra>",
            }
            for i, row in enumerate(rows)
        ],
        "layout": {
            **_layout(),
            "xaxis": category_axis(round_labels),
            "yaxis": score_axis("Mean score (1 to 5)"),
        },
    }
