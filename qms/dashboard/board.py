"""The dashboard for the board: a PDF (a controlled copy, charts drawn as SVG) and its tables
as an XLSX workbook, for the same filters as the page."""

from __future__ import annotations

import io

from qms.core.svg_charts import attainment_bars, sparkline
from qms.dashboard import charts
from qms.dashboard.selectors import DashboardData
from qms.dashboard.tables import Panel
from reviews.charts import attainment


def board_context(data: DashboardData, panels: dict[str, Panel], org_slug: str) -> dict:
    rows = charts.objective_rows(data.objectives, org_slug)
    bars = [
        (f"{r['code']} {r['title']}", attainment(r), r["status"])
        for r in rows
        if attainment(r) is not None
    ]
    trends = [
        {
            "code": s.objective.code,
            "title": s.objective.title,
            "svg": sparkline(
                [(value, status) for _, value, status in s.points if value is not None],
                float(s.objective.target),
            ),
            "latest": s.points[-1] if s.points else None,
        }
        for s in data.kpi_series
    ]
    return {
        "data": data,
        "panels": panels,
        "kpi": panels["kpi-trends"],
        "attainment_svg": attainment_bars(bars),
        "trends": trends,
        "tables": [panels[k] for k in ("reviews", "action-closure", "open-actions") if k in panels],
    }


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
            values = [v if isinstance(v, int | float) else str(v) for v in row]
            sheet.append(values)
            for cell in sheet[sheet.max_row]:
                if isinstance(cell.value, str):
                    cell.data_type = "s"  # openpyxl would store "=..." as a formula
        sheet.freeze_panes = "A2"
        for column, title in zip(sheet.columns, panel.columns, strict=False):
            sheet.column_dimensions[column[0].column_letter].width = min(
                max(len(str(title)), *(len(str(c.value or "")) for c in column[:200])) + 2, 60
            )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
