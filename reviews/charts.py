"""Plotly figures of the management review, built from its frozen inputs (plain JSON), so a
chart shows what top management saw at the meeting."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from objectives.attainment import CAP
from qms.core.chart_layout import base_layout, plain, wrap_label
from qms.core.svg_charts import attainment_bars

RAG_COLOURS = {"green": "#1e7b45", "amber": "#a15c00", "red": "#b3261e", "no_data": "#8a94a3"}
RAG_SYMBOLS = {"green": "●", "amber": "▲", "red": "■", "no_data": "○"}
INSIDE_FROM = 40  # % of target: a bar at least this long holds its status inside


def _value_and_target(row: dict) -> tuple[Decimal, Decimal] | None:
    try:
        return Decimal(row["value"]), Decimal(row["target"])
    except (InvalidOperation, TypeError, KeyError):
        return None


def _meets_zero_target(direction: str | None, value: Decimal) -> bool:
    if direction == "lower":
        return value <= 0
    if direction == "band":
        return value == 0
    return value >= 0


def attainment(row: dict) -> float | None:
    """How far the latest value is towards the target, in % (100 = on target), by direction.
    None (no bar, "no data") when the objective has no current value: none yet, or its latest
    value is older than the period now due, which says nothing about where it stands. A target
    of 0 ("0 lost-time accidents") has no percentages: met is 100 %, and a value short of it is
    None too, said as a value against the target instead (`zero_target_missed`)."""
    if row.get("status") == "no_data":
        return None
    pair = _value_and_target(row)
    if pair is None:
        return None
    value, target = pair
    if not target:
        return 100.0 if _meets_zero_target(row.get("direction"), value) else None
    if row.get("direction") == "lower":
        ratio = target / value if value else Decimal(CAP) / 100
    elif row.get("direction") == "band":
        ratio = 1 - abs(value - target) / abs(target)
    else:
        ratio = value / target
    return float(min(max(ratio * 100, Decimal(0)), Decimal(CAP)))


def zero_target_missed(row: dict) -> bool:
    """A current value short of a target of 0: no percentage can say how far it is."""
    if row.get("status") == "no_data":
        return False
    pair = _value_and_target(row)
    return pair is not None and not pair[1] and attainment(row) is None


def _plain_number(text: str) -> str:
    return f"{Decimal(text).normalize():f}" if text else ""


def _value_and_target_texts(row: dict) -> tuple[str, str]:
    """The value and target as the pages write them (rows frozen before they carried their
    texts: the bare numbers)."""
    value = row.get("value_text") or _plain_number(row.get("value", ""))
    target = row.get("target_text") or _plain_number(row.get("target", ""))
    return value, target


def value_against_target(row: dict) -> str:
    """ "2 items against a target of 0 items"."""
    value, target = _value_and_target_texts(row)
    return f"{value} against a target of {target}"


def _value_over_target(row: dict) -> str:
    """On a phone, the same on two short lines: "2 items" over "(target 0 items)" (on one line
    it ran past the chart's edge)."""
    value, target = _value_and_target_texts(row)
    return f"{value}<br>(target {target})"


def attainment_text(row: dict) -> str:
    """The "% of target" a table shows: "87%", the value against a zero target, or "no data"."""
    value = attainment(row)
    if value is not None:
        return f"{value:.0f}%"
    return value_against_target(row) if zero_target_missed(row) else "no data"


def charted(rows: list[dict]) -> list[dict]:
    """The rows an attainment chart draws, in order: those with a percentage, and those short
    of a zero target (a row without a bar, saying their value against the target)."""
    return [r for r in rows if attainment(r) is not None or zero_target_missed(r)]


def objectives_attainment_figure(rows: list[dict]) -> dict:
    """One horizontal bar per objective: attainment of its target, coloured and labelled by
    status (the status is written at the end of each bar, not shown by colour alone). Long
    titles wrap at word boundaries; the whole title is in the hover and the table."""
    shown = charted(rows)
    names = [f"{r['code']} {r['title']}" for r in shown]
    codes = [r["code"] for r in shown]
    values = [round(attainment(r) or 0.0, 1) for r in shown]
    status_texts = [f"{RAG_SYMBOLS.get(r['status'], '')} {r['status_label']}" for r in shown]
    # A zero target missed has no bar: its value against the target is written instead.
    texts = [
        f"{text}: {value_against_target(r)}" if zero_target_missed(r) else text
        for text, r in zip(status_texts, shown, strict=True)
    ]
    figures = [
        value_against_target(r) if zero_target_missed(r) else f"{attainment(r):.0f}% of target"
        for r in shown
    ]
    row_px = 34  # two lines of a wrapped label
    # On a phone, names in lines of 18 characters, as many as the longest needs (up to five):
    # cut after two lines, most read "OBJ-14 Audit findings closed…" (issue 21).
    narrow_names = [wrap_label(name, 18, lines=5) for name in names]
    narrow_lines = max((n.count("<br>") + 1 for n in narrow_names), default=2)
    narrow_row_px = max(row_px, 14 * narrow_lines + 8)
    return {
        "data": [
            {
                "type": "bar",
                "orientation": "h",
                "y": codes,
                "x": values,
                "hovertext": [
                    f"{plain(name)}<br>{status}<br>{figure}"
                    for name, status, figure in zip(names, status_texts, figures, strict=True)
                ],
                "marker": {"color": [RAG_COLOURS.get(r["status"], "#8a94a3") for r in shown]},
                "text": texts,
                # Inside the end of a bar long enough to hold it (clear of the 100 % line),
                # after a shorter one; never left out.
                "textposition": ["inside" if x >= INSIDE_FROM else "outside" for x in values],
                "insidetextanchor": "end",
                "constraintext": "none",
                "cliponaxis": False,
                "hovertemplate": "%{hovertext}<extra></extra>",
            }
        ],
        "layout": {
            **base_layout(),
            "height": max(220, row_px * len(shown) + 70),
            "margin": {"l": 10, "r": 90, "t": 10, "b": 40},
            "bargap": 0.3,
            "xaxis": {
                "title": {"text": "% of target attained"},
                "range": [0, CAP + 10],
                "tickmode": "array",
                "tickvals": [0, 50, 100, 150],
                "ticktext": ["0%", "50%", "100%", "150%"],
                "fixedrange": True,
            },
            "yaxis": {
                "autorange": "reversed",
                "automargin": True,
                "type": "category",
                "tickmode": "array",
                "tickvals": codes,
                "ticktext": [wrap_label(name, 50) for name in names],
                "fixedrange": True,
            },
            "shapes": [
                {
                    "type": "line",
                    "x0": 100,
                    "x1": 100,
                    "yref": "paper",
                    "y0": 0,
                    "y1": 1,
                    "line": {"dash": "dot", "color": "#14233c"},
                    "layer": "below",
                }
            ],
            "showlegend": False,
        },
        # On a phone: shorter lines, so the bars keep most of the width, and the status as
        # its symbol after the bar (in words in the hover and the table).
        "narrow": {
            "yaxis.ticktext": narrow_names,
            "height": max(220, narrow_row_px * len(shown) + 70),
            "data.0.text": [
                f"{RAG_SYMBOLS.get(r['status'], '')} {_value_over_target(r)}"
                if zero_target_missed(r)
                else RAG_SYMBOLS.get(r["status"], "")
                for r in shown
            ],
            "data.0.textposition": "outside",
            "margin.r": 24,
            "font.size": 11,
        },
    }


def objectives_attainment_svg(rows: list[dict]) -> str:
    """The same bars for paper (the board PDF, the review's minutes as PDF and printed), drawn
    as SVG on the server: one bar per objective with a value, its % and status in words."""
    # A zero target missed is a row without a bar that says its value against the target.
    return attainment_bars(
        [
            (
                f"{r['code']} {r['title']}",
                attainment(r),
                r["status"],
                value_against_target(r) if zero_target_missed(r) else "",
            )
            for r in charted(rows)
        ]
    )
