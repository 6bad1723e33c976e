"""The competence, training, process and certificate pages as each role meets them, on the
demo data: everyone reads, only the quality team writes, another organisation's records are
404, and the list pages' query counts stay flat."""

import pytest
from django.urls import reverse

from leadership.models import (
    Competence,
    Process,
    TrainingSession,
)
from tests.factories import UserFactory
from tests.seeded import demo_for_module

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with demo_for_module(django_db_blocker) as context:
        yield context


def _login(client, username):
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username=username))


def _pages(slug):
    process = Process.objects.filter(organization__slug=slug).first()
    session = TrainingSession.objects.filter(organization__slug=slug).first()
    competence = Competence.objects.filter(organization__slug=slug).first()
    return [
        reverse("leadership:competence-matrix", args=[slug]),
        reverse("leadership:competences", args=[slug]),
        reverse("leadership:competence-requirements", args=[slug, competence.pk]),
        reverse("leadership:competence-records", args=[slug]),
        reverse("leadership:training", args=[slug]),
        reverse("leadership:training-detail", args=[slug, session.pk]),
        reverse("leadership:process-map", args=[slug]),
        reverse("leadership:process-overview", args=[slug, process.pk]),
        reverse("leadership:certificate", args=[slug]),
        reverse("leadership:party-kinds", args=[slug]),
        reverse("registers:interested-parties", args=[slug]),
        reverse("registers:party-requirements", args=[slug]),
        reverse("registers:processes", args=[slug]),
        reverse("registers:processes-detail", args=[slug, process.pk]),
    ]


def test_every_role_reads_every_page_of_the_demo(client, demo):
    for username in ("executive", "quality", "contributor", "auditor", "admin"):
        _login(client, username)
        for url in _pages(demo.organization.slug):
            response = client.get(url)
            assert response.status_code == 200, (username, url)


def test_the_demo_answers_who_is_competent_what_expires_and_whether_the_certificate_is_valid(
    client, demo
):
    _login(client, "quality")
    slug = demo.organization.slug
    matrix = client.get(reverse("leadership:competence-matrix", args=[slug])).content.decode()
    assert "Gaps to close" in matrix and "Expiring next quarter" in matrix
    assert "expires" in matrix  # something expires next quarter in the demo
    certificate = client.get(reverse("leadership:certificate", args=[slug])).content.decode()
    assert "QMS-48213" in certificate and ">Valid<" in certificate
    assert "Major nonconformity (open)" in certificate  # the reviews demo's finding
    process = Process.objects.get(organization=demo.organization, title="CNC machining")
    overview = client.get(
        reverse("leadership:process-overview", args=[slug, process.pk])
    ).content.decode()
    assert "OBJ-04" in overview


def test_a_stranger_gets_404_on_every_page(client, demo):
    client.force_login(UserFactory(username="stranger"))
    for url in _pages(demo.organization.slug):
        assert client.get(url).status_code == 404, url


def test_the_home_page_sums_up_support_for_managers_not_for_contributors(client, demo):
    url = reverse("core:org-home", args=[demo.organization.slug])
    _login(client, "quality")
    text = client.get(url).content.decode()
    assert "Competence, processes and certificate" in text and "gaps" in text
    _login(client, "contributor")
    assert "Competence, processes and certificate" not in client.get(url).content.decode()
