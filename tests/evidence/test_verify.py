"""The verifier passes an untouched pack and catches each kind of tampering."""

import json
import zipfile

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from qms.core.models import Organization
from qms.evidence import builder, signing, verify
from qms.evidence.sections import Scope
from tests.evidence.factories import PERIOD, objective_with_values

pytestmark = pytest.mark.django_db
DATA = "6.2-objectives/measurements.csv"


@pytest.fixture
def pack(cast, tmp_path):
    objective_with_values(cast)
    return builder.build(Scope(cast.org_a, None, *PERIOD), tmp_path / "pack.zip", created_by="T")


def _rewrite(source, target, change):
    """Copy the ZIP, letting `change(name, data)` return new data, or None to drop the file."""
    with zipfile.ZipFile(source.path) as old, zipfile.ZipFile(target, "w") as new:
        for info in old.infolist():
            data = change(info.filename, old.read(info.filename))
            if data is not None:
                new.writestr(info.filename, data)
    return target


def _check(path, org=None):
    org = org or Organization.objects.get(slug="acme-test")
    return verify.verify(path, signing.trusted_keys(org), organization=org.slug)


def test_an_untouched_pack_verifies(pack):
    report = _check(pack.path)
    assert report.ok
    assert report.signature == "valid"
    assert all(state == "intact" for _, state in report.files)


def test_changing_one_byte_is_detected(pack, tmp_path):
    def flip(name, data):
        return data.replace(b"87", b"97", 1) if name == DATA else data

    report = _check(_rewrite(pack, tmp_path / "t.zip", flip))
    assert not report.ok
    assert (DATA, "altered") in report.files


def test_removing_a_file_is_detected(pack, tmp_path):
    report = _check(_rewrite(pack, tmp_path / "t.zip", lambda n, d: None if n == DATA else d))
    assert (DATA, "missing") in report.files
    assert not report.ok


def test_adding_a_file_is_detected(pack, tmp_path):
    path = _rewrite(pack, tmp_path / "t.zip", lambda n, d: d)
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr("6.2-objectives/extra.csv", "Code\nOBJ-99\n")
    report = _check(path)
    assert ("6.2-objectives/extra.csv", "unexpected") in report.files
    assert not report.ok


def test_editing_the_manifest_breaks_the_signature(pack, tmp_path):
    def edit(name, data):
        if name != "manifest.json":
            return data
        manifest = json.loads(data)
        manifest["period"]["to"] = "2026-12-31"
        return json.dumps(manifest, sort_keys=True, indent=2) + "\n"

    report = _check(_rewrite(pack, tmp_path / "t.zip", edit))
    assert report.signature == "invalid"
    assert not report.ok


def test_a_pack_signed_with_another_key_is_not_trusted(pack, tmp_path):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    other = (
        Ed25519PrivateKey.generate()
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    # The files match what the manifest's own key signed, but that is not a key we trust.
    report = verify.verify(pack.path, other)
    assert report.signature == "untrusted key" and not report.ok
    assert "signed by another organisation's key or an unknown key" in report.signed_by
    assert verify.verify(pack.path).signature == "untrusted key"


def test_the_command_exits_non_zero_on_tampering(pack, tmp_path, capsys):
    call_command("verify_evidence_pack", str(pack.path))
    assert "PACK VERIFIED" in capsys.readouterr().out
    tampered = _rewrite(pack, tmp_path / "t.zip", lambda n, d: None if n == DATA else d)
    with pytest.raises(CommandError) as error:
        call_command("verify_evidence_pack", str(tampered))
    assert error.value.returncode == 1
    assert f"MISSING    {DATA}" in capsys.readouterr().out


def test_the_standalone_verifier_needs_no_django(pack, tmp_path):
    import subprocess
    import sys

    key = tmp_path / "public.pem"
    key.write_text(signing.keys_file(Organization.objects.get(slug="acme-test")))
    script = verify.__file__
    result = subprocess.run(
        [sys.executable, "-I", script, str(pack.path), "--public-key", str(key)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "PACK VERIFIED" in result.stdout


def test_not_a_zip_is_reported_not_raised(tmp_path):
    junk = tmp_path / "junk.zip"
    junk.write_bytes(b"not a zip")
    report = verify.verify(junk)
    assert not report.ok
    assert "Not a readable ZIP file" in report.problems[0]
