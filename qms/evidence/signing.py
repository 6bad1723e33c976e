"""The key that signs evidence packs: Ed25519, from the `cryptography` library.

Why Ed25519 rather than an HMAC: anyone holding the *public* key can check a pack's signature
(a certification body, a court), without being able to forge one. The private key comes from
`EVIDENCE_SIGNING_KEY` (PEM text) or `EVIDENCE_SIGNING_KEY_FILE` (a path to a PEM file); with
neither set (the embedded demo), one is generated on first use and kept in the data directory,
so packs stay verifiable across restarts. Back that file up: packs signed with a lost key can
still be checked against the public key they were published with, but no new pack can be
signed with it.
"""

from __future__ import annotations

import base64
import hashlib
import os
from functools import lru_cache
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings


@lru_cache(maxsize=1)
def private_key() -> Ed25519PrivateKey:
    pem = settings.EVIDENCE_SIGNING_KEY
    if not pem:
        path = Path(settings.EVIDENCE_SIGNING_KEY_FILE)
        if not path.exists():
            _generate(path)
        pem = path.read_text()
    key = serialization.load_pem_private_key(pem.encode(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError("EVIDENCE_SIGNING_KEY must be an Ed25519 private key (PEM, PKCS#8).")
    return key


def _generate(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    # Created readable by the owner only; O_EXCL so two processes never overwrite each other.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    with os.fdopen(fd, "wb") as out:
        out.write(pem)


def public_key_pem() -> str:
    return (
        private_key()
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def key_id() -> str:
    """SHA-256 of the raw public key, in hex: short enough to read out over the phone."""
    raw = (
        private_key()
        .public_key()
        .public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    )
    return hashlib.sha256(raw).hexdigest()


def sign(data: bytes) -> str:
    return base64.b64encode(private_key().sign(data)).decode()
