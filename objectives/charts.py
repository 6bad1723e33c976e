"""Plotly figures for objectives, built as plain dicts from selector data.

Colour is never the only carrier of meaning: the zones are also named in the legend-like
annotations, and every chart has its numbers in a table on the page.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from objectives.forecast import Forecast
from objectives.models import Direction, QualityObjective
from qms.core.chart_layout import MONTH_LABEL, base_layout, legend_below

GREEN, AMBER, RED = "rgba(30,123,69,0.10)", "rgba(161,92,0,0.12)", "rgba(179,38,30,0.10)"
INK, ACCENT = "#1b2430", "#2f6fde"
# The plot area's height in the 360 px figure (less the legend and the month axis), and the
# height a zone's name needs (11 px text and a little room).
PLOT_PX, LABEL_PX = 230, 18


def _zone(y0: float, y1: float, colour: str, label: str) -> tuple[dict, dict]:
    shape = {
        "type": "rect",
        "xref": "paper",
        "x0": 0,
        "x1": 1,
        "yref": "y",
        "y0": y0,
        "y1": y1,
        "fillcolor": colour,
        "line": {"width": 0},
        "layer": "below",
    }
    note = {
        "xref": "paper",
        "x": 1,
        "xanchor": "right",
        "yref": "y",
        "y": (y0 + y1) / 2,
        "text": label,
        "showarrow": False,
        "font": {"size": 11, "color": "#5b6675"},
    }
    return shape, note


def objective_figure(
    objective: QualityObjective,
    series: list[tuple[datetime.date, Decimal]],
    forecast: Forecast | None = None,
) -> dict:
    """Values over time with the target line, the amber/red zones and the forecast."""
    xs = [end.isoformat() for end, _ in series]
    places = objective.decimal_places
    ys = [float(value) for _, value in series]
    target = float(objective.target)
    amber, red = float(objective.amber_threshold), float(objective.red_threshold)
    values = [*ys, target, amber, red]
    if forecast and forecast.line:
        values += [v for _, v in forecast.line]
    low, high = min(values), max(values)
    pad = (high - low) * 0.15 or abs(high) * 0.1 or 1
    bottom, top = low - pad, high + pad

    if objective.direction == Direction.HIGHER:
        zones = [
            (bottom, red, RED, "off track"),
            (red, amber, AMBER, "at risk"),
            (amber, top, GREEN, "on track"),
        ]
    elif objective.direction == Direction.LOWER:
        zones = [
            (bottom, amber, GREEN, "on track"),
            (amber, red, AMBER, "at risk"),
            (red, top, RED, "off track"),
        ]
    else:
        zones = [
            (bottom, target - red, RED, "off track"),
            (target - red, target - amber, AMBER, "at risk"),
            (target - amber, target + amber, GREEN, "on track"),
            (target + amber, target + red, AMBER, "at risk"),
            (target + red, top, RED, "off track"),
        ]
    shapes, notes = [], []
    for y0, y1, colour, label in zones:
        if y1 > y0:
            y0, y1 = max(y0, bottom), min(y1, top)
            shape, note = _zone(y0, y1, colour, label)
            shapes.append(shape)
            # A zone too thin to hold its name keeps its colour only: names written in the
            # middle of thin zones ran into each other ("at risk / on track / at risk" in a
            # narrow band, issue 21). The status of each value is in the table.
            if (y1 - y0) / (top - bottom) * PLOT_PX >= LABEL_PX:
                notes.append(note)
    shapes.append(
        {
            "type": "line",
            "xref": "paper",
            "x0": 0,
            "x1": 1,
            "yref": "y",
            "y0": target,
            "y1": target,
            "line": {"color": INK, "width": 1.5, "dash": "dot"},
        }
    )
    notes.append(
        {
            "xref": "paper",
            "x": 0,
            "xanchor": "left",
            "yref": "y",
            "y": target,
            "yanchor": "bottom",
            "text": f"target {target:g}{objective.unit if objective.unit == '%' else ''}",
            "showarrow": False,
            "font": {"size": 11, "color": INK},
        }
    )

    traces = [
        {
            "type": "scatter",
            "mode": "lines+markers",
            "name": "Actual",
            "x": xs,
            "y": ys,
            "line": {"color": ACCENT, "width": 2},
            "marker": {"size": 6, "symbol": "circle"},
            "hovertemplate": f"%{{x|{MONTH_LABEL}}}: %{{y:.{places}f}}<extra></extra>",
        }
    ]
    if forecast and forecast.line:
        traces.append(
            {
                "type": "scatter",
                "mode": "lines",
                "name": "Forecast (trend)",
                "x": [d.isoformat() for d, _ in forecast.line],
                "y": [round(v, objective.decimal_places + 2) for _, v in forecast.line],
                "line": {"color": ACCENT, "width": 2, "dash": "dash"},
                "hovertemplate": f"%{{x|{MONTH_LABEL}}}: %{{y:.{places}f}} (trend)<extra></extra>",
            }
        )
    return {
        "data": traces,
        "layout": {
            **base_layout(),
            "margin": {"l": 10, "r": 16, "t": 16, "b": 10},
            "height": 360,
            "showlegend": True,
            "legend": legend_below(),
            "yaxis": {
                "title": {"text": objective.unit},
                "range": [bottom, top],
                "zeroline": False,
                "automargin": True,
            },
            "xaxis": {"type": "date", "tickformat": MONTH_LABEL, "automargin": True},
            "shapes": shapes,
            "annotations": notes,
            "paper_bgcolor": "#ffffff",
            "plot_bgcolor": "#ffffff",
        },
        "narrow": {"xaxis.tickformat": "%b<br>%Y"},
    }
