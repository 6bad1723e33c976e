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
EVIDENCE_SIGNING_KEY_FILE) signed every organisation's pack. It signs nothing now; its public
half is still trusted, for each organisation's own old packs only (the signed manifest names
the organisation), and is reported as "the platform key used before per-organisation keys".
"""

from __future__ import annotations

import base64
import os
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from qms.core.keys import derived_key
from qms.core.models import Organization
from qms.evidence import verify
from qms.evidence.models import SigningKey

NONCE_BYTES = 12
PLATFORM_SIGNER = "the platform key used before per-organisation keys"


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
def rotate(organization: Organization, *, actor: str, history_user=None) -> SigningKey:
    """Retire the organisation's key (its private half erased, its public half kept so old
    packs still verify) and make a new one. Both changes are in the audit trail."""
    old = (
        SigningKey.objects.select_for_update()
        .for_organization(organization)
        .filter(retired_at=None)
        .first()
    )
    if old is not None:
        old.retired_at = timezone.now()
        old.retired_by = actor[:200]
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


def _platform_pems() -> list[str]:
    """The platform key's public half: recorded by the migration, and read from the settings
    for an installation that still configures it."""
    pems = list(SigningKey.objects.filter(organization=None).values_list("public_key", flat=True))
    configured = legacy_public_key_pem()
    if configured and configured not in pems:
        pems.append(configured)
    return pems


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


def trusted_keys(organization: Organization) -> list[verify.TrustedKey]:
    """What a pack of this organisation may be signed with: its own keys, current and
    retired, and the old platform key (for a manifest naming this organisation only)."""
    keys = [
        verify.TrustedKey(
            pem=key.public_key.encode(),
            signer=organization.name,
            organization=organization.slug,
            organization_name=organization.name,
            status="current" if key.retired_at is None else f"retired {key.retired_at:%Y-%m-%d}",
        )
        for key in organization_keys(organization)
    ]
    keys += [
        verify.TrustedKey(
            pem=pem.encode(),
            signer=PLATFORM_SIGNER,
            organization=organization.slug,
            organization_name=organization.name,
            status="platform key, signs nothing any more",
        )
        for pem in _platform_pems()
    ]
    return keys


def all_trusted_keys() -> list[verify.TrustedKey]:
    """Every organisation's keys, each for its own organisation, and the platform key for any
    (the command, run by the server's administrator, says whose a pack is)."""
    keys = [
        verify.TrustedKey(
            pem=key.public_key.encode(),
            signer=key.organization.name,
            organization=key.organization.slug,
            organization_name=key.organization.name,
        )
        for key in SigningKey.objects.exclude(organization=None).select_related("organization")
    ]
    keys += [
        verify.TrustedKey(pem=pem.encode(), signer=PLATFORM_SIGNER) for pem in _platform_pems()
    ]
    return keys


def keys_file(organization: Organization) -> str:
    """The organisation's public keys as one PEM file, for its auditors and the verifier."""
    current_key(organization, created_by="public key download")
    header = (
        f"# Evidence-pack signing keys of {organization.name} ({organization.slug}).\n"
        "# Public keys: a pack verifies only if one of these signed it and its manifest names\n"
        "# this organisation. Check a pack with the verifier from the same page:\n"
        f"#   python3 qms-evidence-verify.py PACK.zip qms-evidence-keys-{organization.slug}.pem\n"
        "# Compare the current key's fingerprint with the one the organisation gave you.\n\n"
    )
    blocks = [verify.keys_file_block(key) for key in trusted_keys(organization)]
    return header + "\n".join(blocks)
