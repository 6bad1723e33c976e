"""The minutes of a signed-off review as a PDF for the board: a controlled copy that holds the
minutes and decisions; not before sign-off; not for strangers."""

import io
import re

import pytest
from django.urls import reverse
from pypdf import PdfReader

from reviews.models import ReviewStatus
from reviews.services import management_reviews as s
from tests.reviews.test_management_reviews import _held, _signable

pytestmark = pytest.mark.django_db


def test_signed_off_minutes_export_as_a_controlled_copy(client, cast, members):
    review = _held(members)
    _signable(review, members)
    url = reverse("reviews:minutes-pdf", args=["acme-test", review.number])
    client.force_login(cast.carl)
    early = client.get(url)
    assert early.status_code == 302  # not signed off yet: back to the review, with a sentence
    s.review_sign_off(review=review, membership=members["alice"], comment="Agreed")
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    assert f"Minutes: {review.title}" in text
    assert "Discussed." in text and "Signed off" in text
    assert "Controlled copy" in text and "Acme Test Ltd" in text
    client.force_login(cast.bob)
    assert client.get(url).status_code == 404


def test_the_demo_reviews_minutes_with_their_inputs_export_as_pdf(client):
    """The demo's signed-off review has its inputs (objectives as they stood, with links): the
    PDF used to fail on them with a server error."""
    from reviews.models import ManagementReview
    from tests.seeded import seeded_demo

    context = seeded_demo()
    review = ManagementReview.objects.filter(
        organization=context.organization, status=ReviewStatus.SIGNED_OFF
    ).first()
    assert review is not None and review.inputs.exists()
    client.force_login(context.members["executive"].user)
    response = client.get(reverse("reviews:minutes-pdf", args=["acme", review.number]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    assert review.title in text
    # The objectives' status counts read as words apart ("8 on track1 at risk" before).
    assert re.search(r"\d+ on track \d+ at risk \d+ off track \d+ no data", " ".join(text.split()))


def test_the_minutes_pdf_and_print_carry_the_attainment_chart_the_review_page_shows(client):
    """The review's page draws each objective's attainment of target; its minutes, printed
    or as PDF, had only the table. They draw the same bars for paper, as the board PDF does."""
    from reviews.models import ManagementReview
    from tests.seeded import seeded_demo

    context = seeded_demo()
    review = ManagementReview.objects.filter(
        organization=context.organization, status=ReviewStatus.SIGNED_OFF
    ).first()
    client.force_login(context.members["executive"].user)
    response = client.get(reverse("reviews:minutes-pdf", args=["acme", review.number]))
    text = " ".join(
        " ".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages).split()
    )
    assert "% of target attained (100% = target)" in text
    # Each bar's % and status in words, beside its objective's label.
    assert re.search(r"\d+% off track", text) and re.search(r"\d+% on track", text)
    printed = client.get(reverse("reviews:print", args=["acme", review.number])).content.decode()
    assert 'aria-label="Attainment of target per objective"' in printed
