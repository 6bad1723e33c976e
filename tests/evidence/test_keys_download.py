"""Downloading the keys file or opening the verify page only reads: neither makes a signing
key (issue 21: a GET of the keys file created the organisation's key as a side effect). The key
is made when the first pack is signed; until then the page and the file say there is none."""

import pytest
from django.urls import reverse

from qms.evidence import signing
from qms.evidence.models import SigningKey

pytestmark = pytest.mark.django_db


def test_downloading_the_keys_file_makes_no_key_and_says_there_is_none_yet(client, cast):
    client.force_login(cast.audrey)  # an auditor of Acme
    response = client.get(reverse("evidence:public-key", args=["acme-test"]))
    assert response.status_code == 200
    text = response.content.decode()
    assert f"{cast.org_a.name} has no signing key yet: its first evidence pack makes it" in text
    assert "Fingerprint:" not in text
    assert not SigningKey.objects.filter(organization=cast.org_a).exists()
    assert not SigningKey.history.filter(organization=cast.org_a).exists()


def test_the_verify_page_says_no_key_yet_and_makes_none(client, cast):
    client.force_login(cast.quinn)
    response = client.get(reverse("evidence:verify", args=["acme-test"]))
    assert response.status_code == 200
    assert "No key yet." in response.content.decode()
    assert not SigningKey.objects.filter(organization=cast.org_a).exists()


def test_once_a_pack_is_signed_the_file_and_page_show_its_key(client, cast):
    key = signing.current_key(cast.org_a)  # what signing the first pack does
    client.force_login(cast.quinn)
    text = client.get(reverse("evidence:public-key", args=["acme-test"])).content.decode()
    assert f"Fingerprint: {key.fingerprint}" in text and "no signing key yet" not in text
    page = client.get(reverse("evidence:verify", args=["acme-test"])).content.decode()
    assert key.fingerprint in page and "No key yet." not in page
    assert SigningKey.objects.filter(organization=cast.org_a).count() == 1
