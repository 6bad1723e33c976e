"""Reporting periods: each frequency's period ends on a fixed kind of day.

weekly → Sunday (end of the ISO week); monthly → last day of the month; quarterly → last day of
March, June, September or December. A value is always stored against its period's end.
"""

from __future__ import annotations

import calendar
import datetime

from objectives.models import Frequency, Granularity


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` later (or earlier, when negative), or that month's last day
    (31 Jan + 1 month = 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def month_end(day: datetime.date) -> datetime.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def quarter_end(day: datetime.date) -> datetime.date:
    last_month = ((day.month - 1) // 3 + 1) * 3
    return month_end(day.replace(month=last_month, day=1))


def year_end(day: datetime.date) -> datetime.date:
    return datetime.date(day.year, 12, 31)


def week_end(day: datetime.date) -> datetime.date:
    return day + datetime.timedelta(days=6 - day.weekday())


_PERIOD_END = {
    Frequency.WEEKLY: week_end,
    Frequency.MONTHLY: month_end,
    Frequency.QUARTERLY: quarter_end,
}
_GRANULARITY_END = {
    Granularity.MONTH: month_end,
    Granularity.QUARTER: quarter_end,
    Granularity.YEAR: year_end,
}


def period_end(frequency: str, day: datetime.date) -> datetime.date:
    """The end of the period of `frequency` that contains `day`."""
    return _PERIOD_END[frequency](day)


def granularity_end(granularity: str, day: datetime.date) -> datetime.date:
    return _GRANULARITY_END[granularity](day)


def is_period_end(frequency: str, day: datetime.date) -> bool:
    return period_end(frequency, day) == day


def previous_period_end(frequency: str, end: datetime.date) -> datetime.date:
    """The end of the period before the one ending on `end`."""
    if frequency == Frequency.WEEKLY:
        return end - datetime.timedelta(days=7)
    first_of_period = end.replace(day=1)
    if frequency == Frequency.QUARTERLY:
        first_of_period = first_of_period.replace(month=end.month - 2)
    return period_end(frequency, first_of_period - datetime.timedelta(days=1))


def next_period_end(frequency: str, end: datetime.date) -> datetime.date:
    return period_end(frequency, end + datetime.timedelta(days=1))


def latest_due_period_end(
    frequency: str, data_due_days: int, today: datetime.date
) -> datetime.date:
    """The most recent period whose value is due by `today` (its end + `data_due_days` ≤ today)."""
    end = period_end(frequency, today)
    while end + datetime.timedelta(days=data_due_days) > today:
        end = previous_period_end(frequency, end)
    return end


def describe(frequency: str, end: datetime.date) -> str:
    """A period as people say it: "March 2026", "Q1 2026", "week ending 5 Apr 2026"."""
    if frequency == Frequency.MONTHLY:
        return end.strftime("%B %Y")
    if frequency == Frequency.QUARTERLY:
        return f"Q{(end.month - 1) // 3 + 1} {end.year}"
    return f"week ending {end.day} {end.strftime('%b %Y')}"
