"""Plotly figures of the executive dashboard, as plain dicts built from `DashboardData`.

Status is never carried by colour alone: bars and markers also carry a symbol and the status
in words, and every chart has its numbers in a table beside it (see `tables.py`).
"""

from __future__ import annotations

import datetime
import math
from urllib.parse import quote

from django.urls import reverse

from objectives.models import QualityObjective
from objectives.templatetags.objectives_tags import kpi
from qms.core.actions.selectors import AGE_LABELS, ActionsSummary
from qms.core.chart_layout import (
    MONTH_LABEL,
    base_layout,
    category_axis,
    count_axis,
    legend_below,
    month_axis,
    month_axis_narrow,
    month_start,
    monthly_bars,
    nice_step,
    percent_axis,
    plain,
    score_axis,
    wrap_label,
)
from reviews.charts import RAG_COLOURS, RAG_SYMBOLS, charted, objectives_attainment_figure

INK, ACCENT, MUTED = "#1b2430", "#2f6fde", "#8a94a3"
MARKER_SYMBOLS = {
    "green": "circle",
    "amber": "triangle-up",
    "red": "square",
    "no_data": "circle-open",
}
AGE_COLOURS = ["#9cc3f0", "#5b95dc", "#2f6fde", "#173f86"]


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
    # The same rows, in the same order, as the bars.
    trace["customdata"] = [r["url"] for r in charted(rows)]
    trace["hovertemplate"] = "%{hovertext}<br>(click to open)<extra></extra>"
    return figure


def _no_values_after(item, through: datetime.date | None) -> str:
    """ " · no values after July 2026" when a chart's line stops before the others' (or the
    window's last month): it says why the line ends there. "" when it runs to the end."""
    valued = [end for end, value, _ in item.points if value is not None]
    if not valued or through is None or max(valued) >= through:
        return ""
    return f"<br>No values after {max(valued):%B %Y}"


def series_stopped_early(series: list) -> dict[datetime.date, list[str]]:
    """{last month with a value: [codes]} of the objectives whose values stop before the
    latest month any of the others has one, earliest first."""
    lasts = {
        item.objective.code: max(end for end, value, _ in item.points if value is not None)
        for item in series
        if any(value is not None for _, value, _ in item.points)
    }
    latest = max(lasts.values(), default=None)
    stopped: dict[datetime.date, list[str]] = {}
    for code, last in sorted(lasts.items(), key=lambda pair: (pair[1], pair[0])):
        if last < latest:
            stopped.setdefault(last, []).append(code)
    return stopped


def _multiples_layout(series: list, columns: int, through: datetime.date | None = None) -> dict:
    """Axis domains, titles and height for small multiples in `columns` columns, spaced in
    pixels so that a title never runs into the chart above it or the one beside it."""
    rows = math.ceil(max(len(series), 1) / columns)
    # 130 px a plot: the eight charts of the page (four rows) and their panel fit on one
    # printed A4 page, so the board report does not leave their title alone on a page.
    title_px, plot_px, axis_px, gap_x = 52, 130, 46, 0.1
    if any(_no_values_after(item, through) for item in series):
        title_px += 14  # a fourth line: "No values after July 2026"
    row_px = title_px + plot_px + axis_px
    margin = {"l": 10, "r": 10, "t": 10, "b": 0}
    area = rows * row_px  # the plot area's height, between the margins
    width = (1 - gap_x * (columns - 1)) / columns
    layout: dict = {"height": area + margin["t"] + margin["b"], "margin": margin}
    annotations = []
    for i, item in enumerate(series):
        n = "" if i == 0 else str(i + 1)
        row, col = divmod(i, columns)
        x0 = col * (width + gap_x)
        top = 1 - (row * row_px + title_px) / area
        layout[f"xaxis{n}.domain"] = [x0, x0 + width]
        layout[f"yaxis{n}.domain"] = [top - plot_px / area, top]
        objective = item.objective
        status = objective.get_current_status_display()
        # Two lines of title: about 6.5 px a character at 11 px bold, in a column of at least
        # 250 px (two columns are drawn only on a chart at least NARROW_PX wide).
        per_line = 36 if columns > 1 else 42
        name = wrap_label(f"{objective.code} {objective.title}", per_line)
        annotations.append(
            {
                "xref": "paper",
                "yref": "paper",
                "x": x0,
                "y": top + 4 / area,
                "xanchor": "left",
                "yanchor": "bottom",
                "align": "left",
                "text": "<br>".join(f"<b>{line}</b>" for line in name.split("<br>"))
                + f"<br>{RAG_SYMBOLS.get(objective.current_status, '')} {status}"
                f" · target {kpi(objective.target, objective)}" + _no_values_after(item, through),
                "hovertext": plain(f"{objective.code} {objective.title}"),
                "showarrow": False,
                "font": {"size": 11},
            }
        )
    layout["annotations"] = annotations
    return layout


def _whole_steps(item, target: float) -> dict:
    """Ticks for a KPI counted in whole units (0 decimals): steps of 1, 2, 5, … never 0.5."""
    values = [v for _, v, _ in item.points if v is not None] + [target]
    step = max(1, int(nice_step((max(values) - min(values)) / 4)))
    return {"tickmode": "linear", "tick0": 0, "dtick": step, "tickformat": "d"}


def kpi_multiples_figure(
    series: list, columns: int = 2, through: datetime.date | None = None
) -> dict:
    """One small chart per objective: monthly rollup values against the target line, each
    point's marker shaped by its status. On a phone, one chart per row. `through`: the last
    month the charts cover (by default the latest month any of them has a value for); a line
    that stops before it says it has no values after its last month."""
    valued = [end for item in series for end, value, _ in item.points if value is not None]
    through = through or (max(valued) if valued else None)
    data, layout = [], base_layout()
    for i, item in enumerate(series):
        n = "" if i == 0 else str(i + 1)
        objective = item.objective
        xs = [month_start(end) for end, _, _ in item.points]
        places = objective.decimal_places
        data.append(
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": objective.code,
                "x": xs,
                "y": [value for _, value, _ in item.points],
                "xaxis": f"x{n}",
                "yaxis": f"y{n}",
                **monthly_bars(),
                "line": {"color": ACCENT, "width": 2},
                "marker": {
                    "size": 8,
                    "symbol": [MARKER_SYMBOLS.get(s, "circle") for _, _, s in item.points],
                    "color": [RAG_COLOURS.get(s, MUTED) for _, _, s in item.points],
                },
                "text": [
                    RAG_SYMBOLS.get(s, "") + " " + s.replace("_", " ") for *_, s in item.points
                ],
                "hovertemplate": f"%{{x|{MONTH_LABEL}}}: %{{y:.{places}f}} (%{{text}})"
                f"<extra>{objective.code}</extra>",
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
                    **monthly_bars(),
                    "line": {"color": INK, "width": 1, "dash": "dot"},
                    "hovertemplate": f"target {kpi(objective.target, objective)}<extra></extra>",
                    "showlegend": False,
                }
            )
        layout[f"xaxis{n}"] = {
            **month_axis(len(xs), labels=4),
            "anchor": f"y{n}",
            "tickformat": "%b<br>%Y",
        }
        # No axis title: the unit is in the chart's title ("target 1.50 kWh"), and a title
        # placed inside the grid of small charts ran into wide tick labels ("1.55" / "kWh").
        layout[f"yaxis{n}"] = {
            "anchor": f"x{n}",
            "zeroline": False,
            "nticks": 5,
            "automargin": True,
            "fixedrange": True,
            **(_whole_steps(item, float(objective.target)) if places == 0 else {}),
        }
    for path, value in _multiples_layout(series, columns, through).items():
        axis, _, key = path.partition(".")
        if key:
            layout[axis][key] = value
        else:
            layout[axis] = value
    return {"data": data, "layout": layout, "narrow": _multiples_layout(series, 1, through)}


# The days-late axis reaches at least two weeks: a review held 2 days late filled the whole
# chart's height when it was the only late one (try-out finding), and read as very late.
MIN_DAYS_LATE_SCALE = 14


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
    # Room over the tallest bar for its label on two lines (on a phone), below the top tick's
    # label's height: a label on one line ran into the axis' "15" at 390 px.
    axis = count_axis("days late", max([*ys, MIN_DAYS_LATE_SCALE]))
    axis["range"] = [0, axis["range"][1] * 1.15]
    return {
        "data": [
            {
                "type": "bar",
                "x": xs,
                "y": ys,
                "text": texts,
                "textposition": "outside",
                "constraintext": "none",
                "cliponaxis": False,
                "marker": {"color": colours},
                "hovertemplate": "%{x}: %{text}<extra></extra>",
            }
        ],
        "layout": {
            **base_layout(),
            "height": 280,
            "margin": {"l": 10, "r": 10, "t": 24, "b": 10},
            "xaxis": {
                "type": "category",
                "tickmode": "array",
                "tickvals": xs,
                # "MR-001" over "(Jun 2026)": two short lines fit under a bar on a phone.
                "ticktext": [x.replace(" (", "<br>(") for x in xs],
                "automargin": True,
                "fixedrange": True,
            },
            "yaxis": axis,
            "showlegend": False,
        },
        "narrow": _review_compliance_narrow(xs, ys, texts),
    }


def _review_compliance_narrow(xs: list[str], ys: list[int], texts: list[str]) -> dict:
    """On a phone, one bar a line: a year of quarterly reviews put four columns about as wide
    as "■ 14 days late" side by side, and their labels ran into each other, into the axis' "0"
    and into the reviews' names. Across, each label has the rest of its line."""
    axis = count_axis("days late", max([*ys, MIN_DAYS_LATE_SCALE]))
    # Room right of the longest bar for its label ("■ 14 days late").
    axis["range"] = [0, axis["range"][1] * 1.9]
    axis["title"] = {"text": "days late"}
    return {
        "data.0.orientation": "h",
        "data.0.x": ys,
        "data.0.y": xs,
        "data.0.text": texts,
        "data.0.hovertemplate": "%{y}: %{text}<extra></extra>",
        "height": 70 + 46 * len(xs),
        "xaxis": axis,
        "yaxis": {
            "type": "category",
            "autorange": "reversed",
            "tickmode": "array",
            "tickvals": xs,
            "ticktext": [x.replace(" (", "<br>(") for x in xs],
            "automargin": True,
            "fixedrange": True,
        },
    }


def action_closure_figure(months: list[ActionsSummary]) -> dict:
    """Actions closed each month, on time and late (stacked), with the on-time rate. Each bar
    spans its month and its month is named under it."""
    xs = [month_start(m.end) for m in months]
    rate = [round(100 * m.on_time_rate, 1) if m.on_time_rate is not None else None for m in months]
    return {
        "data": [
            {
                "type": "bar",
                "name": "Closed on time",
                "x": xs,
                "y": [m.closed_on_time for m in months],
                **monthly_bars(),
                "marker": {"color": RAG_COLOURS["green"]},
                "hovertemplate": f"%{{x|{MONTH_LABEL}}}: %{{y}} closed on time<extra></extra>",
            },
            {
                "type": "bar",
                "name": "Closed late",
                "x": xs,
                "y": [m.closed_late for m in months],
                **monthly_bars(),
                "marker": {"color": RAG_COLOURS["red"], "pattern": {"shape": "/"}},
                "hovertemplate": f"%{{x|{MONTH_LABEL}}}: %{{y}} closed late<extra></extra>",
            },
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": "On time (%)",
                "x": xs,
                "y": rate,
                **monthly_bars(),
                "yaxis": "y2",
                "line": {"color": INK, "dash": "dot"},
                "marker": {"symbol": "diamond"},
                "hovertemplate": f"%{{x|{MONTH_LABEL}}}: %{{y:.0f}}% on time<extra></extra>",
            },
        ],
        "layout": {
            **base_layout(),
            "barmode": "stack",
            "height": 300,
            "margin": {"l": 10, "r": 10, "t": 10, "b": 10},
            "xaxis": month_axis(len(months)),
            "yaxis": count_axis("actions closed", max((m.closed for m in months), default=0)),
            "yaxis2": percent_axis("% on time", overlaying="y", side="right"),
            "legend": legend_below(),
        },
        "narrow": month_axis_narrow(len(months)),
    }


def open_actions_age_figure(months: list[ActionsSummary]) -> dict:
    """Open actions at each month end by age (stacked, oldest on top), one bar per month."""
    xs = [month_start(m.as_of) for m in months]
    return {
        "data": [
            {
                "type": "bar",
                "name": label,
                "x": xs,
                "y": [m.open_by_age.get(key, 0) for m in months],
                **monthly_bars(),
                "marker": {"color": AGE_COLOURS[i % len(AGE_COLOURS)]},
                "hovertemplate": f"%{{x|{MONTH_LABEL}}}: %{{y}} open {label.lower()}"
                "<extra></extra>",
            }
            for i, (key, label) in enumerate(AGE_LABELS.items())
        ],
        "layout": {
            **base_layout(),
            "barmode": "stack",
            "height": 300,
            "margin": {"l": 10, "r": 10, "t": 10, "b": 10},
            "xaxis": month_axis(len(months)),
            "yaxis": count_axis("open actions", max((m.open_at_end for m in months), default=0)),
            "legend": {**legend_below(), "traceorder": "normal"},
        },
        "narrow": month_axis_narrow(len(months)),
    }


def survey_trend_figure(rounds: list[str], rows: list) -> dict:
    """Mean pulse-survey score (1 to 5) per group across rounds; gaps where a group had too
    few respondents to be shown. Each line is named in the legend, under the round labels."""
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
                "marker": {"symbol": list(MARKER_SYMBOLS.values())[i % 4], "size": 8},
                "connectgaps": False,
                "hovertemplate": f"{plain(row.label)}: %{{y:.2f}} in %{{x}}<extra></extra>",
            }
        )
    return {
        "data": data,
        "layout": {
            **base_layout(),
            "height": 320,
            "margin": {"l": 10, "r": 10, "t": 10, "b": 10},
            "xaxis": category_axis(rounds),
            "yaxis": score_axis("Mean score (1 to 5)"),
            "legend": legend_below(),
        },
    }
