"""Plotly figures of the executive dashboard, as plain dicts built from `DashboardData`.

Status is never carried by colour alone: bars and markers also carry a symbol and the status
in words, and every chart has its numbers in a table beside it (see `tables.py`).
"""

from __future__ import annotations

import math
from urllib.parse import quote

from django.urls import reverse

from objectives.models import QualityObjective
from objectives.templatetags.objectives_tags import kpi
from qms.core.actions.selectors import AGE_LABELS, ActionsSummary
from reviews.charts import RAG_COLOURS, RAG_SYMBOLS, attainment, objectives_attainment_figure

INK, ACCENT, MUTED = "#1b2430", "#2f6fde", "#8a94a3"
MARKER_SYMBOLS = {
    "green": "circle",
    "amber": "triangle-up",
    "red": "square",
    "no_data": "circle-open",
}
AGE_COLOURS = ["#9cc3f0", "#5b95dc", "#2f6fde", "#173f86"]
FONT = {"family": "system-ui, sans-serif", "size": 12, "color": INK}


def _plain(value) -> str:
    return "" if value is None else f"{value.normalize():f}"


def objective_rows(objectives: list[QualityObjective], org_slug: str) -> list[dict]:
    """Rows as the management review's agenda builds them (`reviews.agenda`), so the review's
    attainment chart can draw them, plus each objective's page."""
    # One reverse() for all rows: at 2,000 objectives, reversing each cost a third of the page.
    marker = "CODE-MARKER"
    pattern = reverse("objectives:detail", kwargs={"org_slug": org_slug, "code": marker})
    return [
        {
            "code": o.code,
            "title": o.title,
            "status": o.current_status,
            "status_label": o.get_current_status_display(),
            "value": _plain(o.current_value),
            "target": _plain(o.target),
            "value_text": kpi(o.current_value, o),
            "target_text": kpi(o.target, o),
            "unit": o.unit,
            "direction": o.direction,
            "executive": o.accountable_executive.display_name,
            "unit_name": o.org_unit.name,
            "url": pattern.replace(marker, quote(o.code, safe="")),
        }
        for o in objectives
    ]


def attainment_figure(rows: list[dict]) -> dict:
    """The review's attainment bars; a click on a bar opens the objective."""
    figure = objectives_attainment_figure(rows)
    trace = figure["data"][0]
    # The same rows, in the same order, as the bars (those with a value to compare).
    trace["customdata"] = [r["url"] for r in rows if attainment(r) is not None]
    trace["hovertemplate"] = "%{y}: %{x:.0f}% of target (click to open)<extra></extra>"
    figure["layout"]["margin"] = {"l": 10, "r": 110, "t": 10, "b": 40}
    return figure


def kpi_multiples_figure(series: list, columns: int = 2) -> dict:
    """One small chart per objective: monthly rollup values against the target line, each
    point's marker shaped by its status."""
    count = max(len(series), 1)
    rows = math.ceil(count / columns)
    gap_x, gap_y = 0.08, 0.12 if rows > 1 else 0
    width = (1 - gap_x * (columns - 1)) / columns
    height = (1 - gap_y * (rows - 1)) / rows
    data, annotations, layout = [], [], {}
    for i, item in enumerate(series):
        n = "" if i == 0 else str(i + 1)
        row, col = divmod(i, columns)
        x0 = col * (width + gap_x)
        y1 = 1 - row * (height + gap_y)
        objective = item.objective
        xs = [end.isoformat() for end, _, _ in item.points]
        data.append(
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": objective.code,
                "x": xs,
                "y": [value for _, value, _ in item.points],
                "xaxis": f"x{n}",
                "yaxis": f"y{n}",
                "line": {"color": ACCENT, "width": 2},
                "marker": {
                    "size": 8,
                    "symbol": [MARKER_SYMBOLS.get(s, "circle") for _, _, s in item.points],
                    "color": [RAG_COLOURS.get(s, MUTED) for _, _, s in item.points],
                },
                "text": [
                    RAG_SYMBOLS.get(s, "") + " " + s.replace("_", " ") for *_, s in item.points
                ],
                "hovertemplate": "%{x|%b %Y}: %{y} (%{text})<extra>" + objective.code + "</extra>",
                "showlegend": False,
            }
        )
        if xs:
            data.append(
                {
                    "type": "scatter",
                    "mode": "lines",
                    "name": f"{objective.code} target",
                    "x": [xs[0], xs[-1]],
                    "y": [float(objective.target)] * 2,
                    "xaxis": f"x{n}",
                    "yaxis": f"y{n}",
                    "line": {"color": INK, "width": 1, "dash": "dot"},
                    "hovertemplate": f"target {kpi(objective.target, objective)}<extra></extra>",
                    "showlegend": False,
                }
            )
        layout[f"xaxis{n}"] = {
            "domain": [x0, x0 + width],
            "anchor": f"y{n}",
            "type": "date",
            "tickformat": "%b %y",
            "nticks": 4,
        }
        layout[f"yaxis{n}"] = {
            "domain": [y1 - height, y1],
            "anchor": f"x{n}",
            "title": {"text": objective.unit, "standoff": 2},
            "zeroline": False,
        }
        status = objective.get_current_status_display()
        annotations.append(
            {
                "xref": "paper",
                "yref": "paper",
                "x": x0,
                "y": y1,
                "xanchor": "left",
                "yanchor": "bottom",
                "text": f"<b>{objective.code}</b> {RAG_SYMBOLS.get(objective.current_status, '')}"
                f" {status} · target {kpi(objective.target, objective)}",
                "showarrow": False,
                "font": {"size": 11},
            }
        )
    return {
        "data": data,
        "layout": {
            **layout,
            "height": 60 + 200 * rows,
            "margin": {"l": 50, "r": 10, "t": 24, "b": 30},
            "annotations": annotations,
            "paper_bgcolor": "rgba(0,0,0,0)",
            "plot_bgcolor": "rgba(0,0,0,0)",
            "font": FONT,
        },
    }


def review_compliance_figure(reviews: list[dict]) -> dict:
    """Each review's delay: days from planned to held date (0 = on time), and the planned
    reviews not held yet, marked as such."""
    xs, ys, texts, colours = [], [], [], []
    for review in reviews:
        xs.append(f"{review['reference']} ({review['planned_on']:%b %Y})")
        if review["held_on"]:
            late = review["days_late"] or 0
            ys.append(late)
            texts.append(f"■ {late} days late" if late else "● on time")
            colours.append(RAG_COLOURS["red"] if late else RAG_COLOURS["green"])
        else:
            ys.append(0)
            texts.append("○ not held yet")
            colours.append(MUTED)
    return {
        "data": [
            {
                "type": "bar",
                "x": xs,
                "y": ys,
                "text": texts,
                "textposition": "outside",
                "cliponaxis": False,
                "marker": {"color": colours},
                "hovertemplate": "%{x}: %{text}<extra></extra>",
            }
        ],
        "layout": {
            "height": 280,
            "margin": {"l": 50, "r": 10, "t": 20, "b": 60},
            "yaxis": {"title": {"text": "days late"}, "rangemode": "tozero"},
            "showlegend": False,
            "paper_bgcolor": "rgba(0,0,0,0)",
            "plot_bgcolor": "rgba(0,0,0,0)",
            "font": FONT,
        },
    }


def action_closure_figure(months: list[ActionsSummary]) -> dict:
    """Actions closed each month, on time and late (stacked), with the on-time rate."""
    xs = [m.end.isoformat() for m in months]
    rate = [round(100 * m.on_time_rate, 1) if m.on_time_rate is not None else None for m in months]
    return {
        "data": [
            {
                "type": "bar",
                "name": "Closed on time",
                "x": xs,
                "y": [m.closed_on_time for m in months],
                "marker": {"color": RAG_COLOURS["green"]},
            },
            {
                "type": "bar",
                "name": "Closed late",
                "x": xs,
                "y": [m.closed_late for m in months],
                "marker": {"color": RAG_COLOURS["red"], "pattern": {"shape": "/"}},
            },
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": "On time (%)",
                "x": xs,
                "y": rate,
                "yaxis": "y2",
                "line": {"color": INK, "dash": "dot"},
                "marker": {"symbol": "diamond"},
            },
        ],
        "layout": {
            "barmode": "stack",
            "height": 280,
            "margin": {"l": 50, "r": 50, "t": 10, "b": 40},
            "xaxis": {"type": "date", "tickformat": "%b %y"},
            "yaxis": {"title": {"text": "actions closed"}, "rangemode": "tozero"},
            "yaxis2": {
                "title": {"text": "% on time"},
                "overlaying": "y",
                "side": "right",
                "range": [0, 105],
            },
            "legend": {"orientation": "h", "y": -0.2},
            "paper_bgcolor": "rgba(0,0,0,0)",
            "plot_bgcolor": "rgba(0,0,0,0)",
            "font": FONT,
        },
    }


def open_actions_age_figure(months: list[ActionsSummary]) -> dict:
    """Open actions at each month end by age (stacked, oldest on top)."""
    xs = [m.as_of.isoformat() for m in months]
    return {
        "data": [
            {
                "type": "bar",
                "name": label,
                "x": xs,
                "y": [m.open_by_age.get(key, 0) for m in months],
                "marker": {"color": AGE_COLOURS[i % len(AGE_COLOURS)]},
            }
            for i, (key, label) in enumerate(AGE_LABELS.items())
        ],
        "layout": {
            "barmode": "stack",
            "height": 280,
            "margin": {"l": 50, "r": 10, "t": 10, "b": 40},
            "xaxis": {"type": "date", "tickformat": "%b %y"},
            "yaxis": {"title": {"text": "open actions"}, "rangemode": "tozero"},
            "legend": {"orientation": "h", "y": -0.2},
            "paper_bgcolor": "rgba(0,0,0,0)",
            "plot_bgcolor": "rgba(0,0,0,0)",
            "font": FONT,
        },
    }


def survey_trend_figure(rounds: list[str], rows: list) -> dict:
    """Mean pulse-survey score (1 to 5) per group across rounds; gaps where a group had too
    few respondents to be shown. Each line is named in the legend and at its last point."""
    data = []
    for i, row in enumerate(rows):
        data.append(
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": row.label,
                "x": rounds,
                "y": row.means,
                "line": {"width": 3, "color": INK} if i == 0 else {"width": 1.5},
                "marker": {"symbol": list(MARKER_SYMBOLS.values())[i % 4]},
                "connectgaps": False,
                "hovertemplate": f"{row.label}: %{{y:.2f}} in %{{x}}<extra></extra>",
            }
        )
    return {
        "data": data,
        "layout": {
            "height": 280,
            "margin": {"l": 40, "r": 10, "t": 20, "b": 60},
            "yaxis": {"range": [1, 5], "title": {"text": "Mean score (1 to 5)"}},
            "legend": {"orientation": "h", "y": -0.3},
            "font": FONT,
        },
    }
