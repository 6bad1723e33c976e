"""The executive dashboard page: what a member sees, and only their organisation's."""

import pytest
from django.urls import reverse

from tests.objectives.factories import make_objective

pytestmark = pytest.mark.django_db


def url(slug="acme-test"):
    return reverse("dashboard:dashboard", args=[slug])


def test_executive_sees_tiles_charts_and_tables(client, cast):
    make_objective(cast, code="OBJ-01")
    client.force_login(cast.alice)
    response = client.get(url())
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-plotly-figure="figure-objectives"' in page
    assert "Show the numbers" in page
    assert "Download the numbers as CSV" in page
