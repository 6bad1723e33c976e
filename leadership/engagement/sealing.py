"""Pulse survey answers sealed while their round is open.

An open round's answers are needed once, at the close, to count them. Until then each is kept
encrypted (AES-GCM with a random nonce, under a key of its own round derived from
SURVEY_SEALING_KEY or SECRET_KEY), so that someone holding the database, a backup or its logs
reads nothing of them: not a score, not a comment, not a unit, not a time (unlike a Fernet
token, the ciphertext carries no timestamp). The rows themselves say only "an answer to round
N", and the close deletes them after counting.
"""

from __future__ import annotations

import json
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

NONCE_BYTES = 12


class UnsealError(Exception):
    """A sealed answer that this installation's key cannot open (another key, or altered)."""


def _round_key(round_id: int, organization_id: int) -> bytes:
    master = (settings.SURVEY_SEALING_KEY or settings.SECRET_KEY).encode()
    return HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=b"qms pulse survey answers",
        info=f"organization {organization_id} round {round_id}".encode(),
    ).derive(master)


def _associated(round_id: int, organization_id: int) -> bytes:
    # Binds a sealed answer to its round: moved to another round's rows, it does not open.
    return f"{organization_id}:{round_id}".encode()


def seal(*, round_id: int, organization_id: int, answer: dict) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    plain = json.dumps(answer, separators=(",", ":"), sort_keys=True).encode()
    cipher = AESGCM(_round_key(round_id, organization_id))
    return nonce + cipher.encrypt(nonce, plain, _associated(round_id, organization_id))


def unseal(*, round_id: int, organization_id: int, sealed: bytes) -> dict:
    sealed = bytes(sealed)
    nonce, body = sealed[:NONCE_BYTES], sealed[NONCE_BYTES:]
    cipher = AESGCM(_round_key(round_id, organization_id))
    try:
        plain = cipher.decrypt(nonce, body, _associated(round_id, organization_id))
    except InvalidTag as error:
        raise UnsealError("This answer was sealed with another key or has been altered.") from error
    return json.loads(plain)
