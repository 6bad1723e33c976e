"""The keys that sign evidence packs: one Ed25519 key per organisation, from `cryptography`.

Why Ed25519 rather than an HMAC: anyone holding the *public* key can check a pack's signature
(a certification body, a court) without being able to forge one. Why one key per organisation:
the public key an organisation hands its auditors must vouch for its packs only; with one
platform key, another organisation's pack would verify on its page.

Each organisation's key is made on its first pack and kept in the database with its private
half sealed (AES-GCM under a key derived from EVIDENCE_KEY_ENCRYPTION_KEY, or SECRET_KEY when
that is not set), so a database dump or backup alone cannot sign. Rotating retires the key:
its private half is erased, its public half kept, so the packs it signed still verify.

Before per-organisation keys, one platform key (EVIDENCE_SIGNING_KEY or the PEM file at
EVIDENCE_SIGNING_KEY_FILE) signed every organisation's pack. It signs nothing now, and is
retired as of the moment per-organisation keys took over: its public half vouches for packs
made before then only, each for its own organisation (the signed manifest names it), reported
as "the platform key used before per-organisation keys". Its private half may still lie in the
old file or a backup, so the server's administrator can revoke it outright
(`rotate_evidence_signing_key --revoke-platform-key`).

Every verifier (the page, the command, the keys file the standalone verifier reads) trusts keys
built by `trusted_keys`, each with its status and date: a revoked key vouches for nothing, a
retired one for packs made before its retirement only.
"""

from __future__ import annotations

import base64
import datetime
import os
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.db.models import Min
from django.utils import timezone

from qms.core.keys import derived_key
from qms.core.models import Organization
from qms.evidence import verify
from qms.evidence.models import SigningKey

NONCE_BYTES = 12
PLATFORM_SIGNER = "the platform key used before per-organisation keys"
PLATFORM_RETIRED_BY = "per-organisation keys took over"
# The migration that made per-organisation keys and recorded the platform key's public half.
PER_ORGANIZATION_MIGRATION = ("evidence", "0003_per_organization_signing_keys")


class SigningKeyUnavailable(Exception):
    """The organisation's private key cannot be opened with this installation's secret."""


def _sealing_key(organization_id: int) -> bytes:
    return derived_key(
        settings.EVIDENCE_KEY_ENCRYPTION_KEY or settings.SECRET_KEY,
        salt=b"qms evidence signing keys",
        info=f"organization {organization_id}",
    )


def _associated(organization_id: int, fingerprint: str) -> bytes:
    # Binds the sealed key to its row: copied to another organisation's row, it does not open.
    return f"{organization_id}:{fingerprint}".encode()


def _public_pem(key: Ed25519PrivateKey) -> str:
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def _create(organization: Organization, created_by: str) -> SigningKey:
    private = Ed25519PrivateKey.generate()
    public = _public_pem(private)
    fingerprint = verify.fingerprint(public.encode())
    raw = private.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    nonce = os.urandom(NONCE_BYTES)
    sealed = nonce + AESGCM(_sealing_key(organization.pk)).encrypt(
        nonce, raw, _associated(organization.pk, fingerprint)
    )
    return SigningKey.objects.create(
        organization=organization,
        fingerprint=fingerprint,
        public_key=public,
        private_key_sealed=sealed,
        created_by=created_by[:200],
    )


def current_key(organization: Organization, created_by: str = "first evidence pack") -> SigningKey:
    """The organisation's key in use, made on first use."""
    key = SigningKey.objects.for_organization(organization).filter(retired_at=None).first()
    if key is not None:
        return key
    try:
        with transaction.atomic():
            return _create(organization, created_by)
    except IntegrityError:  # another process made it first
        return SigningKey.objects.for_organization(organization).get(retired_at=None)


def private_key(key: SigningKey) -> Ed25519PrivateKey:
    if not key.private_key_sealed:
        raise SigningKeyUnavailable("This signing key was retired: it signs nothing any more.")
    sealed = bytes(key.private_key_sealed)
    try:
        raw = AESGCM(_sealing_key(key.organization_id)).decrypt(
            sealed[:NONCE_BYTES],
            sealed[NONCE_BYTES:],
            _associated(key.organization_id, key.fingerprint),
        )
    except InvalidTag as error:
        raise SigningKeyUnavailable(
            "The organisation's evidence signing key cannot be opened: EVIDENCE_KEY_ENCRYPTION_KEY "
            "(or SECRET_KEY, when that is not set) is not the one it was sealed with. Restore "
            "that secret, or rotate the key (python manage.py rotate_evidence_signing_key "
            f"--organization {key.organization.slug}); packs it signed still verify."
        ) from error
    return Ed25519PrivateKey.from_private_bytes(raw)


def sign(key: SigningKey, data: bytes) -> str:
    return base64.b64encode(private_key(key).sign(data)).decode()


@transaction.atomic
def rotate(
    organization: Organization, *, actor: str, history_user=None, leaked: bool = False
) -> SigningKey:
    """Retire the organisation's key (its private half erased, its public half kept so packs
    made before still verify) and make a new one; `leaked`: revoke it instead, so that no pack
    it signed verifies any more. Both changes are in the audit trail."""
    old = (
        SigningKey.objects.select_for_update()
        .for_organization(organization)
        .filter(retired_at=None)
        .first()
    )
    if old is not None:
        old.retired_at = timezone.now()
        old.retired_by = actor[:200]
        old.revoked = leaked
        old.private_key_sealed = None
        old._history_user = history_user
        old.save()
    new = _create(organization, created_by=actor)
    if history_user is not None:
        # simple_history recorded the creation without a user; name it.
        new.history.filter(history_type="+").update(history_user=history_user)
    return new


def organization_keys(organization: Organization) -> list[SigningKey]:
    """The organisation's keys, newest first (the one in use, then the retired ones)."""
    return list(SigningKey.objects.for_organization(organization).order_by("-created_at", "-id"))


def legacy_public_key_pem() -> str | None:
    """The public half of EVIDENCE_SIGNING_KEY / EVIDENCE_SIGNING_KEY_FILE, if configured;
    never generated any more."""
    pem = settings.EVIDENCE_SIGNING_KEY
    if not pem:
        path = Path(settings.EVIDENCE_SIGNING_KEY_FILE)
        if not path.is_file():
            return None
        pem = path.read_text()
    key = serialization.load_pem_private_key(pem.encode(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError("EVIDENCE_SIGNING_KEY must be an Ed25519 private key (PEM, PKCS#8).")
    return _public_pem(key)


def _per_organization_keys_since() -> datetime.datetime | None:
    """When per-organisation keys took over from the platform key: the earliest of the
    migration that made them (when it was applied, and when it recorded the platform key) and
    the first organisation key's creation. None if none of these is known."""
    known = [
        SigningKey.objects.aggregate(first=Min("created_at"))["first"],  # any key, both kinds
    ]
    recorder = MigrationRecorder(connection)
    if recorder.has_table():
        app, name = PER_ORGANIZATION_MIGRATION
        applied = recorder.migration_qs.filter(app=app, name=name)
        known.append(applied.values_list("applied", flat=True).first())
    return min((when for when in known if when is not None), default=None)


def platform_keys() -> list[SigningKey]:
    """The former platform key, retired (when per-organisation keys took over) or revoked, as
    migration 0003 recorded it from the key file of that day. Only that key: a key file that
    appears later (a restored backup, a shared volume, a fresh installation that never had
    one) is not the key that signed the old packs, and is trusted for nothing (*found by the
    sixth try-out:* a new file put in place after the revocation vouched for back-dated packs
    of every organisation). A key whose retirement is not recorded is given that moment; with
    no such moment known, it is not trusted at all."""
    keys = list(SigningKey.objects.filter(organization=None).order_by("created_at", "id"))
    if any(key.retired_at is None for key in keys):
        since = _per_organization_keys_since()
        for key in keys:
            if key.retired_at is None:
                key.retired_at, key.retired_by = since, PLATFORM_RETIRED_BY
    return [key for key in keys if key.retired_at is not None]


def _status(key: SigningKey) -> str:
    """The key's `Status:` in a keys file, as `verify` reads it: when it was retired or
    revoked, in UTC to the second, as packs' manifests say when they were made."""
    if key.retired_at is None:
        return "current"
    when = key.retired_at.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return f"{'revoked' if key.revoked else 'retired'} {when}"


def _trusted(key: SigningKey, organization: Organization | None) -> verify.TrustedKey:
    """The one way a stored key becomes a key a verifier trusts: bound to `organization` (its
    own, for an organisation's key), with its status and date."""
    return verify.TrustedKey(
        pem=key.public_key.encode(),
        signer=PLATFORM_SIGNER if key.organization_id is None else organization.name,
        organization=organization.slug if organization else None,
        organization_name=organization.name if organization else "",
        status=_status(key),
    )


def trusted_keys(organization: Organization | None = None) -> list[verify.TrustedKey]:
    """What a pack may be signed with. For one organisation (its page, its keys file, the
    command with --organization): its own keys, current, retired and revoked, and the former
    platform key, for a manifest naming this organisation. Without one (the command run by the
    server's administrator, which says whose a pack is): every organisation's keys, each for
    its own organisation, and the platform key for any."""
    if organization is not None:
        own = organization_keys(organization)
    else:
        own = list(SigningKey.objects.exclude(organization=None).select_related("organization"))
    keys = [_trusted(key, organization or key.organization) for key in own]
    return keys + [_trusted(key, organization) for key in platform_keys()]


@transaction.atomic
def revoke_platform_key(*, actor: str) -> list[SigningKey]:
    """Revoke the former platform key outright (its private half may still be in the old key
    file or a backup): no pack it signed verifies any more, for any organisation. Returns the
    keys revoked now (none if there is none, or it was revoked before)."""
    now, revoked = timezone.now(), []
    for key in platform_keys():
        if key.revoked:
            continue
        key.revoked, key.retired_at, key.retired_by = True, now, actor[:200]
        key.save()
        revoked.append(key)
    return revoked


def keys_file(organization: Organization) -> str:
    """The organisation's public keys as one PEM file, for its auditors and the verifier. It
    only reads: a download (a GET) never makes a key; the first pack signed does."""
    header = (
        f"# Evidence-pack signing keys of {organization.name} ({organization.slug}).\n"
        "# Public keys: a pack verifies only if one of these signed it and its manifest names\n"
        "# this organisation. Check a pack with the verifier from the same page:\n"
        f"#   python3 qms-evidence-verify.py PACK.zip qms-evidence-keys-{organization.slug}.pem\n"
        "# Compare the current key's fingerprint with the one the organisation gave you.\n"
        "# Status: a key 'retired <time>' vouches only for packs made up to that time (UTC);\n"
        "# a key 'revoked <time>' may have leaked and vouches for no pack at all.\n"
    )
    if not organization_keys(organization):
        header += (
            f"# {organization.name} has no signing key yet: its first evidence pack makes it.\n"
            "# Download this file again once that pack is ready.\n"
        )
    keys = trusted_keys(organization)
    for key in keys:
        if key.signer == PLATFORM_SIGNER:
            state, _, when = key.status.partition(" ")
            header += f"# {PLATFORM_SIGNER[0].upper()}{PLATFORM_SIGNER[1:]}\n# " + (
                f"was revoked on {when}: it vouches for no pack.\n"
                if state == "revoked"
                else f"vouches only for packs made up to {when}, when {PLATFORM_RETIRED_BY}.\n"
            )
    return header + "\n" + "\n".join(verify.keys_file_block(key) for key in keys)
