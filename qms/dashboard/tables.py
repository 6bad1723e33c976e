"""Each dashboard chart as a panel: its figure, a sentence that says what it shows, and the
numbers behind it as a table (shown under the chart and downloadable as CSV)."""

from __future__ import annotations

from dataclasses import dataclass

from qms.core.actions.selectors import AGE_LABELS
from qms.core.spreadsheets import csv_text
from qms.dashboard import charts
from qms.dashboard.selectors import OBJECTIVES_ON_PAGE, DashboardData
from reviews.charts import attainment


@dataclass(frozen=True)
class Cell:
    text: str
    url: str = ""

    def __str__(self) -> str:
        return self.text


@dataclass
class Panel:
    key: str  # also the CSV's name: /dashboard/<key>.csv
    title: str
    summary: str
    columns: list[str]
    rows: list[list]
    figure: dict | None = None
    label: str = ""  # the chart's accessible name
    hidden: int = 0  # rows left out of the page (in the CSV only)


def _number(value: float | None, places: int = 1) -> str:
    return "" if value is None else f"{value:.{places}f}"


def _change(delta: int, what: str) -> str:
    if delta == 0:
        return f"as many {what} as a month ago"
    return f"{abs(delta)} {'more' if delta > 0 else 'fewer'} {what} than a month ago"


def _furthest_first(row: dict) -> tuple:
    """Off track first, then at risk, no data, on track; within each, furthest from target.
    (The database sorted them the same way to choose which to load; this keeps the order of
    the rows drawn identical to the bars.)"""
    order = {"red": 0, "amber": 1, "no_data": 2, "green": 3}.get(row["status"], 9)
    value = attainment(row)
    return (order, value if value is not None else 1000.0, row["code"])


def objectives_panel(data: DashboardData, org_slug: str, *, full: bool = False) -> Panel:
    """The attainment chart and its table. On the page, the OBJECTIVES_ON_PAGE furthest from
    target; with `full` (the CSV), every objective in the filters."""
    objectives = list(data.objectives_query) if full else data.objectives
    rows = sorted(charts.objective_rows(objectives, org_slug), key=_furthest_first)
    total, red, amber = data.objectives_total, data.rag["red"], data.rag["amber"]
    summary = f"{red} of {total} active objectives are off track and {amber} at risk"
    change = data.rag_change
    if change is not None:
        summary += f"; {_change(change['red'], 'off track')}"
    if data.objectives_without_value:
        summary += f"; {data.objectives_without_value} without a value yet (not drawn)"
    if total > OBJECTIVES_ON_PAGE:
        summary += (
            f". The chart shows the {OBJECTIVES_ON_PAGE} furthest from target; the CSV has all"
            f" {total}"
        )
    return Panel(
        key="objectives",
        title="Objectives: attainment of target",
        summary=summary + ".",
        columns=[
            "Code",
            "Objective",
            "Unit",
            "Accountable executive",
            "Status",
            "Current value",
            "Target",
            "% of target",
        ],
        rows=[
            [
                Cell(r["code"], r["url"]),
                r["title"],
                r["unit_name"],
                r["executive"],
                r["status_label"],
                r["value_text"],
                r["target_text"],
                _number(attainment(r), 0),
            ]
            for r in rows
        ],
        figure=charts.attainment_figure(rows[:OBJECTIVES_ON_PAGE]) if rows else None,
        hidden=max(total - OBJECTIVES_ON_PAGE, 0),
        label="Bar chart: each active objective's attainment of its target in per cent, with "
        "its status written at the end of the bar.",
    )


def kpi_panel(data: DashboardData) -> Panel:
    series = data.kpi_series
    latest_red = sum(1 for s in series if s.points and s.points[-1][2] == "red")
    who = (
        f"those {data.filters.executive.display_name} is accountable for"
        if data.filters.executive
        else "those chosen"
        if data.filters.objective_codes
        else "worst first"
    )
    summary = (
        f"Monthly values of {len(series)} objectives ({who}); "
        f"{latest_red} of them off track in their latest month."
        if series
        else "No objectives to show a trend for."
    )
    return Panel(
        key="kpi-trends",
        title="KPI trends",
        summary=summary,
        columns=["Objective", "Month end", "Value", "Status", "Target"],
        rows=[
            [
                Cell(s.objective.code),
                end.isoformat(),
                "" if value is None else f"{value:.{s.objective.decimal_places}f}",
                status.replace("_", " "),
                f"{s.objective.target.normalize():f}",
            ]
            for s in series
            for end, value, status in s.points
        ],
        figure=charts.kpi_multiples_figure(series) if series else None,
        label="Small line charts, one per objective: monthly values against the target line; "
        "each point's marker shape gives its status.",
    )


def reviews_panel(data: DashboardData) -> Panel:
    reviews = data.reviews
    held = [r for r in reviews if r["held_on"]]
    late = [r for r in held if r["days_late"]]
    due_not_held = [r for r in reviews if not r["held_on"] and r["planned_on"] < data.today]
    if reviews:
        summary = (
            f"{len(held) - len(late)} of {len(held)} reviews held since "
            f"{reviews[0]['planned_on']:%b %Y} were on time"
        )
        if late:
            summary += f"; {len(late)} late, by up to {max(r['days_late'] for r in late)} days"
        if due_not_held:
            summary += f"; {len(due_not_held)} past the planned date and not held"
        summary += "."
    else:
        summary = "No management review was planned in this period."
    return Panel(
        key="reviews",
        title="Management reviews: planned vs held",
        summary=summary,
        columns=["Review", "Planned on", "Held on", "Status", "Days late"],
        rows=[
            [
                r["reference"],
                r["planned_on"].isoformat(),
                r["held_on"].isoformat() if r["held_on"] else "",
                r["status"].replace("_", " "),
                r["days_late"] or 0,
            ]
            for r in reviews
        ],
        figure=charts.review_compliance_figure(reviews) if reviews else None,
        label="Bar chart: days each management review was held after its planned date.",
    )


def action_closure_panel(data: DashboardData) -> Panel:
    months = data.action_months
    closed = sum(m.closed for m in months)
    on_time = sum(m.closed_on_time for m in months)
    rate = f"{round(100 * on_time / closed)}% on time" if closed else "none to rate"
    summary = (
        f"{closed} actions closed from {months[0].start:%b %Y} to {months[-1].end:%b %Y}, "
        f"{rate}; {data.actions.overdue_at_end} overdue now ({data.actions_scope_label})."
    )
    return Panel(
        key="action-closure",
        title="Actions closed per month",
        summary=summary,
        columns=["Month end", "Raised", "Closed", "Closed on time", "Closed late", "% on time"],
        rows=[
            [
                m.end.isoformat(),
                m.raised,
                m.closed,
                m.closed_on_time,
                m.closed_late,
                _number(100 * m.on_time_rate if m.on_time_rate is not None else None, 0),
            ]
            for m in months
        ],
        figure=charts.action_closure_figure(months),
        label="Stacked bars: actions closed each month on time and late, with the on-time "
        "rate as a dotted line.",
    )


def open_actions_panel(data: DashboardData) -> Panel:
    months = data.action_months
    last = months[-1]
    old = last.open_by_age.get("over-90", 0)
    return Panel(
        key="open-actions",
        title="Open actions by age",
        summary=f"{last.open_at_end} actions open on {last.as_of:%-d %b %Y}, "
        f"{old} of them older than 90 days ({data.actions_scope_label}).",
        columns=["Month end", *AGE_LABELS.values(), "Total open"],
        rows=[
            [m.as_of.isoformat(), *(m.open_by_age.get(k, 0) for k in AGE_LABELS), m.open_at_end]
            for m in months
        ],
        figure=charts.open_actions_age_figure(months),
        label="Stacked bars: open actions at each month end by how long they have been open.",
    )


def _waiting(n: int) -> str:
    return f"{n} decision waits" if n == 1 else f"{n} decisions wait"


def accountability_panel(data: DashboardData) -> Panel:
    records = data.executives
    overdue = sum(r.overdue_actions for r in records)
    off_track = sum(r.objectives["red"] for r in records)
    return Panel(
        key="accountability",
        title="Accountability",
        summary=f"{len(records)} executives answer for {off_track} off-track objectives and "
        f"{overdue} overdue actions; {_waiting(sum(r.pending_total for r in records))} for a "
        "named executive.",
        columns=[
            "Executive",
            "On track",
            "At risk",
            "Off track",
            "No data",
            "Open actions",
            "Overdue actions",
            "Policy approvals",
            "Resource decisions",
            *data.extra_labels,
            "Approvals pending",
            "Pending, in detail",
        ],
        rows=[
            [
                Cell(r.executive.display_name),
                r.objectives["green"],
                r.objectives["amber"],
                r.objectives["red"],
                r.objectives["no_data"],
                r.open_actions,
                r.overdue_actions,
                r.policy_approvals,
                r.resource_decisions,
                *(value for _, value in r.extra),
                r.pending_total,
                r.pending_text,
            ]
            for r in records
        ],
    )


def survey_panel(data: DashboardData) -> Panel:
    rows, rounds = data.survey_trend, data.survey_rounds
    if rows:
        shown = [m for m in rows[0].means if m is not None]
        trend = (
            f"mean {shown[0]:.1f} to {shown[-1]:.1f} out of 5" if len(shown) > 1
            else f"mean {shown[0]:.1f} out of 5" if shown else "no organisation-wide figure"
        )  # fmt: skip
        summary = (
            f"{len(rounds)} round{'s' if len(rounds) != 1 else ''}: {trend} (closed rounds; "
            "groups under six folded)."
        )
    else:
        summary = "No closed pulse survey round with enough respondents in this period."
    return Panel(
        key="pulse-survey",
        title="Staff pulse survey",
        summary=summary,
        columns=["Group", *rounds],
        rows=[[row.label, *("" if m is None else round(m, 2) for m in row.means)] for row in rows],
        figure=charts.survey_trend_figure(rounds, rows) if rows else None,
        label="Line chart: mean survey score per group across rounds; gaps where a group had "
        "fewer than six respondents.",
    )


def panels(data: DashboardData, org_slug: str, *, full: bool = False) -> dict[str, Panel]:
    """Every panel of the page; `full` for the CSVs (all rows, not only those shown)."""
    organisation_wide = (reviews_panel, accountability_panel, survey_panel)
    builders = [
        objectives_panel,
        kpi_panel,
        reviews_panel,
        action_closure_panel,
        open_actions_panel,
        accountability_panel,
        survey_panel,
    ]
    built = [
        build(data, org_slug, full=full) if build is objectives_panel else build(data)
        for build in builders
        # An auditor limited to a unit: the organisation-wide panels are left out.
        if not (data.limited_to_unit and build in organisation_wide)
    ]
    return {p.key: p for p in built}


def as_csv(panel: Panel) -> str:
    return csv_text([panel.columns, *panel.rows])
