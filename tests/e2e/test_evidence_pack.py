"""An auditor requests a year's evidence pack, watches it build, downloads it, and the verifier
passes on the downloaded file; the verify page says the same, and the verifier and keys file
the page offers, run as a certification body would, agree."""

import subprocess
import sys

import pytest
from playwright.sync_api import expect

from qms.core.models import Organization
from qms.evidence import signing, verify
from qms.evidence.models import SigningKey
from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def demo(demo, settings, tmp_path):
    """The demo, with packs in this test's own folder and no platform key."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EVIDENCE_SIGNING_KEY_FILE = str(tmp_path / "key.pem")
    yield demo


def test_an_auditor_exports_a_pack_and_verifies_it(page, live_server, demo, screenshot, tmp_path):
    sign_in(page, live_server, "auditor", "demo1234")
    page.goto(f"{live_server.url}/o/acme/evidence/")
    # The form proposes the last twelve months; the auditor keeps them.
    page.get_by_role("button", name="Build the pack").click()
    page.get_by_text("Ready to download").first.wait_for()
    assert page.get_by_role("heading", name="Status: Ready to download").is_visible()
    screenshot("evidence-pack-ready")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the pack").click()
    path = tmp_path / "pack.zip"
    download_info.value.save_as(path)
    acme = Organization.objects.get(slug="acme")
    report = verify.verify(path, signing.trusted_keys(acme), organization="acme")
    assert report.ok, verify.render(report)
    assert report.manifest["organization"]["slug"] == "acme"
    fingerprint = SigningKey.objects.get(organization=acme, retired_at=None).fingerprint

    page.goto(f"{live_server.url}/o/acme/evidence/verify/")
    page.get_by_label("Evidence pack (.zip)").set_input_files(str(path))
    page.get_by_role("button", name="Verify").click()
    expect(page.locator("body")).to_contain_text("Every file is intact and the signature is valid.")
    assert page.get_by_text(f"signed by {acme.name}, key fingerprint {fingerprint}.").is_visible()
    screenshot("evidence-pack-verified")

    # What a certification body takes away: the verifier and the keys file, from the links.
    downloads = {}
    for link in ("Download the verifier", "the keys file"):
        with page.expect_download() as info:
            page.get_by_role("link", name=link).first.click()
        downloads[link] = tmp_path / info.value.suggested_filename
        info.value.save_as(downloads[link])
    assert downloads["Download the verifier"].name == "qms-evidence-verify.py"
    assert downloads["the keys file"].name == "qms-evidence-keys-acme.pem"
    result = subprocess.run(
        [sys.executable, "-I", str(downloads["Download the verifier"]), str(path),
         str(downloads["the keys file"])],
        capture_output=True, text=True, check=False, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"signed by {acme.name}, key fingerprint {fingerprint}." in result.stdout
