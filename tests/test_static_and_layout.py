"""Assets are ours: Bootstrap vendored, plotly.min.js from the plotly package, no CDN."""

import re

import pytest
from django.contrib.staticfiles import finders


def test_plotly_is_served_from_the_installed_package():
    path = finders.find("vendor/plotly/plotly.min.js")
    assert path and path.endswith("package_data/plotly.min.js")


def test_other_plotly_package_files_are_not_exposed():
    assert finders.find("vendor/plotly/widgetbundle.js") is None


@pytest.mark.django_db
def test_pages_load_no_third_party_assets(client, cast):
    client.force_login(cast.alice)
    html = client.get("/o/acme-test/").content.decode()
    external = re.findall(r'(?:src|href)="(https?://[^"]+)"', html)
    assert external == []
    assert "/static/vendor/bootstrap/bootstrap.min.css" in html


@pytest.mark.django_db
def test_login_page_is_labelled_for_screen_readers(client):
    html = client.get("/accounts/login/").content.decode()
    assert '<label class="form-label" for="id_username">' in html
    assert '<label class="form-label" for="id_password">' in html
    assert 'lang="en"' in html
