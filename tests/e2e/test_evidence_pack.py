"""An auditor requests a year's evidence pack, watches it build, downloads it, and the verifier
passes on the downloaded file; the verify page says the same."""

import pytest

from qms.evidence import signing, verify
from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def demo(demo, settings, tmp_path):
    """The demo, with packs and the signing key in this test's own folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EVIDENCE_SIGNING_KEY_FILE = str(tmp_path / "key.pem")
    signing.private_key.cache_clear()
    yield demo
    signing.private_key.cache_clear()


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
    report = verify.verify(path, signing.public_key_pem().encode())
    assert report.ok, verify.render(report)
    assert report.manifest["organization"]["slug"] == "acme"

    page.goto(f"{live_server.url}/o/acme/evidence/verify/")
    page.get_by_label("Evidence pack (.zip)").set_input_files(str(path))
    page.get_by_role("button", name="Verify").click()
    assert "Every file is intact and the signature is valid." in page.content()
    screenshot("evidence-pack-verified")
