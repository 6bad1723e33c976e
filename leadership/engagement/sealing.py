"""Pulse survey answers sealed while their round is open.

An open round's answers are needed once, at the close, to count them. Until then each is kept
encrypted (AES-GCM with a random nonce, under a key of its own round derived from
SURVEY_SEALING_KEY or SECRET_KEY), so that someone holding the database, a backup or its logs
reads nothing of them: not a score, not a comment, not a unit, not a time (unlike a Fernet
token, the ciphertext carries no timestamp). The rows themselves say only "an answer to round
N", and the close deletes them after counting.

Two things besides the content could still tie a sealed answer to the member who sent it, and
both are taken away here:

- Its size. A comment is published verbatim after the close, so a sealed answer whose length
  gave away its comment's length (or the digits of its unit's id) would tell, from a copy of
  the database taken while the round was open, who wrote which comment. Every answer is padded
  to ONE size, `PLAIN_BYTES`, the largest any allowed answer can take (`MAX_STATEMENTS` scores
  under the longest possible keys, the longest unit id, `COMMENT_MAX_CHARS` characters at the
  UTF-8 worst case of 4 bytes each); anything larger is refused, never sealed unpadded.
- Its place. Rows written one per answer sit in the order the answers came, beside the
  participations (who answered) in that same order. `reseal_round` therefore opens all of a
  round's answers on every new answer, shuffles them and seals each again with a fresh nonce,
  and the service rewrites all the round's rows in that order in the answer's transaction.
"""

from __future__ import annotations

import json
import os
import secrets

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

from leadership.engagement.models.surveys import COMMENT_MAX_CHARS, MAX_STATEMENTS
from qms.core.keys import derived_key

NONCE_BYTES = 12
TAG_BYTES = 16
VERSION = b"\x01"  # padded layout; a plaintext starting with "{" is an older, unpadded answer
LENGTH_BYTES = 2
# The meta part is compact JSON: {"scores":{"<key>":5,...},"unit":<id>|null}. A key is a
# statement's id and a unit id a BigAutoField: at most 19 digits each (20 allowed).
ID_MAX_DIGITS = 20
META_MAX_BYTES = (
    len('{"scores":{},"unit":}')
    + MAX_STATEMENTS * len('"":5,')
    + MAX_STATEMENTS * ID_MAX_DIGITS
    + ID_MAX_DIGITS
)
COMMENT_MAX_BYTES = COMMENT_MAX_CHARS * 4  # UTF-8 takes at most 4 bytes a character
PLAIN_BYTES = len(VERSION) + LENGTH_BYTES + META_MAX_BYTES + LENGTH_BYTES + COMMENT_MAX_BYTES
SEALED_BYTES = NONCE_BYTES + PLAIN_BYTES + TAG_BYTES


class UnsealError(Exception):
    """A sealed answer that this installation's key cannot open (another key, or altered)."""


class TooLarge(ValueError):
    """An answer larger than the one size all sealed answers share; never sealed."""


def _round_key(round_id: int, organization_id: int) -> bytes:
    return derived_key(
        settings.SURVEY_SEALING_KEY or settings.SECRET_KEY,
        salt=b"qms pulse survey answers",
        info=f"organization {organization_id} round {round_id}",
    )


def _associated(round_id: int, organization_id: int) -> bytes:
    # Binds a sealed answer to its round: moved to another round's rows, it does not open.
    return f"{organization_id}:{round_id}".encode()


def _padded(answer: dict) -> bytes:
    meta = json.dumps(
        {"scores": answer["scores"], "unit": answer["unit"]}, separators=(",", ":"), sort_keys=True
    ).encode()
    comment = answer.get("comment", "")
    try:
        text = comment.encode("utf-8")
    except UnicodeEncodeError as error:
        raise TooLarge("The comment holds characters that cannot be stored.") from error
    if len(comment) > COMMENT_MAX_CHARS or len(text) > COMMENT_MAX_BYTES:
        raise TooLarge(f"A comment has at most {COMMENT_MAX_CHARS} characters.")
    if len(meta) > META_MAX_BYTES:
        raise TooLarge(f"An answer has at most {MAX_STATEMENTS} scores.")
    body = (
        VERSION
        + len(meta).to_bytes(LENGTH_BYTES, "big")
        + meta
        + len(text).to_bytes(LENGTH_BYTES, "big")
        + text
    )
    return body + bytes(PLAIN_BYTES - len(body))


def _parsed(plain: bytes) -> dict:
    if plain[:1] == b"{":  # sealed before padding; opened as it was written
        return json.loads(plain)
    at = len(VERSION)
    size = int.from_bytes(plain[at : at + LENGTH_BYTES], "big")
    at += LENGTH_BYTES
    meta = json.loads(plain[at : at + size])
    at += size
    size = int.from_bytes(plain[at : at + LENGTH_BYTES], "big")
    at += LENGTH_BYTES
    return {**meta, "comment": plain[at : at + size].decode("utf-8")}


def _seal(cipher: AESGCM, associated: bytes, answer: dict) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    return nonce + cipher.encrypt(nonce, _padded(answer), associated)


def _unseal(cipher: AESGCM, associated: bytes, sealed: bytes) -> dict:
    sealed = bytes(sealed)
    nonce, body = sealed[:NONCE_BYTES], sealed[NONCE_BYTES:]
    try:
        plain = cipher.decrypt(nonce, body, associated)
    except InvalidTag as error:
        raise UnsealError("This answer was sealed with another key or has been altered.") from error
    return _parsed(plain)


def seal(*, round_id: int, organization_id: int, answer: dict) -> bytes:
    """One answer, padded to `PLAIN_BYTES` and sealed: always `SEALED_BYTES` long."""
    cipher = AESGCM(_round_key(round_id, organization_id))
    return _seal(cipher, _associated(round_id, organization_id), answer)


def unseal(*, round_id: int, organization_id: int, sealed: bytes) -> dict:
    cipher = AESGCM(_round_key(round_id, organization_id))
    return _unseal(cipher, _associated(round_id, organization_id), sealed)


def reseal_round(
    *, round_id: int, organization_id: int, sealed: list[bytes], answer: dict
) -> list[bytes]:
    """All of a round's answers, `sealed` and the new `answer`, shuffled and each sealed again
    with a fresh nonce: nothing of the result matches the input's order or any ciphertext in
    it, so two copies of the database taken before and after one answer cannot be compared to
    pick out the new one."""
    cipher = AESGCM(_round_key(round_id, organization_id))
    associated = _associated(round_id, organization_id)
    answers = [_unseal(cipher, associated, row) for row in sealed]
    answers.append(answer)
    secrets.SystemRandom().shuffle(answers)
    return [_seal(cipher, associated, a) for a in answers]
