"""The home page summarises the objectives that concern the member."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from objectives.models import QualityObjective
from qms.core.models import Membership
from tests.objectives.factories import make_objective

pytestmark = pytest.mark.django_db


def test_home_lists_the_executives_red_objectives(client, cast):
    make_objective(cast, code="OBJ-01", title="Delivery")
    QualityObjective.objects.filter(code="OBJ-01").update(current_status="red")
    client.force_login(cast.alice)
    html = client.get(reverse("core:org-home", kwargs={"org_slug": "acme-test"})).content.decode()
    assert "Needs your attention" in html
    assert "OBJ-01 Delivery" in html
    assert "1 off track" in html


def test_home_shows_nothing_of_another_organisation(client, cast):
    make_objective(cast, code="OBJ-B1", org=cast.org_b, title="Secret")
    client.force_login(cast.alice)
    html = client.get(reverse("core:org-home", kwargs={"org_slug": "acme-test"})).content.decode()
    assert "Secret" not in html and "0 off track" in html


def test_home_query_count_does_not_grow_with_objectives(client, cast):
    client.force_login(cast.carl)
    home = reverse("core:org-home", kwargs={"org_slug": "acme-test"})
    client.get(home)
    carl = Membership.objects.get(user=cast.carl)
    make_objective(cast, code="OBJ-00", owner=carl)
    with CaptureQueriesContext(connection) as few:
        client.get(home)
    for i in range(15):
        make_objective(cast, code=f"OBJ-{i:02d}X", owner=carl)
    with CaptureQueriesContext(connection) as many:
        client.get(home)
    assert len(many) == len(few)
