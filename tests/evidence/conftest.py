"""Evidence tests write packs and keys under a temporary MEDIA_ROOT and data directory."""

import pytest

from qms.evidence import signing


@pytest.fixture(autouse=True)
def evidence_storage(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EVIDENCE_SIGNING_KEY = ""
    settings.EVIDENCE_SIGNING_KEY_FILE = str(tmp_path / "key.pem")
    signing.private_key.cache_clear()
    yield tmp_path
    signing.private_key.cache_clear()
