"""Check an evidence pack: every file's SHA-256 against `manifest.json`, and the manifest's
Ed25519 signature (`manifest.sig`) against the keys you trust, and say who signed it.

This one file is the whole verifier, and the application uses it as it is: the verify page,
`python manage.py verify_evidence_pack` and the copy a certification body downloads from the
app (Audit -> Verify a pack -> "Download the verifier") are the same code, so they cannot
disagree. It needs Python 3.10+ and the `cryptography` package only (no Django):

    pip install cryptography
    python3 qms-evidence-verify.py PACK.zip qms-evidence-keys-ORG.pem

The keys file (also downloaded from the app) holds the organisation's signing keys, current and
retired, each labelled with its organisation; a pack verifies only if one of them signed it and
the signed manifest names that organisation. A pack is refused, without being read whole, when
its ZIP holds two entries of the same name (unzip would extract a different one than was
checked), an entry the manifest does not list (directories included), or an entry larger than
it declares or than the bounds below. The exit status is 0 only when the pack verifies.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import re
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
    signature: str = "not checked"
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
    max_inflated: int = MAX_INFLATED_BYTES,
) -> Report:
    """Verify the pack at `path` (a path or a binary file object) against `keys` (trusted
    keys, or one PEM public key trusted for any organisation). With `organization` (a slug),
    only a pack whose signed manifest names it verifies. Without keys, the signature is
    checked against the key the manifest carries and reported as "untrusted key"."""
    if isinstance(keys, bytes | str):
        keys = read_keys_file(keys.encode() if isinstance(keys, str) else keys)
    report = Report(expected_organization=organization)
    try:
        entries = _declared_entries(path)
        if entries > MAX_ENTRIES:
            report.problems.append(
                f"The ZIP holds {entries:,} entries, more than any evidence pack "
                f"({MAX_ENTRIES:,}): it was not read. This is not an evidence pack."
            )
            return report
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        report.problems.append(f"Not a readable ZIP file: {error}.")
        return report
    with archive:
        if not _check_entries(archive, report, max_inflated):
            return report
        manifest_bytes, signature = _read_manifest(archive, report)
        if manifest_bytes is None:
            return report
    _check_signature(report, manifest_bytes, signature, keys or [])
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
        report.problems.append(
            f"The ZIP would inflate to {inflated:,} bytes, more than the {max_inflated:,} a "
            "pack is checked up to: it was not checked. Verify it with the standalone "
            "verifier and a larger --max-inflated-bytes if you expect a pack this large."
        )
        return False
    counts = Counter(info.filename for info in infos)
    for name in sorted(n for n, c in counts.items() if c > 1):
        report.files.append((name, DUPLICATE))
        report.problems.append(
            f"{name} appears {counts[name]} times in the ZIP: a pack names each file once, "
            "and unzip would extract another copy than the one checked. The pack was altered."
        )
    return True


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
