"""Keys derived from an installation secret, one per purpose and record (HKDF-SHA256): the
sealing of survey answers and of evidence signing keys share this, each with its own salt."""

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF


def derived_key(secret: str, *, salt: bytes, info: str) -> bytes:
    """A 32-byte key for `info` (e.g. "organization 7 round 3") under `secret` and `salt`."""
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=info.encode()).derive(
        secret.encode()
    )
