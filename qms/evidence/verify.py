"""Check an evidence pack: every file's SHA-256 against `manifest.json`, and the manifest's
Ed25519 signature (`manifest.sig`) against the keys you trust, and say who signed it.

This one file is the whole verifier, and the application uses it as it is: the verify page,
`python manage.py verify_evidence_pack` and the copy a certification body downloads from the
app (Audit -> Verify a pack -> "Download the verifier") are the same code, so they cannot
disagree. It needs Python 3.10+ and the `cryptography` package only (no Django):

    pip install cryptography
    python3 qms-evidence-verify.py PACK.zip qms-evidence-keys-ORG.pem

The keys file (also downloaded from the app) holds the organisation's signing keys, current,
retired and revoked, each labelled with its organisation and status; a pack verifies only if
one of them signed it, the signed manifest names that organisation and says when the pack was
made (`created_at`, UTC to the second), and the key was neither revoked (it may have leaked) nor
retired before that time. A pack is refused, without being read whole, when its ZIP holds two
entries of the same name (unzip would extract a different one than was checked), an entry the
manifest does not list (directories included), or when its files declare more than the bounds
below or an entry inflates to more than it declares. The exit status is 0 only when the pack
verifies.

Every byte of the ZIP belongs to exactly one entry its index (central directory) lists, or the
pack is refused before any file is checked (and before anything is inflated, when the sizes its
index declares add up to more than the bound), because ZIP tools do not all read a ZIP the same
way (zipfile reads the index from the end; a streaming reader such as Java's ZipInputStream
walks the file headers from byte 0; unzip honours extra fields and prints the comment):

- the first file header is at byte 0 (nothing in front: no second archive, no script);
- each file the index lists has its header where the index says, with the same name, date,
  flags, compression, sizes and CRC (after the data, a data descriptor may repeat them);
- the files follow one another with no gap and no overlap (header, name, extra field, data and
  any data descriptor end where the next file begins), and the index starts right after the
  last one, and the end record (with its ZIP64 record and locator, if any) right after it and
  ends the file: no archive comment, nothing after it;
- no extra field but ZIP64 sizes and offsets (the only one the writer writes), no comment on a
  file, no encryption flag, only stored or deflated data needing ZIP 4.5 at most, on one disk;
  no data descriptor after stored data (Java's ZipInputStream cannot read one);
- plain files only: file attributes mark no link, directory, FIFO or device, and no execute,
  setuid, setgid or sticky permission (unzip would restore them);
- names are plain relative paths (no "/" in front, no "..", ".", empty part, backslash, drive
  or control character), in ASCII or marked as UTF-8.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import re
import struct
import sys
import zipfile
import zlib
from collections import Counter
from dataclasses import dataclass, field

MANIFEST, SIGNATURE = "manifest.json", "manifest.sig"
INTACT, ALTERED, MISSING, UNEXPECTED, DUPLICATE = (
    "intact", "altered", "missing", "unexpected", "duplicate",
)  # fmt: skip
VALID, INVALID, UNTRUSTED, NO_SIGNATURE, NO_KEY = (
    "valid", "invalid", "untrusted key", "missing", "no usable public key",
)  # fmt: skip
NOT_CHECKED = "not checked"
CHUNK = 1 << 16

# Bounds on what a pack may make us read. A real manifest lists a few dozen files (a few KB);
# a signature is 88 characters. The whole pack inflates to at most MAX_INFLATED_BYTES, read as
# a stream: memory stays flat whatever the pack claims.
MANIFEST_MAX_BYTES = 4 * 1024 * 1024
SIGNATURE_MAX_BYTES = 1024
MAX_ENTRIES = 10_000
MAX_INFLATED_BYTES = 8 * 1024 * 1024 * 1024

_READ_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError,
                RuntimeError, ValueError)  # fmt: skip


class TooLarge(Exception):
    """An entry inflates past what it may be."""


@dataclass(frozen=True)
class TrustedKey:
    """A public key that may sign packs, and for whom.

    `organization` is the slug of the organisation whose packs it signs (the signed manifest
    must name it); None trusts it for any organisation (a bare key you were handed).
    `signer` completes "signed by ...": "Acme Ltd", or "the platform key used before
    per-organisation keys"."""

    pem: bytes
    signer: str
    organization: str | None = None
    organization_name: str = ""
    status: str = ""

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.pem)


def fingerprint(pem: bytes) -> str:
    """SHA-256 of the raw Ed25519 public key, in hex (the app's "key fingerprint")."""
    from cryptography.hazmat.primitives import serialization

    raw = _load_public_key(pem).public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    return hashlib.sha256(raw).hexdigest()


def _load_public_key(pem: bytes):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    key = serialization.load_pem_public_key(pem)
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError("not an Ed25519 public key")
    return key


_BLOCK = re.compile(
    rb"(?P<headers>(?:^[A-Za-z-]+:[^\n]*\n)*)"
    rb"(?P<pem>-----BEGIN PUBLIC KEY-----\n[A-Za-z0-9+/=\s]+?-----END PUBLIC KEY-----\n?)",
    re.MULTILINE,
)


def read_keys_file(data: bytes, default_signer: str = "the key you gave") -> list[TrustedKey]:
    """The keys of a keys file: PEM public keys, each optionally after lines such as
    `Organization: Acme Ltd` and `Organization-Slug: acme` (RFC 7468 explanatory text).
    A bare PEM key is trusted for any organisation."""
    keys = []
    for match in _BLOCK.finditer(data.replace(b"\r\n", b"\n")):
        headers = {}
        for line in match["headers"].decode("utf-8", "replace").splitlines():
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        pem = match["pem"]
        try:
            _load_public_key(pem)
        except ValueError:
            continue
        keys.append(
            TrustedKey(
                pem=pem,
                signer=headers.get("signer") or headers.get("organization") or default_signer,
                organization=headers.get("organization-slug") or None,
                organization_name=headers.get("organization", ""),
                status=headers.get("status", ""),
            )
        )
    return keys


def keys_file_block(key: TrustedKey) -> str:
    """One key as the app writes it in a keys file (read back by `read_keys_file`)."""
    lines = [
        f"Organization: {key.organization_name}",
        f"Organization-Slug: {key.organization}",
        f"Signer: {key.signer}",
        f"Fingerprint: {key.fingerprint}",
    ]
    if key.status:
        lines.append(f"Status: {key.status}")
    return "\n".join(lines) + "\n" + key.pem.decode().strip() + "\n"


@dataclass
class Report:
    files: list[tuple[str, str]] = field(default_factory=list)  # (path, state)
    signature: str = NOT_CHECKED
    problems: list[str] = field(default_factory=list)
    manifest: dict = field(default_factory=dict)
    signer: TrustedKey | None = None  # the trusted key that signed it
    signed_fingerprint: str = ""  # of the key that signed it, trusted or not
    expected_organization: str | None = None

    @property
    def manifest_organization(self) -> dict:
        org = self.manifest.get("organization") if isinstance(self.manifest, dict) else None
        return org if isinstance(org, dict) else {}

    @property
    def ok(self) -> bool:
        return (
            not self.problems
            and self.signature == VALID
            and all(state == INTACT for _, state in self.files)
        )

    @property
    def signed_by(self) -> str:
        """Who signed the pack, as a sentence."""
        named = self.manifest_organization.get("name") or "no organisation"
        if self.signature == VALID and self.signer is not None:
            verb = "signed with" if self.signer.signer.startswith("the ") else "signed by"
            return f"{verb} {self.signer.signer}, key fingerprint {self.signed_fingerprint}."
        if self.signature == UNTRUSTED:
            return (
                f"signed by another organisation's key or an unknown key (fingerprint "
                f"{self.signed_fingerprint}), not by a key you trust; the manifest names "
                f"{named}."
            )
        if self.signature == INVALID:
            return "signed by no key we know: the signature does not match the manifest."
        if self.signature == NOT_CHECKED:
            return "not checked for a signature: the ZIP was refused first."
        return f"not signed ({self.signature})."

    def counts(self) -> dict[str, int]:
        result = {INTACT: 0, ALTERED: 0, MISSING: 0, UNEXPECTED: 0, DUPLICATE: 0}
        for _, state in self.files:
            result[state] += 1
        return result


def read_bounded(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bytes:
    """The entry's bytes, refusing (TooLarge) one that declares or inflates to more than
    `limit`: it is read in chunks and never past limit + 1 bytes."""
    if info.file_size > limit:
        raise TooLarge
    parts, size = [], 0
    with archive.open(info) as stream:
        while chunk := stream.read(min(CHUNK, limit + 1 - size)):
            size += len(chunk)
            if size > limit:
                raise TooLarge
            parts.append(chunk)
    return b"".join(parts)


def _sha256(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> str:
    digest, size = hashlib.sha256(), 0
    with archive.open(info) as stream:
        while chunk := stream.read(CHUNK):
            size += len(chunk)
            if size > limit:
                raise TooLarge
            digest.update(chunk)
    return digest.hexdigest()


def verify(
    path,
    keys: list[TrustedKey] | bytes | None = None,
    *,
    organization: str | None = None,
    max_inflated: int | None = None,
) -> Report:
    """Verify the pack at `path` (a path or a binary file object) against `keys` (trusted
    keys, or one PEM public key trusted for any organisation). With `organization` (a slug),
    only a pack whose signed manifest names it verifies. Without keys, the signature is
    checked against the key the manifest carries and reported as "untrusted key"."""
    if isinstance(keys, bytes | str):
        keys = read_keys_file(keys.encode() if isinstance(keys, str) else keys)
    if max_inflated is None:
        max_inflated = MAX_INFLATED_BYTES
    report = Report(expected_organization=organization)
    try:
        entries = _declared_entries(path)
        if entries > MAX_ENTRIES:
            report.problems.append(
                f"The ZIP holds {entries:,} entries, more than any evidence pack "
                f"({MAX_ENTRIES:,}): it was not read. This is not an evidence pack."
            )
            return report
        if not check_layout(
            path, max_inflated, before_inflating=lambda: _refused_by_its_manifest(path, report)
        ):
            return report
        archive = zipfile.ZipFile(path)
    except NotAsMade as error:
        report.problems.append(
            f"{error} This is not the pack as it was made: nothing in it was checked."
        )
        return report
    except TooLarge as error:
        report.problems.append(str(error))
        return report
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError) as error:
        report.problems.append(f"Not a readable ZIP file: {error}.")
        return report
    with archive:
        if not _check_entries(archive, report, max_inflated):
            return report
        manifest_bytes, signature = _read_manifest(archive, report)
        if manifest_bytes is None:
            return report
    _check_created_at(report)
    _check_signature(report, manifest_bytes, signature, keys or [])
    _check_key_status(report)
    _check_organization(report)
    return report


def _declared_entries(path) -> int:
    """How many entries the ZIP's end record declares, read before zipfile loads its whole
    directory into memory (a 200 MB upload of empty entries would take gigabytes)."""
    if isinstance(path, str | bytes) or hasattr(path, "__fspath__"):
        with open(path, "rb") as handle:
            return _declared_entries(handle)
    end_record = getattr(zipfile, "_EndRecData", None)
    if end_record is None:  # a Python without it: the count is checked after loading
        return 0
    position = path.tell()
    try:
        record = end_record(path)  # the end record, ZIP64 included
    finally:
        path.seek(position)
    if not record:
        raise zipfile.BadZipFile("File is not a zip file")
    return int(record[zipfile._ECD_ENTRIES_TOTAL])


# --- The ZIP's layout: every byte belongs to exactly one listed entry ------------------------
#
# zipfile reads a ZIP from its end: the end record points to the index (the "central
# directory"), which lists each file and where its header is. Other tools read it differently:
# a streaming reader (Java's ZipInputStream, `jar`, many unzip libraries) walks the file
# headers from byte 0 and never reads the index; unzip honours extra fields zipfile ignores and
# prints the archive comment. A pack whose bytes are all accounted for by the index reads the
# same in each of them, so what is checked is what anyone extracts.

_LOCAL, _CENTRAL, _END = b"PK\x03\x04", b"PK\x01\x02", b"PK\x05\x06"
_END64, _LOCATOR64, _DESCRIPTOR = b"PK\x06\x06", b"PK\x06\x07", b"PK\x07\x08"
_LOCAL_SIZE, _CENTRAL_SIZE, _END_SIZE, _END64_SIZE, _LOCATOR64_SIZE = 30, 46, 22, 56, 20
_MAX32, _MAX16 = 0xFFFF_FFFF, 0xFFFF
_ZIP64_EXTRA = 0x0001  # the only extra field the writer writes (sizes past 4 GB, or forced)
_UTF8_NAME = 0x0800
_DATA_DESCRIPTOR = 0x0008
# Flags our writer (Python's zipfile) may set: deflate options, data descriptor, UTF-8 name.
# Everything else (encryption above all) is refused.
_ALLOWED_FLAGS = 0x0002 | 0x0004 | _DATA_DESCRIPTOR | _UTF8_NAME
_ENCRYPTED_FLAGS = 0x0001 | 0x0040 | 0x2000
_METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
# What other tools make of extra fields a pack never carries, for the refusal's sentence.
_EXTRA_FIELDS = {
    0x7075: "a second name for a file",
    0x6375: "a second comment",
    0x5455: "timestamps",
    0x000A: "Windows timestamps",
    0x7855: "a Unix owner",
    0x7875: "a Unix owner",
    0x0017: "encryption details",
    0x9901: "encryption details",
}


class NotAsMade(Exception):
    """The ZIP's bytes are not laid out as the writer lays out a pack; the message says what
    was found, in a sentence."""


@dataclass
class _Listed:
    """One file as the index lists it."""

    name: str
    raw_name: bytes
    flags: int
    method: int
    crc: int
    compressed: int
    size: int
    offset: int
    stamp: int  # the time and date fields


def _read_at(handle, offset: int, length: int) -> bytes:
    handle.seek(offset)
    data = handle.read(length)
    if len(data) != length:
        raise NotAsMade("The ZIP is cut short: it ends in the middle of a record.")
    return data


def _extra_fields(data: bytes, name: str) -> dict[int, bytes]:
    fields: dict[int, bytes] = {}
    position = 0
    while position < len(data):
        if position + 4 > len(data):
            raise NotAsMade(f"{name} has an extra field cut short.")
        kind, length = struct.unpack_from("<HH", data, position)
        value = data[position + 4 : position + 4 + length]
        if len(value) != length or kind in fields:
            raise NotAsMade(f"{name} has an extra field cut short or given twice.")
        fields[kind] = value
        position += 4 + length
    for kind, value in fields.items():
        if kind == _ZIP64_EXTRA:
            continue
        if kind == 0x7075 and len(value) > 5:
            other = value[5:].decode("utf-8", "replace")
            raise NotAsMade(
                f"{name} carries a second name for a file in an extra field ({other}): unzip "
                "would write the file under that name, not the one checked. A pack never "
                "carries one."
            )
        what = _EXTRA_FIELDS.get(kind, "data of a kind")
        raise NotAsMade(
            f"{name} carries {what} in an extra field, which a pack never does: other ZIP "
            "tools may read it, and nothing checks it."
        )
    return fields


def _plain_name(raw: bytes, flags: int) -> str:
    """The name, if it is a plain relative path that every tool reads alike."""
    shown = raw.decode("utf-8", "replace")
    if not flags & _UTF8_NAME and not raw.isascii():
        raise NotAsMade(
            f"The ZIP names a file {shown!r} in characters it does not mark as UTF-8, which "
            "ZIP tools read differently; a pack's names are marked."
        )
    try:
        name = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise NotAsMade(f"The ZIP names a file {shown!r}, which is not valid UTF-8.") from None
    # A directory entry ends with "/" (it is then reported as unexpected); nothing else may be
    # empty, "." or "..", start at the root, use a backslash or a drive, or hold a control
    # character: unzip would write such a file elsewhere, or under another name.
    parts = (name[:-1] if name.endswith("/") else name).split("/")
    if (
        not name
        or any(part in ("", ".", "..") for part in parts)
        or "\\" in name
        or ":" in name
        or any(ord(c) < 32 or ord(c) == 127 for c in name)
    ):
        raise NotAsMade(
            f"The ZIP names a file {name!r}, which is not a plain relative path: unzip would "
            "write it elsewhere or under another name."
        )
    return name


def _end_record(handle, size: int) -> tuple[int, int, int, int]:
    """(entries, index offset, index size, where the index must end), the way zipfile finds
    them (the last end record), refusing a comment or bytes after the end record."""
    tail_start = max(0, size - _END_SIZE - _MAX16)
    tail = _read_at(handle, tail_start, size - tail_start)
    at = tail_start + tail.rfind(_END) if _END in tail else -1
    if size >= _END_SIZE and tail[-_END_SIZE:][:4] == _END and tail[-2:] == b"\0\0":
        at = size - _END_SIZE  # zipfile takes this one first
    if at < 0:
        raise NotAsMade("The ZIP has no end record: it is not a ZIP file.")
    record = _read_at(handle, at, _END_SIZE)
    _, disk, index_disk, on_disk, entries, index_size, index_offset, comment = struct.unpack(
        "<IHHHHIIH", record
    )
    if comment:
        raise NotAsMade(
            f"The ZIP carries an archive comment ({comment:,} bytes), which unzip prints when "
            "it extracts the pack: a pack has none, so it was added after the pack was made."
        )
    if at + _END_SIZE != size:
        raise NotAsMade(
            f"The ZIP has {size - at - _END_SIZE:,} bytes after its end record, which no listed "
            "file accounts for."
        )
    if disk or index_disk or on_disk != entries:
        raise NotAsMade("The ZIP says it is split across several files; a pack is one file.")
    index_end = at
    if (
        at >= _LOCATOR64_SIZE + _END64_SIZE
        and _read_at(handle, at - _LOCATOR64_SIZE, 4) == _LOCATOR64
    ):
        # ZIP64 end (more than 65,535 files, or an index past 4 GB): its record sits right
        # before its locator, as zipfile reads it, and its values replace the end record's.
        _, disk64, where, disks = struct.unpack(
            "<IIQI", _read_at(handle, at - _LOCATOR64_SIZE, _LOCATOR64_SIZE)
        )
        index_end = at - _LOCATOR64_SIZE - _END64_SIZE
        fields = struct.unpack("<IQHHIIQQQQ", _read_at(handle, index_end, _END64_SIZE))
        _, length, _, _, disk, index_disk, on_disk, entries64, size64, offset64 = fields
        if (
            fields[0] != int.from_bytes(_END64, "little")
            or length != _END64_SIZE - 12
            or where != index_end
            or disk64 or disks != 1 or disk or index_disk or on_disk != entries64
        ):  # fmt: skip
            raise NotAsMade("The ZIP's end records do not agree with each other.")
        for short, long, limit in (
            (entries, entries64, _MAX16),
            (index_size, size64, _MAX32),
            (index_offset, offset64, _MAX32),
        ):
            if short not in (long, limit):
                raise NotAsMade("The ZIP's end records do not agree with each other.")
        entries, index_size, index_offset = entries64, size64, offset64
    return entries, index_offset, index_size, index_end


def _index(handle, entries: int, offset: int, index_size: int) -> list[_Listed]:
    listed, position, end = [], offset, offset + index_size
    while position < end:
        record = _read_at(handle, position, _CENTRAL_SIZE)
        if record[:4] != _CENTRAL:
            raise NotAsMade(f"The ZIP's index is damaged at byte {position:,}.")
        (needed, flags, method, stamp, crc, compressed, size, name_length, extra_length,
         comment_length, disk, attributes, offset_32) = struct.unpack_from(
            "<6xHHHIIIIHHHH2xII", record
        )  # fmt: skip
        raw = _read_at(handle, position + _CENTRAL_SIZE, name_length)
        name = _plain_name(raw, flags)
        extra = _extra_fields(
            _read_at(handle, position + _CENTRAL_SIZE + name_length, extra_length), name
        )
        if comment_length:
            raise NotAsMade(
                f"{name} carries a comment in the ZIP's index, which a pack never does."
            )
        # A ZIP64 field holds, in this order, each value too large for its 32-bit place.
        wide = [v for v in (size, compressed, offset_32) if v == _MAX32]
        values = extra.get(_ZIP64_EXTRA, b"")
        if disk or len(values) != 8 * len(wide):
            raise NotAsMade(f"{name}'s entry in the ZIP's index is not as a pack writes it.")
        large = iter(struct.unpack(f"<{len(wide)}Q", values))
        size = next(large) if size == _MAX32 else size
        compressed = next(large) if compressed == _MAX32 else compressed
        offset_32 = next(large) if offset_32 == _MAX32 else offset_32
        _check_flags(name, flags, method, needed)
        _check_attributes(name, attributes)
        listed.append(_Listed(name, raw, flags, method, crc, compressed, size, offset_32, stamp))
        position += _CENTRAL_SIZE + name_length + extra_length + comment_length
        if len(listed) > MAX_ENTRIES:
            break
    if position != end or len(listed) != entries:
        raise NotAsMade(
            "The ZIP's index does not hold what its end record says (its size or its number "
            "of files differs)."
        )
    return listed


# The file type in a Unix mode (the high half of the external attributes) and what unzip makes
# of each that is not a plain file; the writer sets none (or a plain file's).
_FILE_TYPES = {
    0o120000: "a link to another file",
    0o040000: "a directory",
    0o010000: "a named pipe (FIFO)",
    0o020000: "a device",
    0o060000: "a device",
    0o140000: "a socket",
}
_PLAIN_FILE = 0o100000
_DOS_DIRECTORY = 0x10
_EXECUTE_OR_SPECIAL = 0o7111  # setuid, setgid, sticky; execute for owner, group, others


def _check_attributes(name: str, attributes: int) -> None:
    """A pack holds plain files, readable and never executable: unzip restores the type and
    permissions the attributes give (*found by the fifth try-out:* a setuid, executable or
    FIFO entry verified, since the attributes are not signed)."""
    mode = attributes >> 16
    kind = mode & 0o170000
    if kind not in (0, _PLAIN_FILE) or attributes & _DOS_DIRECTORY:
        what = _FILE_TYPES.get(kind, "a directory" if kind in (0, _PLAIN_FILE) else "not a file")
        raise NotAsMade(
            f"{name} is marked as {what}: unzip would make that, not write the file checked. "
            "A pack holds plain files only."
        )
    if mode & _EXECUTE_OR_SPECIAL:
        raise NotAsMade(
            f"{name} is marked as executable or setuid/setgid/sticky (permissions "
            f"{mode & 0o7777:04o}): unzip would restore them, so a file of the pack could run "
            "as a program. A pack's files are never executable."
        )


def _check_flags(name: str, flags: int, method: int, needed: int) -> None:
    if flags & _ENCRYPTED_FLAGS:
        raise NotAsMade(
            f"{name} is marked as encrypted: a pack never is, and ZIP tools would ask for a "
            "password or extract something else."
        )
    # The writer asks for version 2.0 or 4.5 (ZIP64) of the format to extract a file.
    if flags & ~_ALLOWED_FLAGS or method not in _METHODS or needed & 0xFF > 45:
        raise NotAsMade(f"{name} is stored in a way a pack never is (its compression or flags).")
    if method == zipfile.ZIP_STORED and flags & _DATA_DESCRIPTOR:
        # The writer deflates every file; only a deflated file may give its sizes after it.
        raise NotAsMade(
            f"{name} is stored uncompressed with its sizes after its data (a data "
            "descriptor), which a pack never is: a streaming ZIP reader (Java's, for one) "
            "cannot tell where such a file ends."
        )


def _local_entry(handle, entry: _Listed) -> tuple[int, int]:
    """Check the file header the index points to says what the index says; return where the
    entry (header, name, extra, data and data descriptor) ends, and where its data starts."""
    where = entry.offset
    header = _read_at(handle, where, _LOCAL_SIZE)
    if header[:4] != _LOCAL:
        raise NotAsMade(
            f"The ZIP's index says {entry.name} starts at byte {where:,}, but no file header "
            "is there."
        )
    needed, flags, method, stamp, crc, compressed, size, name_length, extra_length = (
        struct.unpack_from("<4xHHHIIIIHH", header)
    )
    raw = _read_at(handle, where + _LOCAL_SIZE, name_length)
    differs = []
    if raw != entry.raw_name:
        differs.append(f"it names {raw.decode('utf-8', 'replace')!r}")
    extra = _extra_fields(
        _read_at(handle, where + _LOCAL_SIZE + name_length, extra_length), entry.name
    )
    if flags != entry.flags or method != entry.method or needed & 0xFF > 45:
        differs.append("its compression or flags differ")
    if stamp != entry.stamp:
        differs.append("its date differs")
    streamed = bool(flags & _DATA_DESCRIPTOR)
    wide = extra.get(_ZIP64_EXTRA)
    if wide is not None:
        if len(wide) != 16:
            differs.append("its sizes differ")
            wide = bytes(16)
        long_size, long_compressed = struct.unpack("<QQ", wide)
        size = long_size if size == _MAX32 else size
        compressed = long_compressed if compressed == _MAX32 else compressed
    # A header written before its data was known (data descriptor) says 0 and the descriptor
    # after the data holds the values; otherwise the header holds them.
    said = (crc, compressed, size)
    if said != (entry.crc, entry.compressed, entry.size) and not (streamed and said == (0, 0, 0)):
        differs.append("its sizes or checksum differ")
    if differs:
        raise NotAsMade(
            f"The file header of {entry.name} at byte {where:,} does not match the ZIP's index "
            f"({'; '.join(differs)}): a tool that reads the headers would see another file."
        )
    start = where + _LOCAL_SIZE + name_length + extra_length
    end = start + entry.compressed
    if streamed:
        layout = "<IIQQ" if wide is not None else "<IIII"
        length = struct.calcsize(layout)
        descriptor = struct.unpack(layout, _read_at(handle, end, length))
        if descriptor != (int.from_bytes(_DESCRIPTOR, "little"), entry.crc, entry.compressed,
                          entry.size):  # fmt: skip
            raise NotAsMade(
                f"The sizes after {entry.name}'s data (at byte {end:,}) do not match the ZIP's "
                "index."
            )
        end += length
    return end, start


def _data_fills_its_region(handle, entry: _Listed, start: int) -> None:
    """The file's data is exactly the bytes the index gives it: stored data is as long as the
    file, and a deflate stream ends at the region's last byte. zipfile stops inflating at the
    stream's end and ignores what follows, while a streaming reader may take the rest for more
    files (*found by the fourth try-out:* a whole forged file smuggled after the stream, inside
    a listed file's compressed size, verified)."""
    slack = (
        f"{entry.name}'s compressed data holds bytes after its end: a streaming ZIP reader "
        "could read them as another file, and nothing checks them."
    )
    if entry.method == zipfile.ZIP_STORED:
        if entry.compressed != entry.size:
            raise NotAsMade(slack)
        return
    inflater, read, inflated = zlib.decompressobj(-15), 0, 0
    try:
        while read < entry.compressed and not inflater.eof:
            data = _read_at(handle, start + read, min(CHUNK, entry.compressed - read))
            if not data:
                break
            read += len(data)
            while data and not inflater.eof:
                inflated += len(inflater.decompress(data, CHUNK))
                if inflated > entry.size:
                    raise NotAsMade(f"{entry.name} inflates to more than the ZIP's index says.")
                data = inflater.unconsumed_tail
            if inflater.eof and (inflater.unused_data or read < entry.compressed):
                raise NotAsMade(slack)
    except zlib.error:
        raise NotAsMade(f"{entry.name}'s compressed data cannot be read.") from None
    if not inflater.eof:
        raise NotAsMade(f"{entry.name}'s compressed data ends before its stream does.")


def _stray(handle, start: int, end: int) -> str:
    """A sentence on bytes no listed file accounts for, between `start` and `end`."""
    head = _read_at(handle, start, min(_LOCAL_SIZE, end - start))
    if len(head) == _LOCAL_SIZE and head[:4] == _LOCAL:
        name_length = struct.unpack_from("<H", head, 26)[0]
        name = _read_at(handle, start + _LOCAL_SIZE, min(name_length, 300, end - start - 30))
        return (
            f"The ZIP holds an entry the index does not list at byte {start:,} "
            f"({name.decode('utf-8', 'replace')}): streaming ZIP readers (Java's, for one) "
            "would extract it, and nothing checks it."
        )
    return (
        f"The ZIP holds {end - start:,} bytes the index does not account for at byte "
        f"{start:,}: every byte of a pack belongs to a listed file."
    )


def check_layout(path, max_inflated: int | None = None, before_inflating=None) -> bool:
    """Raise NotAsMade unless every byte of the ZIP belongs to exactly one entry its index
    lists (see the module's docstring), and TooLarge, before inflating anything, when its files
    declare more than `max_inflated` bytes in all; `path` is a path or a seekable binary file
    object. `before_inflating()`, called once every header is checked, may refuse the ZIP on
    what is known by then (True): nothing is inflated and the answer is False."""
    if max_inflated is None:
        max_inflated = MAX_INFLATED_BYTES
    if isinstance(path, str | bytes) or hasattr(path, "__fspath__"):
        with open(path, "rb") as handle:
            return check_layout(handle, max_inflated, before_inflating)
    position = path.tell()
    try:
        size = path.seek(0, 2)
        entries, index_offset, index_size, index_end = _end_record(path, size)
        if index_end - index_size != index_offset:
            start = index_end - index_size
            if start <= index_offset or start > size:
                raise NotAsMade("The ZIP's index is not where its end record says.")
            # The whole ZIP was moved along by what was put in front of it (zipfile follows).
            raise NotAsMade(_before_first(path, start - index_offset))
        listed = sorted(_index(path, entries, index_offset, index_size), key=lambda e: e.offset)
        # Checking that each file's data fills its region inflates it: refuse first what would
        # inflate past the bound (*found by the fifth try-out:* a 16 MB upload declaring 16 GiB
        # cost 27 s of CPU before the bound was applied). Each entry then stops inflating as
        # soon as it passes its own declared size.
        declared = sum(entry.size for entry in listed)
        if declared > max_inflated:
            raise TooLarge(_too_large(declared, max_inflated))
        expected, data_starts = 0, []
        for entry in listed:
            if entry.offset > expected:
                if expected == 0:
                    raise NotAsMade(_before_first(path, entry.offset))
                raise NotAsMade(_stray(path, expected, entry.offset))
            if entry.offset < expected:
                raise NotAsMade(
                    f"{entry.name} overlaps the file before it (at byte {entry.offset:,}): two "
                    "entries share bytes."
                )
            expected, data_start = _local_entry(path, entry)
            data_starts.append((entry, data_start))
        if expected < index_offset:
            raise NotAsMade(_stray(path, expected, index_offset))
        if expected > index_offset:
            raise NotAsMade("The last file runs into the ZIP's index.")
        # Every header checked; only now is anything inflated, and not at all when what is
        # already known refuses the ZIP (`before_inflating`).
        if before_inflating is not None and before_inflating():
            return False
        for entry, data_start in data_starts:
            _data_fills_its_region(path, entry, data_start)
        return True
    finally:
        path.seek(position)


def _before_first(handle, length: int) -> str:
    like = " (they begin like another ZIP's files)" if _read_at(handle, 0, 4) == _LOCAL else ""
    return (
        f"The ZIP has {length:,} bytes before the first file{like}: a pack starts with its "
        "first file, and a streaming ZIP reader (Java's, for one) would extract what is there "
        "instead of the files checked."
    )


def _too_large(inflated: int, max_inflated: int) -> str:
    return (
        f"The ZIP would inflate to {inflated:,} bytes, more than the {max_inflated:,} a "
        "pack is checked up to: it was not checked. Verify it with the standalone "
        "verifier and a larger --max-inflated-bytes if you expect a pack this large."
    )


def _check_entries(archive: zipfile.ZipFile, report: Report, max_inflated: int) -> bool:
    infos = archive.infolist()
    if len(infos) > MAX_ENTRIES:  # the end record lied about its count
        report.problems.append(
            f"The ZIP holds {len(infos):,} entries, more than any evidence pack "
            f"({MAX_ENTRIES:,}): this is not an evidence pack."
        )
        return False
    inflated = sum(info.file_size for info in infos)
    if inflated > max_inflated:
        report.problems.append(_too_large(inflated, max_inflated))
        return False
    counts = Counter(info.filename for info in infos)
    for name in sorted(n for n, c in counts.items() if c > 1):
        report.files.append((name, DUPLICATE))
        report.problems.append(
            f"{name} appears {counts[name]} times in the ZIP: a pack names each file once, "
            "and unzip would extract another copy than the one checked. The pack was altered."
        )
    return True


def _refused_by_its_manifest(path, report: Report) -> bool:
    """What the manifest alone proves, before any file is inflated (the layout check inflates
    each to see that its data fills its region): a file it does not list, or one whose size in
    the ZIP is not the size it declares, is refused here, so a ZIP cannot make us inflate
    gigabytes it then fails for (*found by the sixth and seventh try-outs:* a 7 GiB entry the
    manifest does not list, or lists at 333 bytes, cost 3 to 5 s of CPU). Nothing is accepted
    here: a pack that passes goes through every check. True if the pack is refused."""
    position = path.tell() if hasattr(path, "tell") else None
    try:
        with zipfile.ZipFile(path) as archive:
            infos = {info.filename: info for info in archive.infolist()}
            if MANIFEST not in infos:
                report.problems.append("manifest.json is missing: this is not an evidence pack.")
                return True
            try:
                manifest = json.loads(read_bounded(archive, infos[MANIFEST], MANIFEST_MAX_BYTES))
                listed = {str(entry["path"]): entry.get("size") for entry in manifest["files"]}
            except (TooLarge, *_READ_ERRORS, KeyError, TypeError, AttributeError):
                return False  # said precisely by the full read, which is bounded too
    finally:
        if position is not None:
            path.seek(position)
    unexpected = sorted(set(infos) - set(listed) - {MANIFEST, SIGNATURE})
    resized = sorted(
        name
        for name, size in listed.items()
        if isinstance(size, int) and name in infos and infos[name].file_size != size
    )
    if not unexpected and not resized:
        return False
    report.files.extend((name, ALTERED) for name in resized)
    report.files.extend((name, UNEXPECTED) for name in unexpected)
    parts = []
    if unexpected:
        parts.append(f"{_files(len(unexpected))} its manifest does not list")
    if resized:
        parts.append(f"{_files(len(resized))} of another size than the manifest says")
    report.problems.append(
        f"The ZIP holds {' and '.join(parts)}: the pack was altered. Nothing else in it was "
        "checked."
    )
    return True


def _files(count: int) -> str:
    return f"{count} file{'' if count == 1 else 's'}"


def _read_manifest(archive: zipfile.ZipFile, report: Report):
    infos = {info.filename: info for info in archive.infolist()}
    if MANIFEST not in infos:
        report.problems.append("manifest.json is missing: this is not an evidence pack.")
        return None, None
    try:
        manifest_bytes = read_bounded(archive, infos[MANIFEST], MANIFEST_MAX_BYTES)
    except TooLarge:
        report.problems.append(
            f"manifest.json inflates to more than {MANIFEST_MAX_BYTES:,} bytes, far more than "
            "any pack's manifest: it was not read. This is not an evidence pack."
        )
        return None, None
    except _READ_ERRORS as error:
        report.problems.append(f"manifest.json cannot be read from the ZIP ({error}).")
        return None, None
    try:
        report.manifest = json.loads(manifest_bytes)
        listed = {}
        for entry in report.manifest["files"]:
            listed[str(entry["path"])] = (str(entry["sha256"]), entry.get("size"))
    except (ValueError, KeyError, TypeError, AttributeError):
        report.manifest = {}
        report.problems.append("manifest.json cannot be read.")
        return None, None
    _check_files(archive, report, listed)
    signature = None
    if SIGNATURE in infos:
        try:
            signature = read_bounded(archive, infos[SIGNATURE], SIGNATURE_MAX_BYTES)
        except (TooLarge, *_READ_ERRORS):
            signature = b"unreadable"
    return manifest_bytes, signature


def _check_files(archive: zipfile.ZipFile, report: Report, listed: dict) -> None:
    duplicates = {name for name, state in report.files if state == DUPLICATE}
    by_name = {info.filename: info for info in archive.infolist()}
    for name in sorted(listed):
        if name in duplicates:
            continue
        info = by_name.get(name)
        if info is None or info.is_dir():
            report.files.append((name, MISSING))
            continue
        sha256, size = listed[name]
        # The size the signed manifest declares bounds the read: an entry that claims or
        # inflates to more is altered, and is not inflated further.
        if isinstance(size, int) and info.file_size != size:
            report.files.append((name, ALTERED))
            continue
        try:
            state = INTACT if _sha256(archive, info, info.file_size) == sha256 else ALTERED
        except TooLarge:
            state = ALTERED
        except _READ_ERRORS as error:
            state = ALTERED
            report.problems.append(f"{name} cannot be read from the ZIP ({error}).")
        report.files.append((name, state))
    # Every other entry, a directory included, is one the signed manifest does not vouch for.
    for name in sorted(set(by_name) - set(listed) - {MANIFEST, SIGNATURE} - duplicates):
        report.files.append((name, UNEXPECTED))


def _check_signature(report: Report, manifest_bytes: bytes, signature, keys) -> None:
    from cryptography.exceptions import InvalidSignature

    if signature is None:
        report.signature = NO_SIGNATURE
    else:
        try:
            raw = base64.b64decode(signature.strip(), validate=True)
        except ValueError:
            raw = b""
        for key in keys:
            try:
                _load_public_key(key.pem).verify(raw, manifest_bytes)
            except (InvalidSignature, ValueError):
                continue
            report.signature, report.signer = VALID, key
            report.signed_fingerprint = key.fingerprint
            break
        else:
            report.signature = _check_embedded(report, raw, manifest_bytes)
    if report.signature != VALID:
        report.problems.append(_SIGNATURE_PROBLEMS.get(report.signature, NO_KEY_PROBLEM))


_UTC_SECOND = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z")
_UTC_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _utc_time(text, *, day_allowed: bool = False):
    """`text` as an aware UTC datetime if it is a time as the app writes them (ISO 8601, UTC, to
    the second: 2026-12-03T09:15:00Z), or a day (the end of that day) where allowed; else None."""
    from datetime import datetime, timedelta, timezone

    utc = timezone.utc  # noqa: UP017 (datetime.UTC is Python 3.11+; the verifier runs on 3.10)
    if not isinstance(text, str):
        return None
    try:
        if _UTC_SECOND.fullmatch(text):
            return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=utc)
        if day_allowed and _UTC_DAY.fullmatch(text):
            day = datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=utc)
            return day + timedelta(days=1, seconds=-1)
    except ValueError:  # 2026-02-30, 25:00, ...
        return None
    return None


def _check_created_at(report: Report) -> None:
    """When the pack was made decides whether a retired key may have signed it, so the signed
    manifest must say it, as the writer does (*found by the fifth try-out:* a pack with an empty
    `created_at`, signed with a retired key, verified)."""
    made = report.manifest.get("created_at")
    if _utc_time(made) is None:
        shown = "nothing" if made in (None, "") else repr(made)
        report.problems.append(
            f"The manifest gives {shown} as the time the pack was made (created_at), not a UTC "
            "time such as 2026-12-03T09:15:00Z as every pack says: its signing key's "
            "retirement cannot be checked against it, so the pack cannot be trusted."
        )


def _check_key_status(report: Report) -> None:
    """A key that was revoked (it may have leaked) vouches for nothing; a key retired on
    schedule vouches for the packs made up to its retirement only (one dated later was signed
    by whoever still holds it). The keys file says which: `Status: revoked <when>` or `Status:
    retired <when>`, <when> a UTC time (2026-12-03T09:15:00Z) or day. A status this verifier
    cannot read vouches for nothing either (*found by the fifth try-out:* keys the command built
    carried no status at all, so a revoked key's packs verified there)."""
    if report.signature != VALID or report.signer is None:
        return
    status = report.signer.status.strip()
    state, _, when = status.partition(" ")
    state, when = state.lower(), when.strip()
    if state in ("", "current"):
        return
    if state == "revoked":
        report.problems.append(
            f"This pack was signed with a key revoked on {when or 'a day not given'}, because "
            "it may have leaked: whoever holds that key can sign anything, so the pack cannot "
            "be trusted. Ask the organisation for a new pack."
        )
        return
    retired = _utc_time(when, day_allowed=True) if state == "retired" else None
    if retired is None:
        report.problems.append(
            f"The keys file gives the key that signed this pack the status {status!r}, which "
            "this verifier cannot read (it knows current, retired <UTC time> and revoked "
            "<UTC time>), so the pack cannot be trusted. Download the keys file again."
        )
        return
    made = _utc_time(report.manifest.get("created_at"))
    if made is not None and made > retired:  # an unreadable time is refused already
        report.problems.append(
            f"This pack says it was made on {report.manifest['created_at']}, after its signing "
            f"key was retired ({when}): a retired key signs nothing more, so the pack cannot "
            "be trusted."
        )


_SIGNATURE_PROBLEMS = {
    UNTRUSTED: "None of the keys you trust signed this pack, so it is not verified as theirs: "
    "check it with the keys file of the organisation it claims to come from.",
    INVALID: "The signature does not match the manifest: the manifest was changed after it "
    "was signed, or the signature is not one of ours.",
    NO_SIGNATURE: "manifest.sig is missing: the pack is not signed.",
}
NO_KEY_PROBLEM = "The signature cannot be checked: no usable public key."


def _check_embedded(report: Report, raw: bytes, manifest_bytes: bytes) -> str:
    """No trusted key signed it: did the key the manifest carries? Then the files match what
    was signed, but by someone we do not trust (another organisation, a forger)."""
    from cryptography.exceptions import InvalidSignature

    signing = report.manifest.get("signing")
    pem = str(signing.get("public_key", "")) if isinstance(signing, dict) else ""
    try:
        key = _load_public_key(pem.encode())
    except ValueError:
        return INVALID
    try:
        key.verify(raw, manifest_bytes)
    except InvalidSignature:
        return INVALID
    report.signed_fingerprint = fingerprint(pem.encode())
    return UNTRUSTED


def _check_organization(report: Report) -> None:
    """A trusted key signs for its own organisation only, and a page or command that expects
    one organisation accepts only that organisation's packs."""
    if report.signature != VALID or report.signer is None:
        return
    named = report.manifest_organization
    slug, name = named.get("slug"), named.get("name") or "another organisation"
    bound = report.signer.organization
    if bound is not None and slug != bound:
        owner = report.signer.organization_name or bound
        report.problems.append(
            f"This is {name}'s pack (its manifest says so), not {owner}'s: the key that signed "
            f"it vouches for {owner}'s packs only, so it does not verify as {owner}'s."
        )
    elif report.expected_organization is not None and slug != report.expected_organization:
        report.problems.append(
            f"This is {name}'s pack (its manifest says so), not "
            f"{report.expected_organization}'s: it does not verify as theirs."
        )


def render(report: Report) -> str:
    lines = [f"{state.upper():<11}{name}" for name, state in report.files]
    counts = report.counts()
    lines.append("")
    lines.append(
        f"{counts[INTACT]} intact, {counts[ALTERED]} altered, {counts[MISSING]} missing, "
        f"{counts[UNEXPECTED]} unexpected, {counts[DUPLICATE]} duplicate; "
        f"signature {report.signature}."
    )
    if report.manifest:
        lines.append(f"The pack is {report.signed_by}")
    lines.extend(report.problems)
    lines.append("PACK VERIFIED" if report.ok else "PACK NOT VERIFIED")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pack", help="the evidence pack (.zip)")
    parser.add_argument("keys", nargs="?", help="the keys file (.pem) you trust")
    parser.add_argument("--public-key", help="the same as KEYS (kept for older instructions)")
    parser.add_argument("--organization", help="accept only packs of this organisation (slug)")
    parser.add_argument("--max-inflated-bytes", type=int, default=MAX_INFLATED_BYTES)
    args = parser.parse_args(argv)
    keys: list[TrustedKey] = []
    for name in filter(None, (args.keys, args.public_key)):
        with open(name, "rb") as handle:
            found = read_keys_file(handle.read(1024 * 1024), default_signer=f"the key in {name}")
        if not found:
            parser.error(f"{name} holds no Ed25519 public key (PEM).")
        keys.extend(found)
    report = verify(
        args.pack, keys, organization=args.organization, max_inflated=args.max_inflated_bytes
    )
    print(render(report))
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
