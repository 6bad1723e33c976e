"""Each dashboard chart as a panel: its figure, a sentence that says what it shows, and the
numbers behind it as a table (shown under the chart and downloadable as CSV)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from leadership.models.resources import amount_places, amount_text
from objectives.models import Rag
from objectives.templatetags.objectives_tags import kpi, singular_unit
from qms.core.actions.selectors import AGE_LABELS
from qms.core.prose import counted
from qms.core.spreadsheets import csv_text
from qms.dashboard import charts
from qms.dashboard.filters import CUSTOM
from qms.dashboard.selectors import OBJECTIVES_ON_PAGE, DashboardData
from reviews.charts import attainment, attainment_text
from reviews.models.management_reviews import ReviewStatus

STATUS_LABELS = dict(Rag.choices)
HEADLINE_WORDS = {
    Rag.GREEN: "on track",
    Rag.AMBER: "at risk",
    Rag.RED: "off track",
    Rag.NO_DATA: "without data",
}


@dataclass(frozen=True)
class Cell:
    """What a person reads (`text`, on the page and in the CSV), and for a number or a date the
    value itself with its spreadsheet format, so the workbook holds numbers and dates, not
    text that looks like them."""

    text: str
    url: str = ""
    value: int | float | Decimal | datetime.date | None = None
    number_format: str = ""

    def __str__(self) -> str:
        return self.text


def number_format(places: int, unit: str = "") -> str:
    """A spreadsheet number format with `places` decimals and the unit written after it."""
    fmt = "#,##0" + ("." + "0" * places if places > 0 else "")
    unit = unit.replace('"', "").strip()
    if unit == "%":
        return fmt + '"%"'
    if not unit:
        return fmt
    singular = singular_unit(unit)
    if places == 0 and singular != unit:
        # Exactly one reads in the singular in the workbook too ("1 item", not "1 items").
        return f'[=1]0 "{singular}";{fmt} "{unit}"'
    return fmt + f' "{unit}"'


def _figure(value, places: int = 1, text: str | None = None, unit: str = "") -> Cell | str:
    """A number shown with `places` decimals (or as `text`), kept a number in the workbook."""
    if value is None:
        return ""
    shown = text if text is not None else f"{value:.{places}f}"
    return Cell(shown, value=value, number_format=number_format(places, unit))


def _kpi(value, objective) -> Cell | str:
    """A value of an objective: its decimals and unit as people read them ("96.4%", "3 items"),
    a number in the workbook."""
    places, unit = objective.decimal_places, objective.unit
    return _figure(value, places, None if value is None else kpi(value, objective), unit)


def _day(day: datetime.date | None) -> Cell | str:
    """A date shown as ISO 8601 (sorts as text in a CSV), a date in the workbook."""
    if day is None:
        return ""
    return Cell(day.isoformat(), value=day, number_format="yyyy-mm-dd")


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
    # Written under the table in its CSV and workbook sheet: what period and scope it covers,
    # and which of its figures are today's whatever the period (see `export_notes`).
    notes: list[str] = field(default_factory=list)


def _change(delta: int, what: str, compared: str) -> str:
    """`compared` says which periods: "October 2026 vs September 2026"."""
    if delta == 0:
        return f"as many {what} as in the period before ({compared})"
    more = "more" if delta > 0 else "fewer"
    return f"{abs(delta)} {more} {what} than in the period before ({compared})"


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
    objectives = data.all_objectives() if full else data.objectives
    by_code = {o.code: o for o in objectives}
    rows = sorted(charts.objective_rows(objectives, org_slug), key=_furthest_first)
    total, red, amber = data.objectives_total, data.rag["red"], data.rag["amber"]
    summary = f"{red} of {total} active objectives are off track and {amber} at risk"
    if data.as_of:
        summary += f" as of {data.as_of:%-d %b %Y}, the end of the period"
    change = data.rag_change
    if change is not None:
        summary += f"; {_change(change['red'], 'off track', data.status_change.label)}"
    no_data = data.rag[Rag.NO_DATA]
    if no_data:
        # No bar for them, in this chart as in the review's and the board PDF's.
        summary += f"; {no_data} with no data (no value for the period now due), not drawn"
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
            f"Value on {data.as_of:%-d %b %Y}" if data.as_of else "Current value",
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
                _figure(
                    by_code[r["code"]].current_value,
                    by_code[r["code"]].decimal_places,
                    r["value_text"],
                    r["unit"],
                ),
                _figure(
                    by_code[r["code"]].target,
                    by_code[r["code"]].decimal_places,
                    r["target_text"],
                    r["unit"],
                ),
                _figure(attainment(r), 0, unit="%") or attainment_text(r),
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
        else f"the {len(series)} furthest from target in these filters, worst first"
    )
    summary = (
        f"Monthly values of {len(series)} objectives ({who}); "
        f"{latest_red} of them off track in their latest month."
        if series
        else "No objectives to show a trend for."
    )
    stopped = charts.series_stopped_early(series)
    if stopped:
        summary += (
            " "
            + "; ".join(
                f"{' and '.join([', '.join(codes[:-1]), codes[-1]] if len(codes) > 1 else codes)} "
                f"{'has' if len(codes) == 1 else 'have'} no values after "
                f"{last:%B %Y}"
                for last, codes in stopped.items()
            )
            + "."
        )
    if data.kpi_month_left_out is not None:
        summary += (
            f" {data.kpi_month_left_out:%B %Y} is left out until it ends: its values so far "
            "(a weekly KPI's first weeks) would read as the whole month."
        )
    return Panel(
        key="kpi-trends",
        title="KPI trends",
        summary=summary,
        columns=["Objective", "Month end", "Value", "Status", "Target"],
        rows=[
            [
                Cell(s.objective.code),
                _day(end),
                _kpi(value, s.objective),
                STATUS_LABELS.get(status, status),
                _kpi(s.objective.target, s.objective),
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
            f"{len(held) - len(late)} of the {counted(len(held), 'review')} held since "
            f"{reviews[0]['planned_on']:%b %Y} {'was' if len(held) == 1 else 'were'} on time"
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
                _day(r["planned_on"]),
                _day(r["held_on"]),
                ReviewStatus(r["status"]).label,
                (r["days_late"] or 0) if r["held_on"] else _not_held(r["planned_on"], data.today),
            ]
            for r in reviews
        ],
        figure=charts.review_compliance_figure(reviews) if reviews else None,
        label="Bar chart: days each management review was held after its planned date.",
    )


def _not_held(planned_on: datetime.date, today: datetime.date) -> str:
    """A review not held has no days late yet ("0" read as "on time"): when it is due."""
    if planned_on >= today:
        return f"not yet held: due on {planned_on:%-d %b %Y}"
    days = (today - planned_on).days
    return f"not held: {days} day{'s' if days != 1 else ''} past the planned date"


def action_closure_panel(data: DashboardData) -> Panel:
    months = data.action_months
    closed = sum(m.closed for m in months)
    on_time = sum(m.closed_on_time for m in months)
    rate = f"{round(100 * on_time / closed)}% on time" if closed else "none to rate"
    when = f"on {data.actions.as_of:%-d %b %Y}" if data.as_of else "now"
    summary = (
        f"{counted(closed, 'action')} closed from {months[0].start:%b %Y} to "
        f"{months[-1].end:%b %Y}, "
        f"{rate}; {data.actions.overdue_at_end} overdue {when} ({data.actions_scope_label})."
    )
    return Panel(
        key="action-closure",
        title="Actions closed per month",
        summary=summary,
        columns=["Month end", "Raised", "Closed", "Closed on time", "Closed late", "% on time"],
        rows=[
            [
                _day(m.end),
                m.raised,
                m.closed,
                m.closed_on_time,
                m.closed_late,
                _figure(100 * m.on_time_rate if m.on_time_rate is not None else None, 0),
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
        summary=f"{counted(last.open_at_end, 'action')} open on {last.as_of:%-d %b %Y}, "
        f"{old} of them older than 90 days ({data.actions_scope_label}).",
        columns=["Month end", *AGE_LABELS.values(), "Total open"],
        rows=[
            [_day(m.as_of), *(m.open_by_age.get(k, 0) for k in AGE_LABELS), m.open_at_end]
            for m in months
        ],
        figure=charts.open_actions_age_figure(months),
        label="Stacked bars: open actions at each month end by how long they have been open.",
    )


def _waiting(n: int) -> str:
    return f"{n} decision waits" if n == 1 else f"{n} decisions wait"


def _accountability_scope(data: DashboardData) -> str:
    """Whom the accountability table covers, said against the filters it does not follow."""
    scope = f"the whole of {data.organization.name}"
    if data.filters.executive is not None:
        scope = f"{data.filters.executive.display_name}, across {data.organization.name}"
    if data.filters.unit is not None:
        scope += f" (not only {data.filters.unit.name})"
    return scope + ", whatever the period"


def accountability_panel(data: DashboardData) -> Panel:
    records = data.executives
    overdue = sum(r.overdue_actions for r in records)
    off_track = sum(r.objectives["red"] for r in records)
    return Panel(
        key="accountability",
        title="Accountability",
        # Current state of the whole organisation: the unit and period filters do not reach it,
        # and it says so (try-out: read under "Sheffield, this quarter" as Sheffield's).
        summary=f"Today, for {_accountability_scope(data)}: "
        f"{counted(len(records), 'executive')} "
        f"{'answers' if len(records) == 1 else 'answer'} for "
        f"{counted(off_track, 'off-track objective')} and {counted(overdue, 'overdue action')}; "
        f"{_waiting(sum(r.pending_total for r in records))} for a named executive. Approvals, "
        "decisions and reviews attended are counted to date.",
        columns=[
            "Executive",
            "On track",
            "At risk",
            "Off track",
            "No data",
            "Open actions",
            "Overdue actions",
            "Policy approvals to date",
            "Resource decisions to date",
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
            f"{len(rounds)} round{'s' if len(rounds) != 1 else ''}: {trend} (closed rounds). "
            "A unit where fewer than six answered is counted in the unit above it (named "
            "beside it) and shows no figure of its own."
        )
    else:
        summary = "No closed pulse survey round with enough respondents in this period."
    return Panel(
        key="pulse-survey",
        title="Staff pulse survey",
        summary=summary,
        columns=["Group", *rounds],
        # One decimal, as the sentence above and the results page write a mean.
        rows=[
            [row.full_label, *(_figure(m, 1) if m is not None else "—" for m in row.means)]
            for row in rows
        ],
        figure=charts.survey_trend_figure(rounds, rows) if rows else None,
        label="Line chart: mean survey score per group across rounds; gaps where a group had "
        "fewer than six respondents.",
    )


_places = amount_places  # one rule for writing amounts, the resources pages' own


def _amount(value: Decimal, places: int) -> Cell:
    return Cell(f"{value:,.{places}f}", value=value, number_format=number_format(places))


def resource_tiles(data: DashboardData) -> list[dict]:
    """The resources tile (page and board PDF), one line per unit of measure: what was
    approved, and what was spent where anything was ("0.50 FTE approved", not "0.50 / 0"
    under a heading that the reader had to match the numbers to)."""
    lines = []
    for r in data.resources:
        places = _places(r["requested"], r["approved"], r["spent"])
        lines.append(
            {
                "approved": f"{r['approved']:,.{places}f}",
                "unit": r["unit"],
                "spent": f"{r['spent']:,.{places}f} spent" if r["spent"] else "",
            }
        )
    return lines


def headline_panel(data: DashboardData) -> Panel:
    """The tiles at the top of the page, as rows: each figure, its value and what it counts."""
    status_on = f"{data.status_date:%-d %b %Y}"
    rows: list[list] = [
        [f"Objectives {words}", data.rag[key], f"active objectives, status on {status_on}"]
        for key, words in HEADLINE_WORDS.items()
    ]
    rows.append(
        [
            "Overdue actions",
            data.actions.overdue_at_end,
            f"of {data.actions.open_at_end} open on {data.actions.as_of:%-d %b %Y}"
            f"{', the end of the period' if data.as_of else ''} ({data.actions_scope_label})",
        ]
    )
    if not data.limited_to_unit:
        review = data.next_review
        rows.append(
            [
                "Next management review",
                _day(review.planned_on) if review else "",
                f"{review.reference}, planned (today's plan, whatever the period)"
                if review
                else "none planned today",
            ]
        )
    rate = data.policy_rate
    rows.append(
        [
            "Policy acknowledged (%)",
            rate.percent if rate else "",
            f"{rate.acknowledged} of {rate.members} staff, today" if rate else "no policy yet",
        ]
    )
    return Panel(
        key="headline",
        title="Headline figures",
        summary=f"The figures at the top of the dashboard; objectives' status on {status_on}.",
        columns=["Figure", "Value", "What it counts"],
        rows=rows,
    )


def _first_up(text: str) -> str:
    return text[:1].upper() + text[1:]


def resources_sentence(row: dict) -> str:
    """One unit of measure's totals as a person says them: "25,700 GBP approved of 60,700
    requested, 12,600 of it spent", "0.50 FTE approved, all that was requested, none of it
    spent yet" (it read "0.50 of 0.50 FTE approved, 0.00 spent")."""
    places = _places(row["requested"], row["approved"], row["spent"])
    requested, approved, spent = (
        amount_text(row[k], places) for k in ("requested", "approved", "spent")
    )
    unit = row["unit"]
    if not row["approved"]:
        return f"none of {requested} {unit} requested approved yet"
    asked = (
        "(all that was requested)"
        if row["approved"] == row["requested"]
        else f"of {requested} requested"
    )
    used = f"{spent} of it spent" if row["spent"] else "none of it spent yet"
    return f"{approved} {unit} approved {asked}, {used}"


def resources_panel(data: DashboardData) -> Panel:
    rows = data.resources
    cells = []
    for r in rows:
        places = _places(r["requested"], r["approved"], r["spent"])
        cells.append([_amount(r[k], places) for k in ("requested", "approved", "spent")])
    summary = (
        _first_up("; ".join(resources_sentence(r) for r in rows))
        + " (allocations active in the period)."
        if rows
        else "No resource allocation is active in this period."
    )
    return Panel(
        key="resources",
        title="Resources: requested, approved and spent",
        summary=summary,
        columns=["Unit of measure", "Requested", "Approved", "Spent"],
        rows=[[r["unit"], *amounts] for r, amounts in zip(rows, cells, strict=True)],
    )


def panels(data: DashboardData, org_slug: str, *, full: bool = False) -> dict[str, Panel]:
    """Every panel of the page, the headline tiles and resources included; `full` for the CSVs
    and the workbook (all rows, not only those shown)."""
    organisation_wide = (reviews_panel, accountability_panel, survey_panel)
    builders = [
        headline_panel,
        objectives_panel,
        kpi_panel,
        reviews_panel,
        action_closure_panel,
        open_actions_panel,
        accountability_panel,
        resources_panel,
        survey_panel,
    ]
    built = [
        build(data, org_slug, full=full) if build is objectives_panel else build(data)
        for build in builders
        # An auditor limited to a unit: the organisation-wide panels are left out.
        if not (data.limited_to_unit and build in organisation_wide)
    ]
    for panel in built:
        panel.notes = export_notes(panel.key, data)
    return {p.key: p for p in built}


# Per table, what it shows as it is today whatever the period chosen (a past period's figures
# are as of its end everywhere else). Read with the day: "… are today's (3 Dec 2026)".
CURRENT_STATE = {
    "headline": "The next management review and the policy acknowledgement rate",
    "objectives": "Unit, accountable executive and target",
    "reviews": "Each review's status, and the days past the planned date of one not held",
    "accountability": "Every column (objectives by their current status, actions open and "
    "overdue now, decisions taken to date and waiting now)",
    "resources": "Approved (each allocation's decision) and spent (all spend recorded so far)",
}


def export_notes(key: str, data: DashboardData) -> list[str]:
    """What an exported table covers, in sentences: the period and scope, the day its figures
    are as of, and which figures are current-state (today's) rather than the period's."""
    filters, today = data.filters, f"{data.today:%-d %b %Y}"
    scope = f"{filters.unit.name} and below" if filters.unit else data.organization.name
    if filters.executive is not None:
        scope += f", objectives and actions {filters.executive.display_name} is accountable for"
    period = filters.period
    named = f" ({period.label})" if period.key != CUSTOM else ""
    notes = [
        f"Period: {period.start:%-d %b %Y} to {period.end:%-d %b %Y}{named}. Scope: {scope}. "
        f"Exported on {today}."
    ]
    if data.as_of is None:
        notes.append(f"The period has not ended: figures are as of today, {today}.")
        return notes
    ended = f"The period ended on {data.as_of:%-d %b %Y}: figures are as of that day"
    if key not in CURRENT_STATE:
        return [*notes, ended + "."]
    return [
        *notes,
        ended + ", except where said below.",
        f"{CURRENT_STATE[key]}: today's figures ({today}), whatever the period.",
    ]


def as_csv(panel: Panel) -> str:
    """The columns, one line per row, then (after an empty line) the table's notes."""
    notes = [[], *([note] for note in panel.notes)] if panel.notes else []
    return csv_text([panel.columns, *panel.rows, *notes])
