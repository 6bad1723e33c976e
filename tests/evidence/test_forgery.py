"""Forged packs: the page, the command and the downloaded standalone verifier refuse the same
ones (duplicate entries, unlisted entries, zip bombs, another organisation's signature, any
byte of the ZIP that no listed entry accounts for), and each organisation's own keys sign and
verify its packs, across a rotation."""

import base64
import html
import io
import json
import struct
import subprocess
import sys
import types
import zipfile
import zlib

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from qms.evidence import builder, signing, verify
from qms.evidence.models import SigningKey
from qms.evidence.sections import Scope
from tests.evidence.factories import PERIOD

pytestmark = pytest.mark.django_db
DATA = "6.2-objectives/measurements.csv"
VERIFIED = "Every file is intact and the signature is valid."


def _build(cast, tmp_path, org=None, name="pack.zip"):
    return builder.build(Scope(org or cast.org_a, None, *PERIOD), tmp_path / name, created_by="T")


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
    """Named as a directory but with a plain file's attributes, it is read as an entry the
    manifest does not list (marked as a directory too, the layout refuses it first: below)."""
    plain = zipfile.ZipInfo(extra, date_time=(2000, 1, 1, 0, 0, 0))
    plain.external_attr = 0o644 << 16
    unlisted = _zip(tmp_path / "unlisted.zip", [(plain, b""), *_entries(pack)])
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
    assert f"The file header of index.html at byte {offset:,} does not match the ZIP" in page
    assert "it names &#x27;indeX.html&#x27;" in page


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


def _platform_key(settings, tmp_path, *, recorded=True):
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
    if recorded:  # as migration 0003 did on an installation that had the key then
        from importlib import import_module

        from django.apps import apps

        import_module(
            "qms.evidence.migrations.0003_per_organization_signing_keys"
        ).record_platform_key(apps, None)
    return key


BEFORE_ORGANIZATION_KEYS = "2025-06-01T09:00:00Z"


def _signed_as_before(pack, tmp_path, key, name="old.zip", created_at=BEFORE_ORGANIZATION_KEYS):
    """The pack as the platform key signed packs before per-organisation keys (made, by
    default, before the organisations' keys took over)."""
    entries = dict(_entries(pack))
    manifest = json.loads(entries["manifest.json"])
    manifest["created_at"] = created_at
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


def _signed_again(pack, tmp_path, key, created_at, name="resigned.zip"):
    """The pack with its manifest dated `created_at` and signed with `key` (a stolen key)."""
    entries = dict(_entries(pack))
    manifest = json.loads(entries["manifest.json"])
    manifest["created_at"] = created_at
    entries["manifest.json"] = json.dumps(manifest).encode()
    entries["manifest.sig"] = (signing.sign(key, entries["manifest.json"]) + "\n").encode()
    return _zip(tmp_path / name, list(entries.items()))


@pytest.mark.parametrize("leaked", [False, True])
def test_a_stolen_key_signs_nothing_that_verifies_after_it_is_retired_or_revoked(
    cast, pack, tmp_path, leaked
):
    stolen = SigningKey.objects.get(organization=cast.org_a)
    # What a thief of the key signs before the organisation rotates it: an "old" pack.
    backdated = _signed_again(pack, tmp_path, stolen, "2026-01-05T09:00:00Z", "backdated.zip")
    later = _signed_again(pack, tmp_path, stolen, "2099-06-01T00:00:00Z", "later.zip")
    args = ["--organization", "acme-test", *(["--leaked"] if leaked else [])]
    out = io.StringIO()
    call_command("rotate_evidence_signing_key", *args, stdout=out)
    keys_file = signing.keys_file(cast.org_a).encode()
    for keys in (signing.trusted_keys(cast.org_a), keys_file):  # the page, the standalone
        report = verify.verify(later, keys, organization="acme-test")
        assert not report.ok
        assert any("cannot be trusted" in p for p in report.problems), report.problems
        # The genuine pack made before the rotation verifies unless the key was revoked.
        assert verify.verify(pack, keys, organization="acme-test").ok is (not leaked)
        # A backdated forgery cannot be told from a genuine old pack, unless revoked.
        assert verify.verify(backdated, keys, organization="acme-test").ok is (not leaked)
    if leaked:
        assert "revoked on" in " ".join(verify.verify(pack, keys_file).problems)
        assert "The old key is revoked" in out.getvalue()
        assert "Status: revoked " in keys_file.decode()
    # The standalone verifier's exit status says the same.
    (tmp_path / "keys.pem").write_bytes(keys_file)
    for path, verified in ((later, False), (pack, not leaked)):
        standalone = subprocess.run(
            [sys.executable, verify.__file__, str(path), str(tmp_path / "keys.pem")],
            capture_output=True, check=False,
        )  # fmt: skip
        assert (standalone.returncode == 0) is verified, standalone.stdout


def test_an_administrator_revokes_a_key_that_may_have_leaked_from_the_page(client, cast, pack):
    client.force_login(cast.adam)
    page = client.get(reverse("evidence:verify", args=["acme-test"])).content.decode()
    assert 'name="reason" value="leaked"' in page
    response = client.post(
        reverse("evidence:signing-key-rotate", args=["acme-test"]), {"reason": "leaked"}
    )
    page = client.get(response["Location"]).content.decode()
    assert "The old key is revoked" in page and "Revoked</strong>" in page
    assert SigningKey.objects.get(organization=cast.org_a, revoked=True)
    client.force_login(cast.quinn)
    assert VERIFIED not in _verify_page(client, pack)


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
    signing.current_key(cast.org_b)  # the rival has signed a pack too
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


# --- Every byte of the ZIP belongs to exactly one listed entry (third try-out of issue 20) ---
# Each forgery below verified on the page, in the command and in the standalone verifier,
# while another ZIP tool (Java's ZipInputStream, unzip) read something else from the file.

HIDDEN = "HIDDEN-auditor-note.txt"


def _refused_everywhere(client, cast, standalone, path, sentence):
    (page_ok, page), (command_ok, out), (script_ok, script_out) = _three_verdicts(
        client, cast, standalone, path
    )
    assert not page_ok and not command_ok and not script_ok
    page = html.unescape(page)
    assert sentence in page and sentence in out and sentence in script_out, (page, out)
    # Nothing is shown as intact: the pack was refused before any file was checked.
    assert 'status-green">intact' not in page
    assert "INTACT" not in out and "INTACT" not in script_out
    assert "PACK NOT VERIFIED" in script_out and "Not verified" in page


def _end(data):
    """(where the end record is, entries, index size, index offset)."""
    at = data.rfind(b"PK\x05\x06")
    entries, size, offset = struct.unpack("<HII", data[at + 10 : at + 20])
    return at, entries, size, offset


def _with_end(data, at, entries, size, offset):
    return (
        data[:at]
        + data[at : at + 8]
        + struct.pack("<HHII", entries, entries, size, offset)
        + data[at + 20 :]
    )


def _index_records(data):
    _, _, size, offset = _end(data)
    records, position = [], offset
    while position < offset + size:
        name_length, extra_length, comment_length = struct.unpack(
            "<HHH", data[position + 28 : position + 34]
        )
        length = 46 + name_length + extra_length + comment_length
        records.append(data[position : position + length])
        position += length
    return records


def _write(path, data):
    path.write_bytes(data)
    return path


def _rezipped(pack, tmp_path, name="rezipped.zip", change=None):
    """The pack's files written again by Python's zipfile, `change(info)` adjusting each."""
    path = tmp_path / name
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for entry, data in _entries(pack):
            info = zipfile.ZipInfo(entry, date_time=(2000, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            if change:
                change(info)
            archive.writestr(info, data)
    return path


def test_a_pack_rewritten_by_zipfile_still_verifies_so_the_forgeries_below_differ_by_one_thing(
    cast, pack, tmp_path
):
    rezipped = _rezipped(pack, tmp_path)
    assert verify.verify(rezipped, signing.trusted_keys(cast.org_a), organization="acme-test").ok


@pytest.mark.parametrize("how", ["a forged archive", "a self-extractor's script"])
def test_bytes_before_the_first_file_are_refused_everywhere(
    client, cast, pack, standalone, tmp_path, how
):
    """a) A whole forged pack in front of the genuine one: zipfile reads the genuine pack from
    the end, a streaming reader (Java's ZipInputStream) extracts the forgery from byte 0."""
    if how == "a forged archive":
        forged = [(n, b"FORGED,matrix\n" if n == DATA else d) for n, d in _entries(pack)]
        front = _zip(tmp_path / "front.zip", [*forged, ("9.2-audits/withdrawn.csv", b"AF-1\n")])
        path = _write(tmp_path / "forged.zip", front.read_bytes() + pack.read_bytes())
        length, like = front.stat().st_size, " (they begin like another ZIP's files)"
    else:  # the index's offsets count the script in front, as a self-extracting ZIP's do
        path, script = tmp_path / "forged.zip", b"#!/bin/sh\necho 'all findings closed'\n"
        with open(path, "wb") as handle:
            handle.write(script)
            with zipfile.ZipFile(handle, "w") as archive:
                for name, data in _entries(pack):
                    archive.writestr(name, data)
        length, like = len(script), ""
    assert zipfile.ZipFile(path).read(DATA) == dict(_entries(pack))[DATA]  # what zipfile sees
    _refused_everywhere(
        client, cast, standalone, path, f"The ZIP has {length:,} bytes before the first file{like}"
    )


def _hidden_local_entry(pack, tmp_path, position):
    """A ZIP with a file HIDDEN written among the pack's files at `position`, then struck from
    the index: zipfile never sees it, a streaming reader extracts it."""
    entries = _entries(pack)
    entries.insert(position, (HIDDEN, b"Auditor note: all findings closed.\n"))
    data = _zip(tmp_path / "with-hidden.zip", entries).read_bytes()
    at, count, _, offset = _end(data)
    records = _index_records(data)
    kept = [r for r in records if r[46 : 46 + len(HIDDEN)] != HIDDEN.encode()]
    hidden_at = struct.unpack("<I", records[position][42:46])[0]
    index = b"".join(kept)
    data = data[:offset] + index + data[at:]
    return _with_end(data, offset + len(index), count - 1, len(index), offset), hidden_at


@pytest.mark.parametrize("where", ["after the last file", "between two files"])
def test_an_entry_the_index_does_not_list_is_refused_everywhere(
    client, cast, pack, standalone, tmp_path, where
):
    """b) A file header the index does not list: streaming readers extract it."""
    position = len(_entries(pack)) if where == "after the last file" else 3
    data, hidden_at = _hidden_local_entry(pack, tmp_path, position)
    path = _write(tmp_path / "forged.zip", data)
    assert HIDDEN not in zipfile.ZipFile(path).namelist()
    _refused_everywhere(
        client, cast, standalone, path,
        f"The ZIP holds an entry the index does not list at byte {hidden_at:,} ({HIDDEN})",
    )  # fmt: skip


def test_stray_bytes_before_the_index_or_after_the_end_are_refused_everywhere(
    client, cast, pack, standalone, tmp_path
):
    data = pack.read_bytes()
    at, count, size, offset = _end(data)
    stray = _write(
        tmp_path / "stray.zip",
        _with_end(data[:offset] + b"\0" * 100 + data[offset:], at + 100, count, size, offset + 100),
    )
    _refused_everywhere(
        client, cast, standalone, stray,
        f"The ZIP holds 100 bytes the index does not account for at byte {offset:,}",
    )  # fmt: skip
    trailing = _write(tmp_path / "trailing.zip", data + b"AF-1 withdrawn")
    _refused_everywhere(
        client, cast, standalone, trailing, "The ZIP has 14 bytes after its end record"
    )


def _extra(kind, value):
    return struct.pack("<HH", kind, len(value)) + value


@pytest.mark.parametrize(
    "kind, value, sentence",
    [
        (
            0x7075,
            b"\x01" + struct.pack("<I", zlib.crc32(b"index.html")) + DATA.encode(),
            f"index.html carries a second name for a file in an extra field ({DATA}): unzip "
            "would write the file under that name",
        ),
        (0x5455, b"\x01" + struct.pack("<I", 0), "index.html carries timestamps in an extra field"),
        (0xCAFE, b"x" * 8, "index.html carries data of a kind in an extra field"),
    ],
    ids=["unicode path", "timestamps", "unknown"],
)
def test_an_extra_field_other_than_zip64_is_refused_everywhere(
    client, cast, pack, standalone, tmp_path, kind, value, sentence
):
    """c) The Info-ZIP Unicode Path field (0x7075) gives index.html a second name: unzip writes
    it as the data file, over the genuine one. zipfile ignores it; so did the verifier."""

    def change(info):
        if info.filename == "index.html":
            info.extra = _extra(kind, value)

    path = _rezipped(pack, tmp_path, change=change)
    _refused_everywhere(client, cast, standalone, path, sentence)


def test_an_archive_comment_is_refused_everywhere(client, cast, pack, standalone, tmp_path):
    """d) unzip prints the archive comment when it extracts the pack."""
    data = pack.read_bytes()
    at = _end(data)[0]
    note = b"NOTE FROM THE CERTIFICATION BODY: finding AF-1 was withdrawn; ignore 9.2."
    path = _write(tmp_path / "comment.zip", data[: at + 20] + struct.pack("<H", len(note)) + note)
    assert zipfile.ZipFile(path).comment == note
    _refused_everywhere(
        client, cast, standalone, path,
        f"The ZIP carries an archive comment ({len(note)} bytes), which unzip prints",
    )  # fmt: skip
    assert note.decode() not in _verify_page(client, path)  # the forger's text is not repeated


def _marked_encrypted(pack, tmp_path):
    """DATA's flags (file header and index alike) say it is encrypted."""
    data = bytearray(_rezipped(pack, tmp_path).read_bytes())
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        info = archive.getinfo(DATA)
    data[info.header_offset + 6] |= 0x01
    for record in _index_records(bytes(data)):
        if record[46 : 46 + len(DATA)] == DATA.encode():
            at = bytes(data).index(record)
            data[at + 8] |= 0x01
    return _write(tmp_path / "encrypted.zip", bytes(data))


def _changed(attribute, value):
    def forge(pack, tmp_path):
        def change(info):
            if info.filename == DATA:
                setattr(info, attribute, value)

        return _rezipped(pack, tmp_path, change=change)

    return forge


@pytest.mark.parametrize(
    "forge, sentence",
    [
        (_changed("comment", b"withdrawn"), "carries a comment in the ZIP"),
        (_changed("external_attr", 0o120777 << 16), "is marked as a link to another file"),
        (_marked_encrypted, "is marked as encrypted"),
    ],
    ids=["file comment", "symbolic link", "encrypted"],
)
def test_a_file_comment_a_link_or_encryption_is_refused_everywhere(
    client, cast, pack, standalone, tmp_path, forge, sentence
):
    _refused_everywhere(client, cast, standalone, forge(pack, tmp_path), f"{DATA} {sentence}")


@pytest.mark.parametrize("name", ["../outside.csv", "/etc/cron.d/qms", "6.2-objectives\\x.csv"])
def test_a_name_that_is_not_a_plain_relative_path_is_refused(cast, pack, tmp_path, name):
    path = _zip(tmp_path / "named.zip", [*_entries(pack), (name, b"x")])
    report = verify.verify(path, signing.trusted_keys(cast.org_a), organization="acme-test")
    assert not report.ok and not report.files
    assert f"{name!r}, which is not a plain relative path" in report.problems[0]


def test_a_file_header_that_disagrees_with_the_index_is_refused(cast, pack, tmp_path):
    """The index says one size, the file header another: which data is "the file" depends on
    the tool."""
    data = bytearray(pack.read_bytes())
    with zipfile.ZipFile(pack) as archive:
        info = archive.getinfo(DATA)
    crc = info.CRC.to_bytes(4, "little")
    at = info.header_offset + 14
    assert data[at : at + 4] == crc
    data[at : at + 4] = (info.CRC ^ 1).to_bytes(4, "little")  # the header's CRC only
    report = verify.verify(
        _write(tmp_path / "t.zip", bytes(data)), signing.trusted_keys(cast.org_a)
    )
    assert not report.ok and not report.files
    assert (
        f"The file header of {DATA} at byte {info.header_offset:,} does not match"
        in (report.problems[0])
    )
    assert "its sizes or checksum differ" in report.problems[0]


class _Unseekable(io.RawIOBase):
    def __init__(self, target):
        self.target = target

    def writable(self):
        return True

    def write(self, data):
        return self.target.write(data)


def _zip64_end(data):
    """The end as zipfile writes it past 4 GB or 65,535 files: a ZIP64 end record and its
    locator before the end record, and each index record's offset in a ZIP64 extra field."""
    at, count, _, offset = _end(data)
    index = b""
    for record in _index_records(data):
        assert record[30:32] == b"\0\0"  # no extra field yet
        header_offset = struct.unpack("<I", record[42:46])[0]
        extra = _extra(0x0001, struct.pack("<Q", header_offset))
        index += (
            record[:30] + struct.pack("<H", len(extra)) + record[32:42]
            + b"\xff\xff\xff\xff" + record[46:] + extra
        )  # fmt: skip
    end64_at = offset + len(index)
    end64 = b"PK\x06\x06" + struct.pack("<QHHIIQQQQ", 44, 45, 45, 0, 0, count, count,
                                        len(index), offset)  # fmt: skip
    locator = b"PK\x06\x07" + struct.pack("<IQI", 0, end64_at, 1)
    end = data[at : at + 8] + struct.pack("<HHII", count, count, len(index), 0xFFFFFFFF) + b"\0\0"
    return data[:offset] + index + end64 + locator + end


@pytest.mark.parametrize("form", ["streamed", "zip64 end"])
def test_packs_written_the_other_ways_the_writer_can_still_verify(cast, pack, tmp_path, form):
    """What zipfile writes when its target cannot seek (data descriptors after each file), and
    past the ZIP64 limits (end record and offsets in ZIP64 fields), is a pack as made."""
    if form == "streamed":
        path = tmp_path / "streamed.zip"
        with (
            open(path, "wb") as handle,
            zipfile.ZipFile(_Unseekable(handle), "w", zipfile.ZIP_DEFLATED) as archive,
        ):
            for name, data in _entries(pack):
                with archive.open(name, "w", force_zip64=True) as entry:
                    entry.write(data)
        assert all(info.flag_bits & 0x08 for info in zipfile.ZipFile(path).infolist())
    else:
        path = _write(tmp_path / "zip64.zip", _zip64_end(_rezipped(pack, tmp_path).read_bytes()))
        assert zipfile.ZipFile(path).read(DATA) == dict(_entries(pack))[DATA]
    report = verify.verify(path, signing.trusted_keys(cast.org_a), organization="acme-test")
    assert report.ok, report.problems


def test_a_zip_asking_for_a_newer_zip_tool_is_reported_not_raised(client, cast, pack, tmp_path):
    """zipfile raised NotImplementedError on opening it, and the page answered 500."""
    data = bytearray(pack.read_bytes())
    for record in _index_records(bytes(data)):
        if record[46 : 46 + len(DATA)] == DATA.encode():
            data[bytes(data).index(record) + 6] = 99  # "version needed to extract": 9.9
    client.force_login(cast.quinn)
    page = html.unescape(_verify_page(client, _write(tmp_path / "newer.zip", bytes(data))))
    assert f"{DATA} is stored in a way a pack never is" in page


STAMP = 0x2821 << 16  # 1 January 2000, midnight, as ZIP headers write it


def _slack_forgery(pack, tmp_path, smuggled: bytes, descriptor: bool, stored: bool = False):
    """The pack rebuilt with every file's content unchanged, but DATA's compressed region (as
    the index and a data descriptor give it) holding its real data and then `smuggled` bytes:
    zipfile stops at the end of the deflate stream (or at the file's size, stored), a streaming
    reader reads on (the fourth try-out's forgery)."""
    body, index, entries = b"", b"", _entries(pack)
    entries = [e for e in entries if e[0] != DATA] + [e for e in entries if e[0] == DATA]
    for name, data in entries:
        raw = name.encode()
        crc = zlib.crc32(data)
        if stored:
            packed, method = data, 0
        else:
            deflater = zlib.compressobj(6, zlib.DEFLATED, -15)
            packed, method = deflater.compress(data) + deflater.flush(), 8
        flags, region = 0, packed
        if name == DATA:
            region = packed + smuggled
            flags = 8 if descriptor else 0
        said = (0, 0, 0) if flags else (crc, len(region), len(data))
        offset = len(body)
        body += struct.pack("<4sHHHIIIIHH", b"PK\x03\x04", 20, flags, method, STAMP, *said,
                            len(raw), 0) + raw + region  # fmt: skip
        if flags:
            body += struct.pack("<4sIII", b"PK\x07\x08", crc, len(region), len(data))
        index += struct.pack("<4sHHHHIIIIHHHHHII", b"PK\x01\x02", 20, 20, flags, method, STAMP,
                             crc, len(region), len(data), len(raw), 0, 0, 0, 0, 0,
                             offset) + raw  # fmt: skip
    end = struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, len(entries), len(entries), len(index),
                      len(body), 0)  # fmt: skip
    return _write(tmp_path / "slack.zip", body + index + end)


@pytest.mark.parametrize(
    "descriptor, stored", [(True, False), (False, False), (False, True)],
    ids=["deflated, a data descriptor", "deflated, sizes in the header", "stored"],
)  # fmt: skip
def test_a_file_smuggled_after_a_listed_files_data_is_refused_everywhere(
    client, cast, pack, standalone, tmp_path, descriptor, stored
):
    """A whole file hidden inside a listed file's compressed size, after its deflate stream:
    every listed file's content and hash unchanged, so it verified (fourth try-out)."""
    hidden = b"HIDDEN-note-from-certification-body.txt"
    note = b"Finding AF-1 was withdrawn by the certification body.\n"
    header = (b"PK\x03\x04", 20, 0, 0, STAMP, zlib.crc32(note), len(note), len(note))
    smuggled = struct.pack("<4sHHHIIIIHH", *header, len(hidden), 0) + hidden + note
    path = _slack_forgery(pack, tmp_path, smuggled, descriptor, stored)
    with zipfile.ZipFile(path) as archive:  # what zipfile reads is the genuine pack
        assert dict(_entries(path)) == dict(_entries(pack))
        assert hidden.decode() not in archive.namelist()
    _refused_everywhere(
        client, cast, standalone, path, f"{DATA}'s compressed data holds bytes after its end"
    )


def test_a_pack_rebuilt_without_slack_still_verifies(cast, pack, tmp_path):
    """The same rebuilding with nothing smuggled verifies: the forgery above differs by that."""
    for descriptor in (True, False):
        path = _slack_forgery(pack, tmp_path, b"", descriptor)
        assert verify.verify(path, signing.trusted_keys(cast.org_a), organization="acme-test").ok


# --- Attributes, data descriptors and declared sizes (fifth try-out of issue 20) ------------


SPECIAL = "is marked as executable or setuid/setgid/sticky (permissions "


def _with_attributes(mode, dos=0):
    def forge(pack, tmp_path):
        def change(info):
            if info.filename == DATA:
                info.external_attr = mode << 16 | dos

        return _rezipped(pack, tmp_path, change=change)

    return forge


def _stored_with_a_descriptor(pack, tmp_path):
    """What zipfile writes for a stored file when its target cannot seek: the sizes after the
    data. Java's ZipInputStream cannot read such a file ("only DEFLATED entries can have EXT
    descriptor")."""
    path = tmp_path / "stored.zip"
    with (
        open(path, "wb") as handle,
        zipfile.ZipFile(_Unseekable(handle), "w", zipfile.ZIP_DEFLATED) as archive,
    ):
        for name, data in _entries(pack):
            info = zipfile.ZipInfo(name, date_time=(2000, 1, 1, 0, 0, 0))
            if name == DATA:
                info.compress_type = zipfile.ZIP_STORED
            else:
                info.compress_type = zipfile.ZIP_DEFLATED
            with archive.open(info, "w") as entry:
                entry.write(data)
    assert zipfile.ZipFile(path).getinfo(DATA).flag_bits & 0x08
    return path


@pytest.mark.parametrize(
    "forge, sentence",
    [
        (_with_attributes(0o104755), SPECIAL + "4755)"),
        (_with_attributes(0o102644), SPECIAL + "2644)"),
        (_with_attributes(0o100755), SPECIAL + "0755)"),
        (_with_attributes(0o000744), SPECIAL + "0744)"),
        (_with_attributes(0o010644), "is marked as a named pipe (FIFO)"),
        (_with_attributes(0o040775, 0x10), "is marked as a directory"),
        (_with_attributes(0o100644, 0x10), "is marked as a directory"),
        (_with_attributes(0o060644), "is marked as a device"),
        (_stored_with_a_descriptor, "is stored uncompressed with its sizes after its data"),
    ],
    ids=["setuid", "setgid", "executable", "executable by its owner", "fifo", "directory",
         "ms-dos directory", "device", "stored with a data descriptor"],
)  # fmt: skip
def test_file_attributes_and_a_stored_files_data_descriptor_are_refused_everywhere(
    client, cast, pack, standalone, tmp_path, forge, sentence
):
    """The ZIP's attributes and descriptors are not signed: unzip restores a setuid or
    executable mode and makes a FIFO or directory, Java cannot read a stored file whose sizes
    follow it; each of these verified (fifth try-out)."""
    _refused_everywhere(client, cast, standalone, forge(pack, tmp_path), f"{DATA} {sentence}")


@pytest.mark.parametrize("mode", [0, 0o644, 0o100644, 0o100600, 0o100666])
def test_a_plain_readable_file_s_attributes_still_verify(cast, pack, tmp_path, mode):
    path = _with_attributes(mode)(pack, tmp_path)
    assert verify.verify(path, signing.trusted_keys(cast.org_a), organization="acme-test").ok


class InflateMeter:
    """Counts every byte zlib inflates, in the verifier and in zipfile alike."""

    def __init__(self, monkeypatch):
        self.bytes, meter = 0, self

        class Inflater:
            def __init__(self, *args):
                self.real = zlib.decompressobj(*args)

            def decompress(self, data, max_length=0):
                out = self.real.decompress(data, max_length)
                meter.bytes += len(out)
                return out

            def __getattr__(self, name):
                return getattr(self.real, name)

        counted = types.SimpleNamespace(
            **{name: getattr(zlib, name) for name in dir(zlib) if not name.startswith("__")}
        )
        counted.decompressobj = Inflater
        monkeypatch.setattr(verify, "zlib", counted)
        monkeypatch.setattr(zipfile, "zlib", counted)


def _declaring(size: int, data: bytes, tmp_path, name="bomb.zip", entry=DATA):
    """A ZIP of one file, DATA, whose ZIP64 sizes declare it `size` bytes long, its data the
    deflated `data` (the try-out's bomb, small enough to build here)."""
    deflater = zlib.compressobj(9, zlib.DEFLATED, -15)
    packed = deflater.compress(data) + deflater.flush()
    raw, crc = entry.encode(), zlib.crc32(data)
    wide = struct.pack("<HHQQ", 1, 16, size, len(packed))
    local = struct.pack("<4sHHHIIIIHH", b"PK\x03\x04", 45, 0, 8, STAMP, crc, 0xFFFFFFFF,
                        0xFFFFFFFF, len(raw), len(wide)) + raw + wide  # fmt: skip
    index = struct.pack("<4sHHHHIIIIHHHHHII", b"PK\x01\x02", 45, 45, 0, 8, STAMP, crc,
                        0xFFFFFFFF, 0xFFFFFFFF, len(raw), len(wide), 0, 0, 0, 0o644 << 16,
                        0) + raw + wide  # fmt: skip
    body = local + packed
    end = struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, 1, 1, len(index), len(body), 0)
    return _write(tmp_path / name, body + index + end)


def test_a_zip_declaring_more_than_the_bound_is_refused_before_anything_is_inflated(
    client, cast, standalone, tmp_path, monkeypatch
):
    """The try-out's bomb declared 16 GiB in 16 MB of ZIP64 data: the layout check inflated it
    all (27 s of CPU per request) before the bound applied. Its first megabyte of data is
    enough here: refused on what it declares, nothing inflated, by every verifier."""
    bomb = _declaring(16 << 30, bytes(1 << 20), tmp_path)
    meter = InflateMeter(monkeypatch)
    sentence = (
        f"The ZIP would inflate to {16 << 30:,} bytes, more than the "
        f"{verify.MAX_INFLATED_BYTES:,} a pack is checked up to"
    )
    client.force_login(cast.quinn)
    page, (command_ok, out) = html.unescape(_verify_page(client, bomb)), _command(bomb)
    assert not command_ok and sentence in out and sentence in page
    assert not _command(bomb, "--organization", "acme-test")[0]
    assert meter.bytes == 0
    script_ok, script_out = standalone(bomb)
    assert not script_ok and sentence in script_out


def test_the_bound_applies_to_the_sum_of_the_files_before_the_layout_inflates_them(
    cast, pack, tmp_path, monkeypatch
):
    """A pack plus one 4 MB file of zeros (4 KB deflated), checked up to 2 MB: the page and
    command refuse it uninflated; the standalone verifier, given the same bound, too."""
    path = _zip(tmp_path / "big.zip", [*_entries(pack), ("zeros.bin", bytes(4 << 20))])
    declared = sum(info.file_size for info in zipfile.ZipFile(path).infolist())
    monkeypatch.setattr(verify, "MAX_INFLATED_BYTES", 2 << 20)
    meter = InflateMeter(monkeypatch)
    report = verify.verify(path, signing.trusted_keys(cast.org_a), organization="acme-test")
    assert report.problems == [
        f"The ZIP would inflate to {declared:,} bytes, more than the {2 << 20:,} a pack is "
        "checked up to: it was not checked. Verify it with the standalone verifier and a "
        "larger --max-inflated-bytes if you expect a pack this large."
    ]
    assert meter.bytes == 0
    assert not _command(path)[0] and meter.bytes == 0
    standalone = subprocess.run(
        [sys.executable, "-I", verify.__file__, str(path), "--max-inflated-bytes", str(2 << 20)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert standalone.returncode == 1 and f"inflate to {declared:,} bytes" in standalone.stdout


def test_a_file_inflating_past_its_declared_size_is_not_inflated_further(
    cast, tmp_path, monkeypatch
):
    """It declares 1 MB and inflates to 64 MB: the layout stops one read past its size."""
    # Named as the manifest: a ZIP without one is refused before any inflating.
    lying = _declaring(1 << 20, bytes(64 << 20), tmp_path, entry=verify.MANIFEST)
    meter = InflateMeter(monkeypatch)
    report = verify.verify(lying, signing.trusted_keys(cast.org_a))
    said = f"{verify.MANIFEST} inflates to more than the ZIP's index says."
    assert report.problems[0].startswith(said)
    # Read twice (the manifest before the layout inflates anything, then by the layout), each
    # time stopping one read past its declared size.
    assert meter.bytes <= 2 * ((1 << 20) + verify.CHUNK)


def test_a_zip_with_no_manifest_is_refused_before_anything_is_inflated(cast, tmp_path, monkeypatch):
    """A ZIP that cannot be a pack (no manifest.json) was inflated whole by the layout check
    before saying so: 4.7 s for a few gigabytes (sixth issue-20 try-out)."""
    path = _declaring(1 << 20, bytes(1 << 20), tmp_path, name="no-manifest.zip")
    meter = InflateMeter(monkeypatch)
    report = verify.verify(path, signing.trusted_keys(cast.org_a), organization="acme-test")
    assert not report.ok
    assert any("manifest.json is missing" in p for p in report.problems)
    assert meter.bytes == 0


@pytest.mark.parametrize("lie", ["unlisted", "resized"])
def test_a_file_the_manifest_proves_altered_is_refused_before_anything_is_inflated(
    client, cast, pack, tmp_path, monkeypatch, standalone, lie
):
    """A genuine pack with a large file of zeros the manifest does not list, or a listed file
    swapped for one of another size: the layout check inflated it all (3 to 5 s for 7 GiB)
    before the pack was refused (sixth and seventh issue-20 try-outs). Refused on what the
    manifest says, by every verifier, nothing but the manifest inflated."""
    entries = _entries(pack)
    if lie == "unlisted":
        forged = [*entries, ("zeros.bin", bytes(8 << 20))]
    else:
        forged = [
            (name, bytes(8 << 20) if name == "6.2-objectives/measurements.csv" else data)
            for name, data in entries
        ]
    path = _zip(tmp_path / "forged.zip", forged)
    manifest_size = len(dict(entries)["manifest.json"])
    meter = InflateMeter(monkeypatch)
    report = verify.verify(path, signing.trusted_keys(cast.org_a), organization="acme-test")
    assert not report.ok
    assert "the pack was altered. Nothing else in it was checked." in report.problems[-1]
    assert meter.bytes <= manifest_size + verify.CHUNK
    client.force_login(cast.quinn)
    assert "the pack was altered" in html.unescape(_verify_page(client, path))
    assert not _command(path)[0]
    script_ok, said = standalone(path)
    assert not script_ok and "the pack was altered" in said
