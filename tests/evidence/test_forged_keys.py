"""Packs signed with a key that no longer vouches for them: a revoked key (it may have leaked),
a retired key for a pack dated after its retirement, the former platform key for a pack dated
after per-organisation keys took over, or a manifest that does not say when it was made. Each
forgery is run through every verifier: the page, the command with and without --organization,
and the downloaded standalone verifier in its own process (fifth try-out of issue 20: the
command without --organization accepted them all, and the platform key signed packs of any
date for any organisation)."""

import base64
import hashlib
import html
import io
import json
from importlib import import_module

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.apps import apps
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from qms.evidence import signing, verify
from qms.evidence.models import SigningKey
from tests.evidence.test_forgery import (
    DATA,
    VERIFIED,
    _build,
    _command,
    _entries,
    _platform_key,
    _signed_as_before,
    _verify_page,
    _zip,
)

pytestmark = pytest.mark.django_db
LATER = "2099-06-01T00:00:00Z"


def _forged(pack, tmp_path, key: Ed25519PrivateKey, created_at, name="forged.zip"):
    """The pack with a forged row in DATA, the manifest re-hashed, dated `created_at` (left out
    when None) and signed with `key`: what a holder of a stolen key makes."""
    entries = dict(_entries(pack))
    entries[DATA] += b"FORGED,row,closed\n"
    manifest = json.loads(entries["manifest.json"])
    for listed in manifest["files"]:
        if listed["path"] == DATA:
            listed["sha256"] = hashlib.sha256(entries[DATA]).hexdigest()
            listed["size"] = len(entries[DATA])
    if created_at is None:
        del manifest["created_at"]
    else:
        manifest["created_at"] = created_at
    entries["manifest.json"] = (json.dumps(manifest, sort_keys=True, indent=2) + "\n").encode()
    entries["manifest.sig"] = base64.b64encode(key.sign(entries["manifest.json"])) + b"\n"
    return _zip(tmp_path / name, entries.items())


def _every_verdict(client, cast, standalone, path):
    """{verifier: (verified, what it said)} for the four ways to verify a pack."""
    client.force_login(cast.quinn)
    return {
        "page": (lambda page: (VERIFIED in page, html.unescape(page)))(_verify_page(client, path)),
        "command --organization": _command(path, "--organization", "acme-test"),
        "command": _command(path),
        "standalone": standalone(path),
    }


def _refused_by_all(verdicts, sentence):
    for verifier, (verified, said) in verdicts.items():
        assert not verified, f"{verifier} verified it:\n{said}"
        assert sentence in said, f"{verifier} did not say {sentence!r}:\n{said}"


def _verified_by_all(verdicts):
    for verifier, (verified, said) in verdicts.items():
        assert verified, f"{verifier} refused it:\n{said}"


def _revoke_acmes_key():
    call_command(
        "rotate_evidence_signing_key",
        *("--organization", "acme-test", "--leaked"),
        stdout=io.StringIO(),
    )


def _stolen(organization):
    return signing.private_key(signing.current_key(organization))


@pytest.mark.parametrize(
    "which", ["forgery dated now", "forgery dated before the revocation", "genuine pack"]
)
def test_no_pack_of_a_revoked_key_verifies_anywhere(
    client, cast, pack, tmp_path, standalone, which
):
    stolen = _stolen(cast.org_a)
    path = {
        "forgery dated now": lambda: _forged(pack, tmp_path, stolen, LATER),
        "forgery dated before the revocation": lambda: _forged(
            pack, tmp_path, stolen, "2026-01-05T09:00:00Z"
        ),
        "genuine pack": lambda: pack,
    }[which]()
    _revoke_acmes_key()
    _refused_by_all(
        _every_verdict(client, cast, standalone, path), "This pack was signed with a key revoked on"
    )


def test_a_retired_key_vouches_only_for_packs_made_before_its_retirement_anywhere(
    client, cast, pack, tmp_path, standalone
):
    later = _forged(pack, tmp_path, _stolen(cast.org_a), LATER)
    call_command("rotate_evidence_signing_key", "--organization", "acme-test", stdout=io.StringIO())
    _refused_by_all(
        _every_verdict(client, cast, standalone, later),
        f"This pack says it was made on {LATER}, after its signing key was retired",
    )
    _verified_by_all(_every_verdict(client, cast, standalone, pack))


@pytest.mark.parametrize("retired_by", ["migration 0005", "the moment organisation keys began"])
def test_the_platform_key_vouches_only_for_packs_made_before_organisation_keys_anywhere(
    client, cast, pack, tmp_path, settings, standalone, retired_by
):
    platform = _platform_key(settings, tmp_path)  # recorded, as migration 0003 did
    first_key = SigningKey.objects.get(organization=cast.org_a).created_at
    if retired_by == "migration 0005":
        import_module("qms.evidence.migrations.0005_platform_key_retired").retire_platform_key(
            apps, None
        )
        settings.EVIDENCE_SIGNING_KEY_FILE = str(tmp_path / "destroyed.pem")
        assert SigningKey.objects.get(organization=None).retired_at == first_key
    cutoff = first_key.strftime("%Y-%m-%dT%H:%M:%SZ")
    now = _signed_as_before(pack, tmp_path, platform, "now.zip", created_at=LATER)
    _refused_by_all(
        _every_verdict(client, cast, standalone, now),
        f"This pack says it was made on {LATER}, after its signing key was retired ({cutoff})",
    )
    _verified_by_all(
        _every_verdict(client, cast, standalone, _signed_as_before(pack, tmp_path, platform))
    )
    # Another organisation's pack dated now is no one's, the command without --organization
    # included (it trusted the platform key for any organisation at any date).
    rival = _build(cast, tmp_path, org=cast.org_b, name="rival.zip").path
    forged = _signed_as_before(rival, tmp_path, platform, "rival-now.zip", created_at=LATER)
    verified, said = _command(forged)
    assert not verified and "after its signing key was retired" in said
    # The keys file says the cut-off, in the key's status and in words.
    client.force_login(cast.audrey)
    keys = client.get(reverse("evidence:public-key", args=["acme-test"])).content.decode()
    assert f"Signer: {signing.PLATFORM_SIGNER}\nFingerprint: " in keys
    assert f"Status: retired {cutoff}\n" in keys
    assert f"# vouches only for packs made up to {cutoff}, when per-organisation keys" in keys
    client.force_login(cast.quinn)
    page = client.get(reverse("evidence:verify", args=["acme-test"])).content.decode()
    shown = timezone.localtime(first_key).strftime("%-d %b %Y, %H:%M")
    assert f"<strong>Retired</strong> {shown}, when per-organisation keys took over" in page


def test_the_server_administrator_revokes_the_platform_key_outright(
    client, cast, pack, tmp_path, settings, standalone
):
    platform = _platform_key(settings, tmp_path)
    old = _signed_as_before(pack, tmp_path, platform)
    _verified_by_all(_every_verdict(client, cast, standalone, old))
    out = io.StringIO()
    call_command("rotate_evidence_signing_key", "--revoke-platform-key", stdout=out)
    assert "is revoked: no pack it signed verifies any more, for any organisation" in out.getvalue()
    assert "Destroy its file (EVIDENCE_SIGNING_KEY_FILE)" in out.getvalue()
    revoked = SigningKey.objects.get(organization=None)
    assert revoked.revoked and revoked.private_key_sealed is None
    # Recorded by the migration, then revoked: both in the trail.
    assert [h.history_type for h in revoked.history.all()] == ["~", "+"]
    # Revoked, it vouches for nothing, with or without the file still in place.
    for key_file in (settings.EVIDENCE_SIGNING_KEY_FILE, str(tmp_path / "destroyed.pem")):
        settings.EVIDENCE_SIGNING_KEY_FILE = key_file
        _refused_by_all(
            _every_verdict(client, cast, standalone, old),
            "This pack was signed with a key revoked on",
        )
    client.force_login(cast.audrey)
    keys = client.get(reverse("evidence:public-key", args=["acme-test"])).content.decode()
    assert "Status: revoked " in keys and "was revoked on" in keys
    client.force_login(cast.quinn)
    page = client.get(reverse("evidence:verify", args=["acme-test"])).content.decode()
    assert "<strong>Revoked</strong>" in page and "no pack it signed verifies" in page
    out = io.StringIO()
    call_command("rotate_evidence_signing_key", "--revoke-platform-key", stdout=out)
    assert "There is no platform key to revoke" in out.getvalue()
    # Organisations' own keys are untouched.
    assert not SigningKey.objects.filter(organization__isnull=False, revoked=True).exists()


@pytest.mark.parametrize(
    "created_at, shown",
    [
        (None, "nothing"),
        ("", "nothing"),
        ("2026-12-03", "'2026-12-03'"),
        ("2026-12-03T10:00:00+00:00", "'2026-12-03T10:00:00+00:00'"),
        ("2026-02-30T10:00:00Z", "'2026-02-30T10:00:00Z'"),
        ("yesterday", "'yesterday'"),
        (20261203, "20261203"),
    ],
)
def test_a_manifest_that_does_not_say_when_in_utc_is_refused_anywhere(
    client, cast, pack, tmp_path, standalone, created_at, shown
):
    """Signed with the key in use, so only the date is wrong: a retired key's pack with no
    readable date was compared with nothing and verified."""
    forged = _forged(pack, tmp_path, _stolen(cast.org_a), created_at)
    _refused_by_all(
        _every_verdict(client, cast, standalone, forged),
        f"The manifest gives {shown} as the time the pack was made (created_at)",
    )


@pytest.mark.parametrize(
    "status", ["retired", "retired soon", "retired 2026-13-01T00:00:00Z", "Expired 2026-01-01"]
)
def test_a_key_status_the_verifier_cannot_read_vouches_for_nothing(cast, pack, status):
    keys = signing.keys_file(cast.org_a).replace("Status: current", f"Status: {status}")
    report = verify.verify(pack, keys.encode(), organization="acme-test")
    assert not report.ok
    assert report.signature == verify.VALID  # the key did sign it; its status refuses it
    assert f"the status {status!r}, which this verifier cannot read" in report.problems[0]


def test_a_key_retired_on_a_day_vouches_for_that_days_packs(cast, pack):
    made = json.loads(dict(_entries(pack))["manifest.json"])["created_at"]
    keys = signing.keys_file(cast.org_a)
    for day, verified in ((made[:10], True), ("2020-01-01", False)):
        dated = keys.replace("Status: current", f"Status: retired {day}")
        assert verify.verify(pack, dated.encode(), organization="acme-test").ok is verified


def test_every_verifier_is_given_each_keys_status(cast, pack):
    """One function builds the trusted keys of the page, the command and the keys file."""
    _revoke_acmes_key()
    for keys in (signing.trusted_keys(cast.org_a), signing.trusted_keys()):
        statuses = {key.fingerprint: key.status for key in keys}
        for stored in SigningKey.objects.all():
            assert statuses[stored.fingerprint].split(" ")[0] == (
                "revoked" if stored.revoked else "current"
            )


@pytest.mark.parametrize("revoked_before", [False, True])
def test_a_key_file_that_appears_after_the_move_to_organisation_keys_vouches_for_nothing(
    client, cast, pack, tmp_path, settings, standalone, revoked_before
):
    """Only the platform key migration 0003 recorded is the one that signed the old packs. A
    key file put in place later (a restored backup, a shared volume, after the revocation, or
    on an installation that never had one) signs back-dated forgeries that verified for every
    organisation (sixth issue-20 try-out)."""
    if revoked_before:
        _platform_key(settings, tmp_path)
        call_command("rotate_evidence_signing_key", "--revoke-platform-key", stdout=io.StringIO())
    newcomer = _platform_key(settings, tmp_path, recorded=False)
    old = _signed_as_before(pack, tmp_path, newcomer)
    verdicts = _every_verdict(client, cast, standalone, old)
    for verifier, (verified, said) in verdicts.items():
        assert not verified, f"{verifier} verified it:\n{said}"
    client.force_login(cast.audrey)
    keys = client.get(reverse("evidence:public-key", args=["acme-test"])).content.decode()
    assert newcomer_fingerprint(newcomer) not in keys


def newcomer_fingerprint(key) -> str:
    from cryptography.hazmat.primitives import serialization

    from qms.evidence import verify

    pem = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return verify.fingerprint(pem)
