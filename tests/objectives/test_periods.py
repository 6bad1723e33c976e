"""Period ends per frequency."""

import datetime

import pytest

from objectives import periods

D = datetime.date


@pytest.mark.parametrize(
    ("frequency", "day", "end"),
    [
        ("monthly", D(2024, 2, 10), D(2024, 2, 29)),
        ("monthly", D(2025, 12, 31), D(2025, 12, 31)),
        ("quarterly", D(2025, 5, 1), D(2025, 6, 30)),
        ("quarterly", D(2025, 10, 1), D(2025, 12, 31)),
        ("weekly", D(2026, 11, 23), D(2026, 11, 29)),  # a Monday → that Sunday
        ("weekly", D(2026, 11, 29), D(2026, 11, 29)),
    ],
)
def test_period_end(frequency, day, end):
    assert periods.period_end(frequency, day) == end


def test_previous_and_next_period_ends():
    assert periods.previous_period_end("monthly", D(2025, 3, 31)) == D(2025, 2, 28)
    assert periods.previous_period_end("quarterly", D(2025, 3, 31)) == D(2024, 12, 31)
    assert periods.previous_period_end("weekly", D(2026, 11, 29)) == D(2026, 11, 22)
    assert periods.next_period_end("monthly", D(2025, 1, 31)) == D(2025, 2, 28)


def test_latest_due_period_counts_the_grace_days():
    # October's value is due by 10 November.
    assert periods.latest_due_period_end("monthly", 10, D(2026, 11, 9)) == D(2026, 9, 30)
    assert periods.latest_due_period_end("monthly", 10, D(2026, 11, 10)) == D(2026, 10, 31)


def test_describe_periods_as_people_say_them():
    assert periods.describe("monthly", D(2026, 3, 31)) == "March 2026"
    assert periods.describe("quarterly", D(2026, 6, 30)) == "Q2 2026"
    assert periods.describe("weekly", D(2026, 4, 5)) == "week ending 5 Apr 2026"
