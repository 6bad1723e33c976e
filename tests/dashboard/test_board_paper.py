"""The demo's board PDF read as a board member reads it, at 100 %: everything inside the page,
each figure saying what it is (finding 17 of the issue-21 try-out)."""

import io
import re

import pytest
from django.urls import reverse
from pypdf import PdfReader

from qms.core import documents
from qms.core.svg_charts import sparkline
from qms.dashboard import views

pytestmark = pytest.mark.django_db

# The boxes of the running footer, which sits in the page's margin on purpose.
MARGIN_BOXES = ("MarginBox",)


@pytest.fixture
def demo_board(client, monkeypatch):
    """The executive's board PDF of the demo: its text, and its laid-out pages."""
    from tests.seeded import seeded_demo

    context = seeded_demo()
    laid_out = []

    def render(template, context, **kwargs):
        document = documents.render_document(template, context, **kwargs)
        laid_out.append(document)
        return document.write_pdf()

    monkeypatch.setattr(views, "render_pdf", render)
    client.force_login(context.members["executive"].user)
    response = client.get(reverse("dashboard:board-pdf", args=["acme"]))
    assert response.status_code == 200
    pages = PdfReader(io.BytesIO(response.content)).pages
    text = " ".join(" ".join(page.extract_text() for page in pages).split())
    return text, laid_out[0]


def _past_the_right_margin(document) -> list[str]:
    found = []
    for number, page in enumerate(document.pages, start=1):
        right = page.width - page._page_box.margin_right
        for box in page._page_box.descendants():
            if type(box).__name__ in MARGIN_BOXES or getattr(box, "width", None) is None:
                continue
            end = box.border_box_x() + box.border_width()
            if end > right + 0.5:
                found.append(f"page {number}: {type(box).__name__} {end - right:.0f} px over")
    return found


def test_nothing_in_the_board_pdf_runs_past_the_right_margin(demo_board):
    """The accountability matrix (twelve columns) ran 38 px past the margin of page 1."""
    text, document = demo_board
    assert "Accountability" in text and "Pending, in detail" in text
    assert _past_the_right_margin(document) == []


def test_the_board_pdf_says_what_its_figures_are(demo_board):
    text, _ = demo_board
    # A review not held yet is due on a date, not "0 days late".
    assert re.search(r"MR-007 \S+ Agenda prepared not yet held: due on \d+ \w{3} \d{4}", text)
    # The resources tile: each amount with what it is, no "0.50 / 0 FTE".
    assert "0.50 / 0" not in text
    assert re.search(r"0\.50 FTE approved", text)
    assert re.search(r"25,700 GBP approved, 12,600 spent", text)
    # OBJ-13's last value is from an earlier month than the others': it says so.
    assert re.search(
        r"OBJ-13 Energy use per part .{0,60}No value for \w{3}( \d{4})? to \w{3} \d{4}", text
    )


def test_a_sparkline_puts_each_value_under_its_month():
    """Two series on one month axis: one that stops three months early ends short of the
    other, and its line breaks at a missing month (it used to stretch to the same end)."""
    whole = sparkline([(1.0, "green")] * 4, 1.0, slots=[0, 1, 2, 3], of=4)
    early = sparkline([(1.0, "green")] * 2, 1.0, slots=[0, 2], of=4)
    ends = [max(float(x) for x in re.findall(r'cx="([\d.]+)"', svg)) for svg in (whole, early)]
    assert ends[1] < ends[0]
    assert early.count("<polyline") == 2  # a gap for the missing month
