"""Minutes written in Markdown read as formatted text on the review page, the printable
minutes and the signed PDF, never as literal "##"; HTML typed into them never runs."""

import io
import re

import pytest
from django.urls import reverse
from pypdf import PdfReader

from reviews.services import management_reviews as s
from tests.reviews.test_management_reviews import _held

pytestmark = pytest.mark.django_db

MINUTES = (
    "## Customer complaints\n\nThe board agreed the **complaint backlog** comes first.\n\n"
    "- Second supplier qualified\n- Training plan restated\n\n"
    '<script>alert("minutes")</script><img src=x onerror="alert(1)">'
)


@pytest.fixture
def signed(members):
    review = _held(members)
    s.review_record_update(review=review, membership=members["quinn"], minutes=MINUTES)
    s.review_input_comment(
        review_input=review.inputs.get(key="c_objectives"), membership=members["quinn"],
        commentary="## Board view\n\n- **Owner** to report <script>alert(2)</script>",
    )  # fmt: skip
    s.review_attendance_set(
        review=review, membership=members["quinn"], attendee=members["alice"],
        attendance="attended",
    )  # fmt: skip
    s.review_sign_off(review=review, membership=members["alice"], comment="Agreed")
    return review


@pytest.mark.parametrize("page", ["detail", "print"])
def test_minutes_show_their_headings_and_bold_on_the_page_and_in_print(client, cast, signed, page):
    client.force_login(cast.alice)
    html = client.get(reverse(f"reviews:{page}", args=["acme-test", signed.number])).content
    html = html.decode()
    if page == "detail":  # the minutes' card (the record's history below quotes the source)
        html = html.split('id="minutes-heading"')[1].split("</section>")[0]
    assert re.search(r"<h2[^>]*>Customer complaints</h2>", html)
    assert "<strong>complaint backlog</strong>" in html
    assert "<li>Second supplier qualified</li>" in html
    assert "## Customer" not in html and "**complaint" not in html
    assert 'alert("minutes")' not in html.split("<textarea")[0]
    assert "<script>alert" not in html and "onerror" not in html


def test_the_signed_pdf_shows_the_minutes_formatted(client, cast, signed):
    client.force_login(cast.alice)
    response = client.get(reverse("reviews:minutes-pdf", args=["acme-test", signed.number]))
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    assert "Customer complaints" in text and "complaint backlog" in text
    assert "##" not in text and "**" not in text
    assert "alert" not in text


@pytest.mark.parametrize("page", ["detail", "print"])
def test_input_commentary_is_formatted_too(client, cast, signed, page):
    """Found by the try-out: "## Board view" and "- **Owner**" showed as typed in an input's
    commentary, on the page, the print view and the PDF."""
    client.force_login(cast.alice)
    html = client.get(reverse(f"reviews:{page}", args=["acme-test", signed.number])).content
    html = html.decode().split("<textarea")[0]
    assert re.search(r"<h2[^>]*>Board view</h2>", html)
    assert "<li><strong>Owner</strong> to report" in html
    assert "## Board" not in html and "<script>alert(2)" not in html


def test_the_signed_pdf_shows_the_commentary_formatted(client, cast, signed):
    client.force_login(cast.alice)
    response = client.get(reverse("reviews:minutes-pdf", args=["acme-test", signed.number]))
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    assert "Board view" in text and "## Board" not in text and "**Owner" not in text


def test_the_reviews_list_says_late_once(client, cast, members):
    """Found by the try-out: "14 days late Late" (the text, then a badge saying it again)."""
    late = _held(members)
    client.force_login(cast.quinn)
    page = client.get(reverse("reviews:list", args=["acme-test"])).content.decode()
    row = page.split(late.reference)[1].split("</tr>")[0]
    assert re.search(r'<span class="status status-red">[^<]*14 days late</span>', row)
    assert "Late</span>" not in row
