"""Evidence tests write packs under a temporary MEDIA_ROOT, with no platform key configured
unless a test makes one (per-organisation keys live in the test database)."""

import pytest


@pytest.fixture(autouse=True)
def evidence_storage(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EVIDENCE_SIGNING_KEY = ""
    settings.EVIDENCE_SIGNING_KEY_FILE = str(tmp_path / "key.pem")
    yield tmp_path
