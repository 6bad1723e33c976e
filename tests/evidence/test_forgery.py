"""Forged packs: the page, the command and the downloaded standalone verifier refuse the same
ones (duplicate entries, unlisted entries, zip bombs, another organisation's signature), and
each organisation's own keys sign and verify its packs, across a rotation."""

import base64
import io
import json
import subprocess
import sys
import zipfile

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from qms.evidence import builder, signing, verify
from qms.evidence.models import SigningKey
from qms.evidence.sections import Scope
from tests.evidence.factories import PERIOD, objective_with_values

pytestmark = pytest.mark.django_db
DATA = "6.2-objectives/measurements.csv"
VERIFIED = "Every file is intact and the signature is valid."


def _build(cast, tmp_path, org=None, name="pack.zip"):
    return builder.build(Scope(org or cast.org_a, None, *PERIOD), tmp_path / name, created_by="T")


@pytest.fixture
def pack(cast, tmp_path):
    objective_with_values(cast)
    return _build(cast, tmp_path).path


def _entries(path):
    with zipfile.ZipFile(path) as archive:
        return [(info.filename, archive.read(info)) for info in archive.infolist()]


def _zip(path, entries):
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries:
            archive.writestr(name, data)
    return path


def _with_forged_duplicate(pack, tmp_path, name):
    """The forged copy first, the original after it: Python's zipfile reads the last one of a
    name, other tools extract the first (or both, one over the other)."""
    entries = _entries(pack)
    original = dict(entries)[name]
    with pytest.warns(UserWarning, match="Duplicate name"):
        return _zip(tmp_path / "forged.zip", [(name, original.replace(b"8", b"9")), *entries])


def _verify_page(client, path):
    with open(path, "rb") as handle:
        upload = io.BytesIO(handle.read())
    upload.name = "pack.zip"
    response = client.post(reverse("evidence:verify", args=["acme-test"]), {"pack": upload})
    assert response.status_code == 200
    return response.content.decode()


def _command(path, *args):
    out = io.StringIO()
    try:
        call_command("verify_evidence_pack", str(path), *args, stdout=out)
    except CommandError:
        return False, out.getvalue()
    return True, out.getvalue()


@pytest.fixture
def standalone(client, cast, tmp_path):
    """The verifier and Acme's keys file as a certification body downloads them, run as a
    separate Python process (isolated: no Django, no project on the path)."""
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


def _three_verdicts(client, cast, standalone, path):
    client.force_login(cast.quinn)
    page = _verify_page(client, path)
    return (VERIFIED in page, page), _command(path), standalone(path)


def test_page_command_and_downloaded_verifier_agree_on_a_good_pack(client, cast, pack, standalone):
    (page_ok, page), (command_ok, out), (script_ok, script_out) = _three_verdicts(
        client, cast, standalone, pack
    )
    assert page_ok and command_ok and script_ok
    fingerprint = SigningKey.objects.get(organization=cast.org_a).fingerprint
    said = f"signed by Acme Test Ltd, key fingerprint {fingerprint}."
    assert said in page and said in out and said in script_out


@pytest.mark.parametrize("name", [DATA, "index.html", "manifest.json", "manifest.sig"])
def test_a_duplicate_entry_name_is_refused_everywhere(client, cast, pack, standalone, tmp_path,
                                                       name):  # fmt: skip
    forged = _with_forged_duplicate(pack, tmp_path, name)
    (page_ok, page), (command_ok, out), (script_ok, script_out) = _three_verdicts(
        client, cast, standalone, forged
    )
    assert not page_ok and not command_ok and not script_ok
    message = f"{name} appears 2 times in the ZIP"
    assert message in page and message in out and message in script_out
    assert f"DUPLICATE  {name}" in out and f"DUPLICATE  {name}" in script_out


def test_a_tampered_pack_is_refused_everywhere(client, cast, pack, standalone, tmp_path):
    entries = [(n, d.replace(b"87", b"97", 1) if n == DATA else d) for n, d in _entries(pack)]
    tampered = _zip(tmp_path / "tampered.zip", entries)
    (page_ok, page), (command_ok, out), (script_ok, script_out) = _three_verdicts(
        client, cast, standalone, tampered
    )
    assert not page_ok and not command_ok and not script_ok
    assert f"ALTERED    {DATA}" in out and f"ALTERED    {DATA}" in script_out
    assert 'status-red">altered</span>' in page


@pytest.mark.parametrize("extra", ["extracted-first/", "6.2-objectives/", "notes.txt"])
def test_an_entry_the_manifest_does_not_list_is_refused_directories_too(
    client, cast, pack, standalone, tmp_path, extra
):
    unlisted = _zip(tmp_path / "unlisted.zip", [(extra, b""), *_entries(pack)])
    (page_ok, page), (command_ok, out), (script_ok, script_out) = _three_verdicts(
        client, cast, standalone, unlisted
    )
    assert not page_ok and not command_ok and not script_ok
    assert f"UNEXPECTED {extra}" in out and f"UNEXPECTED {extra}" in script_out
    assert f'<code>{extra}</code></td><td><span class="status status-red">unexpected' in page


def test_a_name_that_differs_between_the_zip_headers_is_reported_not_raised(
    client, cast, pack, tmp_path
):
    data = bytearray(pack.read_bytes())
    with zipfile.ZipFile(pack) as archive:
        offset = archive.getinfo("index.html").header_offset
    start = offset + 30  # the local header's file name
    assert data[start : start + 10] == b"index.html"
    data[start : start + 10] = b"indeX.html"
    forged = tmp_path / "forged.zip"
    forged.write_bytes(bytes(data))
    client.force_login(cast.quinn)
    page = _verify_page(client, forged)
    assert VERIFIED not in page
    assert "index.html cannot be read from the ZIP" in page


def _manifest_bomb(pack, tmp_path, size=64 * 1024 * 1024):
    entries = [(n, b" " * size + d if n == "manifest.json" else d) for n, d in _entries(pack)]
    return _zip(tmp_path / "bomb.zip", entries)


class ReadMeter:
    """Counts every byte inflated from a ZIP entry once started, and forbids ZipFile.read (it
    reads an entry whole, however large it claims to be)."""

    def __init__(self, monkeypatch):
        self.monkeypatch, self.bytes = monkeypatch, 0

    def start(self):
        real = zipfile.ZipExtFile.read

        def counted(stream, n=-1):
            data = real(stream, n)
            self.bytes += len(data)
            return data

        def whole(*args, **kwargs):
            raise AssertionError("ZipFile.read reads an entry whole: the verifier must not")

        self.monkeypatch.setattr(zipfile.ZipExtFile, "read", counted)
        self.monkeypatch.setattr(zipfile.ZipFile, "read", whole)


@pytest.fixture
def read_meter(monkeypatch):
    return ReadMeter(monkeypatch)


def test_a_zip_bomb_manifest_is_refused_without_being_inflated(cast, pack, tmp_path, read_meter):
    bomb = _manifest_bomb(pack, tmp_path)
    assert bomb.stat().st_size < 1024 * 1024  # 64 MB of manifest in a small upload
    read_meter.start()
    report = verify.verify(bomb, signing.trusted_keys(cast.org_a), organization="acme-test")
    assert not report.ok
    assert any("manifest.json inflates to more than" in p for p in report.problems)
    assert read_meter.bytes <= verify.MANIFEST_MAX_BYTES + 1


def test_a_manifest_that_lies_about_its_size_is_cut_at_the_bound(cast, pack, tmp_path, read_meter):
    """The ZIP directory says the manifest is small; its data inflates to far more."""
    bomb = bytearray(_manifest_bomb(pack, tmp_path).read_bytes())
    with zipfile.ZipFile(io.BytesIO(bytes(bomb))) as archive:
        info = archive.getinfo("manifest.json")
    # Rewrite the declared size (local header and central directory) to 1 KB.
    real = info.file_size.to_bytes(4, "little")
    lie = (1024).to_bytes(4, "little")
    assert bytes(bomb).count(real) >= 2
    lying = tmp_path / "lying.zip"
    lying.write_bytes(bytes(bomb).replace(real, lie))
    read_meter.start()
    report = verify.verify(lying, signing.trusted_keys(cast.org_a), organization="acme-test")
    assert not report.ok
    assert read_meter.bytes <= verify.MANIFEST_MAX_BYTES + 1


def test_a_data_entry_bigger_than_the_manifest_says_is_not_inflated(
    cast, pack, tmp_path, read_meter
):
    entries = [(n, b"0" * 64 * 1024 * 1024 if n == DATA else d) for n, d in _entries(pack)]
    bomb = _zip(tmp_path / "bomb.zip", entries)
    read_meter.start()
    report = verify.verify(bomb, signing.trusted_keys(cast.org_a), organization="acme-test")
    assert (DATA, "altered") in report.files and not report.ok
    assert read_meter.bytes < 4 * 1024 * 1024


def test_the_verify_page_refuses_a_zip_bomb_manifest_with_a_sentence(client, cast, pack, tmp_path):
    client.force_login(cast.quinn)
    page = _verify_page(client, _manifest_bomb(pack, tmp_path))
    assert "Not verified" in page
    assert "manifest.json inflates to more than 4,194,304 bytes" in page


def test_another_organisations_pack_does_not_verify_on_this_organisations_page(
    client, cast, tmp_path, standalone
):
    rival = _build(cast, tmp_path, org=cast.org_b, name="rival.zip").path
    (page_ok, page), _, (script_ok, script_out) = _three_verdicts(client, cast, standalone, rival)
    assert not page_ok and not script_ok
    rival_key = SigningKey.objects.get(organization=cast.org_b).fingerprint
    said = f"signed by another organisation&#x27;s key or an unknown key (fingerprint {rival_key})"
    assert said in page
    assert "the manifest names Beta Rival plc" in page
    assert "Signature: <strong>untrusted key</strong>" in page
    assert "signed by another organisation's key or an unknown key" in script_out
    # The server's administrator, asking for Acme's pack, hears the same; asked whose it is,
    # the command names the rival.
    assert not _command(rival, "--organization", "acme-test")[0]
    command_ok, out = _command(rival)
    assert command_ok and f"signed by Beta Rival plc, key fingerprint {rival_key}." in out


def _platform_key(settings, tmp_path):
    key = Ed25519PrivateKey.generate()
    path = tmp_path / "platform.pem"
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    settings.EVIDENCE_SIGNING_KEY_FILE = str(path)
    return key


def _signed_as_before(pack, tmp_path, key, name="old.zip"):
    """The pack as the platform key signed packs before per-organisation keys."""
    entries = dict(_entries(pack))
    manifest = json.loads(entries["manifest.json"])
    manifest["signing"]["public_key"] = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    manifest["signing"].pop("organization")
    body = (json.dumps(manifest, sort_keys=True, indent=2) + "\n").encode()
    entries["manifest.json"] = body
    entries["manifest.sig"] = base64.b64encode(key.sign(body)) + b"\n"
    return _zip(tmp_path / name, entries.items())


def test_a_pack_signed_with_the_old_platform_key_still_verifies_for_its_own_organisation(
    client, cast, pack, tmp_path, settings, standalone
):
    old = _signed_as_before(pack, tmp_path, _platform_key(settings, tmp_path))
    (page_ok, page), (command_ok, out), (script_ok, script_out) = _three_verdicts(
        client, cast, standalone, old
    )
    assert page_ok and command_ok and script_ok
    said = "signed with the platform key used before per-organisation keys"
    assert said in page and said in out and said in script_out


def test_another_organisations_old_platform_signed_pack_is_not_this_organisations(
    client, cast, tmp_path, settings, standalone
):
    platform = _platform_key(settings, tmp_path)
    rival = _build(cast, tmp_path, org=cast.org_b, name="rival.zip").path
    old = _signed_as_before(rival, tmp_path, platform)
    (page_ok, page), _, (script_ok, script_out) = _three_verdicts(client, cast, standalone, old)
    assert not page_ok and not script_ok
    said = "This is Beta Rival plc's pack (its manifest says so), not Acme Test Ltd's"
    assert said.replace("'", "&#x27;") in page and said in script_out


def test_the_migration_keeps_the_platform_key_so_old_packs_verify_without_the_file(
    cast, pack, tmp_path, settings
):
    from importlib import import_module

    from django.apps import apps

    platform = _platform_key(settings, tmp_path)
    old = _signed_as_before(pack, tmp_path, platform)
    migration = import_module("qms.evidence.migrations.0003_per_organization_signing_keys")
    migration.record_platform_key(apps, None)
    settings.EVIDENCE_SIGNING_KEY_FILE = str(tmp_path / "removed.pem")
    assert verify.verify(old, signing.trusted_keys(cast.org_a), organization="acme-test").ok


def test_after_rotation_old_and_new_packs_verify_and_only_the_new_key_signs(
    client, cast, pack, tmp_path
):
    first = SigningKey.objects.get(organization=cast.org_a)
    out = io.StringIO()
    call_command("rotate_evidence_signing_key", "--organization", "acme-test", stdout=out)
    first.refresh_from_db()
    second = SigningKey.objects.get(organization=cast.org_a, retired_at=None)
    assert second.fingerprint != first.fingerprint
    assert f"fingerprint is {second.fingerprint}" in out.getvalue()
    assert first.retired_at is not None and first.private_key_sealed is None  # erased
    with pytest.raises(signing.SigningKeyUnavailable):
        signing.sign(first, b"anything")
    new_pack = _build(cast, tmp_path, name="new.zip").path
    client.force_login(cast.quinn)
    for path, key in ((pack, first), (new_pack, second)):
        page = _verify_page(client, path)
        assert VERIFIED in page
        assert f"signed by Acme Test Ltd, key fingerprint {key.fingerprint}." in page
    # The rotation is in the audit trail (simple_history), without the private key.
    history = first.history.order_by("history_date")
    assert [h.history_type for h in history] == ["+", "~"]
    assert not hasattr(history.first(), "private_key_sealed")
    # The other organisation's key is untouched.
    assert not SigningKey.objects.filter(organization=cast.org_b, retired_at__isnull=False)


def test_only_this_organisations_admin_rotates_from_the_page(client, cast, pack):
    url = reverse("evidence:signing-key-rotate", args=["acme-test"])
    before = SigningKey.objects.get(organization=cast.org_a)
    client.force_login(cast.quinn)  # a quality manager
    assert client.post(url).status_code == 403
    client.force_login(cast.bob)  # another organisation
    assert client.post(url).status_code == 404
    assert SigningKey.objects.get(organization=cast.org_a, retired_at=None) == before
    client.force_login(cast.adam)
    response = client.post(url)
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "A new signing key signs this organisation" in page
    new = SigningKey.objects.get(organization=cast.org_a, retired_at=None)
    assert new != before and new.fingerprint in page
    assert new.history.get().history_user == cast.adam


def test_a_key_sealed_under_another_secret_says_what_to_do(cast, pack, tmp_path, settings):
    settings.EVIDENCE_KEY_ENCRYPTION_KEY = "not the secret it was sealed with"
    with pytest.raises(signing.SigningKeyUnavailable, match="rotate_evidence_signing_key"):
        _build(cast, tmp_path, name="again.zip")
    # Rotating needs no private key: the new key signs, and the old pack still verifies.
    call_command("rotate_evidence_signing_key", "--organization", "acme-test", stdout=io.StringIO())
    again = _build(cast, tmp_path, name="again.zip").path
    for path in (pack, again):
        assert verify.verify(path, signing.trusted_keys(cast.org_a), organization="acme-test").ok


def test_the_pack_page_says_which_key_signed_it(
    client, cast, pack, django_capture_on_commit_callbacks
):
    import datetime

    from django.utils import timezone

    from qms.evidence.models import EvidencePack

    client.force_login(cast.quinn)
    today = timezone.localdate()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("evidence:packs", args=["acme-test"]),
            {"period_start": today - datetime.timedelta(days=30), "period_end": today},
        )
    built = EvidencePack.objects.get()
    key = SigningKey.objects.get(organization=cast.org_a)
    assert built.signing_key == key
    url = reverse("evidence:pack", args=["acme-test", built.uuid])
    page = client.get(url).content.decode()
    assert f"by Acme Test Ltd, key fingerprint <code>{key.fingerprint}</code>" in page
    assert "download the verifier</a>" in page
    call_command("rotate_evidence_signing_key", "--organization", "acme-test", stdout=io.StringIO())
    assert "(retired " in client.get(url).content.decode()


def test_the_private_key_is_stored_sealed(cast, pack):
    key = SigningKey.objects.get(organization=cast.org_a)
    raw = signing.private_key(key).private_bytes(
        serialization.Encoding.Raw,
        serialization.PrivateFormat.Raw,
        serialization.NoEncryption(),
    )
    assert raw not in bytes(key.private_key_sealed)


def test_each_organisation_downloads_only_its_own_keys_and_verifier(client, cast, pack):
    acme_keys = reverse("evidence:public-key", args=["acme-test"])
    client.force_login(cast.bob)
    assert client.get(acme_keys).status_code == 404
    assert client.get(reverse("evidence:verifier", args=["acme-test"])).status_code == 404
    own = client.get(reverse("evidence:public-key", args=["beta-rival"])).content.decode()
    client.force_login(cast.audrey)  # an auditor of Acme
    acme = client.get(acme_keys)
    assert acme["Content-Disposition"] == 'attachment; filename="qms-evidence-keys-acme-test.pem"'
    acme_fingerprint = SigningKey.objects.get(organization=cast.org_a).fingerprint
    rival_fingerprint = SigningKey.objects.get(organization=cast.org_b).fingerprint
    assert f"Fingerprint: {acme_fingerprint}" in acme.content.decode()
    assert acme_fingerprint not in own and f"Fingerprint: {rival_fingerprint}" in own
    client.force_login(cast.carl)  # a contributor
    assert client.get(acme_keys).status_code == 403


def test_the_pack_index_says_how_to_verify_it(cast, pack):
    with zipfile.ZipFile(pack) as archive:
        html = archive.read("index.html").decode()
        manifest = json.loads(archive.read("manifest.json"))
    fingerprint = SigningKey.objects.get(organization=cast.org_a).fingerprint
    assert manifest["signing"]["key_id"] == fingerprint
    assert manifest["signing"]["organization"] == "acme-test"
    assert "How to verify this pack" in html
    assert "download the verifier <code>qms-evidence-verify.py</code>" in html
    assert "python3 qms-evidence-verify.py PACK.zip qms-evidence-keys-acme-test.pem" in html
    assert "pip install cryptography" in html
    assert f"fingerprint is <code>{fingerprint}</code>" in html


def test_a_zip_of_too_many_entries_is_refused_before_its_directory_is_loaded(
    cast, tmp_path, monkeypatch
):
    crowded = _zip(tmp_path / "crowded.zip", [(f"f{i}", b"") for i in range(50)])
    monkeypatch.setattr(verify, "MAX_ENTRIES", 40)

    def loads_directory(*args, **kwargs):
        raise AssertionError("zipfile loaded the whole directory")

    monkeypatch.setattr(zipfile.ZipFile, "_RealGetContents", loads_directory)
    report = verify.verify(crowded, signing.trusted_keys(cast.org_a), organization="acme-test")
    assert not report.ok
    assert report.problems == [
        "The ZIP holds 50 entries, more than any evidence pack (40): it was not read. This is "
        "not an evidence pack."
    ]
