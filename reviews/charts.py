"""Plotly figures of the management review, built from its frozen inputs (plain JSON), so a
chart shows what top management saw at the meeting."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from objectives.attainment import CAP

RAG_COLOURS = {"green": "#1e7b45", "amber": "#a15c00", "red": "#b3261e", "no_data": "#8a94a3"}
RAG_SYMBOLS = {"green": "●", "amber": "▲", "red": "■", "no_data": "○"}


def attainment(row: dict) -> float | None:
    """How far the latest value is towards the target, in % (100 = on target), by direction."""
    try:
        value, target = Decimal(row["value"]), Decimal(row["target"])
    except (InvalidOperation, TypeError, KeyError):
        return None
    if row.get("direction") == "lower":
        ratio = target / value if value else Decimal(CAP) / 100
    elif row.get("direction") == "band":
        ratio = 1 - abs(value - target) / abs(target) if target else Decimal(0)
    else:
        ratio = value / target if target else Decimal(0)
    return float(min(max(ratio * 100, Decimal(0)), Decimal(CAP)))


def objectives_attainment_figure(rows: list[dict]) -> dict:
    """One horizontal bar per objective: attainment of its target, coloured and labelled by
    status (the status is written at the end of each bar, not shown by colour alone)."""
    shown = [r for r in rows if attainment(r) is not None]
    labels = [f"{r['code']} {r['title'][:40]}" for r in shown]
    return {
        "data": [
            {
                "type": "bar",
                "orientation": "h",
                "y": labels,
                "x": [round(attainment(r), 1) for r in shown],
                "marker": {"color": [RAG_COLOURS.get(r["status"], "#8a94a3") for r in shown]},
                "text": [f"{RAG_SYMBOLS.get(r['status'], '')} {r['status_label']}" for r in shown],
                "textposition": "outside",
                "cliponaxis": False,
                "hovertemplate": "%{y}: %{x:.0f}% of target<extra></extra>",
            }
        ],
        "layout": {
            "height": max(220, 28 * len(shown) + 80),
            "margin": {"l": 260, "r": 110, "t": 10, "b": 40},
            "xaxis": {"title": {"text": "% of target attained"}, "range": [0, CAP + 10]},
            "yaxis": {"autorange": "reversed", "automargin": True},
            "shapes": [
                {
                    "type": "line",
                    "x0": 100,
                    "x1": 100,
                    "yref": "paper",
                    "y0": 0,
                    "y1": 1,
                    "line": {"dash": "dot", "color": "#14233c"},
                }
            ],
            "showlegend": False,
            "paper_bgcolor": "rgba(0,0,0,0)",
            "plot_bgcolor": "rgba(0,0,0,0)",
            "font": {"family": "system-ui, sans-serif", "size": 12},
        },
    }
