"""The board PDF's attainment bars: labels whole (on two lines if need be), the % and the
status clear of the bars and of the 100 % line."""

import re

from qms.core.svg_charts import attainment_bars
from tests.dashboard.test_charts import words_are_whole

LONG = "OBJ-14 Audit findings closed within 60 days of the audit report"


def test_labels_are_whole_words_on_at_most_two_lines_with_the_full_label_as_tooltip():
    svg = attainment_bars([(LONG, 75.0, "red"), ("OBJ-07 Supplier on-time delivery", 87, "red")])
    rows = re.findall(r"<g><title>(.*?)</title><text[^>]*>(.*?)</text>", svg)
    assert [title for title, _ in rows] == [LONG, "OBJ-07 Supplier on-time delivery"]
    first = re.findall(r"<tspan[^>]*>(.*?)</tspan>", rows[0][1])
    assert first == ["OBJ-14 Audit findings closed within 60 days of", "the audit report"]
    for title, text in rows:
        assert words_are_whole(text, title)


def test_status_is_written_in_its_own_column_right_of_every_bar():
    svg = attainment_bars([("OBJ-01 A", 150.0, "green"), ("OBJ-02 B", 90.0, "red")])
    bar_ends = [
        float(x) + float(w) for x, w in re.findall(r'<rect x="([\d.]+)"[^>]*width="([\d.]+)"', svg)
    ]
    statuses = re.findall(r'<text x="([\d.]+)"[^>]*text-anchor="end">(\d+% [a-z ]+)</text>', svg)
    assert [s for _, s in statuses] == ["150% on track", "90% off track"]
    # Right-aligned at the far edge: the longest text ("150% on track", about 60 px) still
    # starts after the longest bar.
    assert all(float(x) - 60 > max(bar_ends) for x, _ in statuses)


def test_the_scale_ticks_on_round_per_cents():
    svg = attainment_bars([("OBJ-01 A", 50.0, "amber")])
    assert re.findall(r">(\d+)%</text>", svg) == ["0", "50", "100", "150"]
