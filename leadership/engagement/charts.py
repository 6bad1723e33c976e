"""Plotly figures of engagement, built from selector data; each page also shows the numbers as a
table."""

from __future__ import annotations

from leadership.engagement.selectors.suggestions import MonthFigures
from leadership.engagement.selectors.surveys import TrendRow

LAYOUT = {
    "margin": {"l": 50, "r": 50, "t": 10, "b": 60},
    "legend": {"orientation": "h", "y": -0.25},
    "height": 320,
}


def suggestions_figure(months: list[MonthFigures]) -> dict:
    """Bars: suggestions submitted and decided per month; line: mean days to a decision."""
    labels = [m.month.strftime("%b %Y") for m in months]
    return {
        "data": [
            {"type": "bar", "name": "Submitted", "x": labels, "y": [m.submitted for m in months]},
            {"type": "bar", "name": "Decided", "x": labels, "y": [m.decided for m in months]},
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": "Mean days to decision",
                "x": labels,
                "y": [m.days_to_decision for m in months],
                "yaxis": "y2",
            },
        ],
        "layout": {
            **LAYOUT,
            "barmode": "group",
            "yaxis": {"title": {"text": "Suggestions"}, "rangemode": "tozero"},
            "yaxis2": {
                "title": {"text": "Days"},
                "overlaying": "y",
                "side": "right",
                "rangemode": "tozero",
            },
        },
    }


def survey_trend_figure(round_labels: list[str], rows: list[TrendRow]) -> dict:
    """One line per group: mean score (1 to 5) per round; gaps where a group had too few
    respondents to be shown."""
    return {
        "data": [
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": row.label,
                "x": round_labels,
                "y": row.means,
                "connectgaps": False,
            }
            for row in rows
        ],
        "layout": {**LAYOUT, "yaxis": {"title": {"text": "Mean score"}, "range": [1, 5]}},
    }
