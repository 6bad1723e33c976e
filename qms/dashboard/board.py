"""The dashboard for the board: a PDF (a controlled copy, charts drawn as SVG) and its tables
as an XLSX workbook, for the same filters as the page."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

from objectives.templatetags.objectives_tags import kpi
from qms.core.actions.selectors import AGE_LABELS
from qms.core.svg_charts import (
    RAG_COLOURS,
    STATUS_WORDS,
    line_series,
    sparkline,
    stacked_columns,
)
from qms.dashboard import charts
from qms.dashboard.selectors import DashboardData
from qms.dashboard.tables import Cell, Panel, resource_tiles
from reviews.charts import objectives_attainment_svg

LATE = "Days held after the planned date"
AGE_COLOURS = ["#9cc3f0", "#5b95dc", "#2f6fde", "#173f86"]


def board_context(data: DashboardData, panels: dict[str, Panel], org_slug: str) -> dict:
    """Every panel of the page, for the same filters: nothing here depends on who asked."""
    rows = charts.objective_rows(data.objectives, org_slug)
    # One month axis for every sparkline of the table, from the first month any objective has
    # a value to the last: each point under its month.
    ends = [end for s in data.kpi_series for end, value, _ in s.points if value is not None]
    first, last = (min(ends), max(ends)) if ends else (None, None)
    trends = []
    for s in data.kpi_series:
        valued = [(end, value, status) for end, value, status in s.points if value is not None]
        latest = valued[-1] if valued else None
        trends.append(
            {
                "code": s.objective.code,
                "title": s.objective.title,
                "svg": sparkline(
                    [(value, status) for _, value, status in valued],
                    float(s.objective.target),
                    slots=[_months_between(first, end) for end, _, _ in valued],
                    of=_months_between(first, last) + 1 if first else None,
                ),
                "latest": latest,
                "latest_text": kpi(latest[1], s.objective) if latest else "",
                "latest_status": STATUS_WORDS.get(latest[2], "") if latest else "",
                # The others go on to a later month: say that this one has nothing since.
                "since": _nothing_since(latest[0], last) if latest else "",
            }
        )
    months = data.action_months
    month_labels = [f"{m.end:%b %y}" for m in months]
    svgs = {
        "reviews": stacked_columns(
            [r["reference"] for r in data.reviews],
            [(LATE, RAG_COLOURS["red"], [r["days_late"] or 0 for r in data.reviews])],
        ),
        "pulse-survey": line_series(
            data.survey_rounds,
            [(row.label, list(row.means)) for row in data.survey_trend],
            low=1,
            high=5,
        ),
        "action-closure": stacked_columns(
            month_labels,
            [
                ("Closed on time", RAG_COLOURS["green"], [m.closed_on_time for m in months]),
                ("Closed late", RAG_COLOURS["red"], [m.closed_late for m in months]),
            ],
        ),
        "open-actions": stacked_columns(
            month_labels,
            [
                (label, colour, [m.open_by_age.get(key, 0) for m in months])
                for (key, label), colour in zip(AGE_LABELS.items(), AGE_COLOURS, strict=False)
            ],
        ),
    }
    return {
        "data": data,
        "panels": panels,
        "resource_tiles": resource_tiles(data),
        "kpi": panels["kpi-trends"],
        "attainment_svg": objectives_attainment_svg(rows),
        "trends": trends,
        # The page's other panels, in its order: each with its chart where the PDF can draw one.
        "tables": [
            {"panel": panels[key], "svg": svgs.get(key, "")}
            for key in ("reviews", "action-closure", "open-actions", "resources", "pulse-survey")
            if key in panels
        ],
    }


def _months_between(first: datetime.date, end: datetime.date) -> int:
    return (end.year - first.year) * 12 + end.month - first.month


def _nothing_since(latest: datetime.date, last: datetime.date) -> str:
    """ "No value for Aug to Oct 2026" after a July value, when the table runs to October."""
    gap = _months_between(latest, last)
    if gap <= 0:
        return ""
    after = (latest.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)
    if gap == 1:
        return f"No value for {last:%b %Y}"
    start = f"{after:%b}" if after.year == last.year else f"{after:%b %Y}"
    return f"No value for {start} to {last:%b %Y}"


def _value(value):
    """What a workbook cell holds: numbers and dates as themselves, the rest as text."""
    if isinstance(value, Cell):
        return value.value if value.value is not None else value.text
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float | Decimal | datetime.date):
        return value
    return "" if value is None else str(value)


def _shown(value) -> str:
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value if value is not None else "")


def tables_xlsx(panels: dict[str, Panel]) -> bytes:
    """One sheet per table. Text stays text: a cell starting with "=" is never a formula."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    book.remove(book.active)
    for panel in panels.values():
        # "Objectives: attainment of target" -> "Objectives" (sheet names: 31 characters).
        sheet = book.create_sheet(panel.title.split(":")[0][:31].replace("/", "-"))
        sheet.append(panel.columns)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in panel.rows:
            sheet.append([_value(v) for v in row])
            for cell, source in zip(sheet[sheet.max_row], row, strict=False):
                if isinstance(cell.value, str):
                    cell.data_type = "s"  # openpyxl would store "=..." as a formula
                elif isinstance(source, Cell) and source.number_format:
                    cell.number_format = source.number_format
        sheet.freeze_panes = "A2"
        for column, title in zip(sheet.columns, panel.columns, strict=False):
            sheet.column_dimensions[column[0].column_letter].width = min(
                max(len(str(title)), *(len(_shown(c.value)) for c in column[:200])) + 2, 60
            )
        # Under the table, after an empty row: its period, scope and what is today's.
        if panel.notes:
            sheet.append([])
        for note in panel.notes:
            sheet.append([note])
            sheet.cell(sheet.max_row, 1).data_type = "s"
            sheet.cell(sheet.max_row, 1).font = Font(italic=True)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
