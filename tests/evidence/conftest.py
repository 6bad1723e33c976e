"""Evidence tests write packs under a temporary MEDIA_ROOT, with no platform key configured
unless a test makes one (per-organisation keys live in the test database); `pack` is a genuine
pack of Acme, `standalone` runs the downloaded verifier on a pack as a separate process."""

import subprocess
import sys

import pytest
from django.urls import reverse

from qms.evidence import builder, signing
from qms.evidence.sections import Scope
from tests.evidence.factories import PERIOD, objective_with_values


@pytest.fixture(autouse=True)
def evidence_storage(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EVIDENCE_SIGNING_KEY = ""
    settings.EVIDENCE_SIGNING_KEY_FILE = str(tmp_path / "key.pem")
    yield tmp_path


@pytest.fixture
def pack(cast, tmp_path):
    objective_with_values(cast)
    return builder.build(
        Scope(cast.org_a, None, *PERIOD), tmp_path / "pack.zip", created_by="T"
    ).path


@pytest.fixture
def standalone(client, cast, tmp_path):
    """The verifier and Acme's keys file as a certification body downloads them, run as a
    separate Python process (isolated: no Django, no project on the path). Acme has signed
    packs before, so its keys file holds its key (downloading the file makes none)."""
    signing.current_key(cast.org_a)
    client.force_login(cast.quinn)
    script = tmp_path / "downloaded" / "qms-evidence-verify.py"
    script.parent.mkdir()
    response = client.get(reverse("evidence:verifier", args=["acme-test"]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="qms-evidence-verify.py"'
    script.write_bytes(response.content)
    keys = tmp_path / "downloaded" / "qms-evidence-keys-acme-test.pem"

    def run(path):
        client.force_login(cast.quinn)
        keys.write_bytes(client.get(reverse("evidence:public-key", args=["acme-test"])).content)
        result = subprocess.run(
            [sys.executable, "-I", str(script), str(path), str(keys)],
            capture_output=True, text=True, check=False, cwd=script.parent, timeout=60,
        )  # fmt: skip
        assert "Traceback" not in result.stderr, result.stderr
        return result.returncode == 0, result.stdout

    return run
