"""Check an evidence pack: every file's SHA-256 against `manifest.json`, and the manifest's
Ed25519 signature (`manifest.sig`) against a trusted public key.

Deliberately free of Django, so a third party can run it with Python and the `cryptography`
package only:

    python verify.py PACK.zip --public-key qms-evidence-public-key.pem

(`python manage.py verify_evidence_pack PACK.zip` does the same with the application's key.)
Each file is reported as intact, altered, missing or unexpected; the exit status is 0 only
when every file is intact and the signature is valid.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import sys
import zipfile
from dataclasses import dataclass, field

MANIFEST, SIGNATURE = "manifest.json", "manifest.sig"
INTACT, ALTERED, MISSING, UNEXPECTED = "intact", "altered", "missing", "unexpected"
CHUNK = 1 << 16


@dataclass
class Report:
    files: list[tuple[str, str]] = field(default_factory=list)  # (path, state)
    signature: str = "not checked"  # valid | invalid | missing | not checked | untrusted key
    problems: list[str] = field(default_factory=list)
    manifest: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return (
            not self.problems
            and self.signature == "valid"
            and all(state == INTACT for _, state in self.files)
        )

    def counts(self) -> dict[str, int]:
        result = {INTACT: 0, ALTERED: 0, MISSING: 0, UNEXPECTED: 0}
        for _, state in self.files:
            result[state] += 1
        return result


def _sha256(archive: zipfile.ZipFile, name: str) -> str:
    digest = hashlib.sha256()
    with archive.open(name) as stream:
        while chunk := stream.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def verify(path, public_key_pem: bytes | None = None) -> Report:
    """Verify the pack at `path` (a path or a binary file object). Without a trusted public
    key, the signature is checked against the key named in the manifest and reported as
    "untrusted key": the files match what was signed, but not necessarily by us."""
    report = Report()
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as error:
        report.problems.append(f"Not a readable ZIP file: {error}.")
        return report
    with archive:
        names = {info.filename for info in archive.infolist() if not info.is_dir()}
        if MANIFEST not in names:
            report.problems.append("manifest.json is missing: this is not an evidence pack.")
            return report
        manifest_bytes = archive.read(MANIFEST)
        try:
            report.manifest = json.loads(manifest_bytes)
            listed = {entry["path"]: entry["sha256"] for entry in report.manifest["files"]}
        except (ValueError, KeyError, TypeError):
            report.problems.append("manifest.json cannot be read.")
            return report
        for name in sorted(listed):
            if name not in names:
                report.files.append((name, MISSING))
            else:
                state = INTACT if _sha256(archive, name) == listed[name] else ALTERED
                report.files.append((name, state))
        for name in sorted(names - set(listed) - {MANIFEST, SIGNATURE}):
            report.files.append((name, UNEXPECTED))
        signature = archive.read(SIGNATURE) if SIGNATURE in names else None
    report.signature = _check_signature(manifest_bytes, signature, report.manifest, public_key_pem)
    if report.signature != "valid":
        report.problems.append(f"Signature: {report.signature}.")
    return report


def _check_signature(manifest_bytes, signature, manifest, public_key_pem) -> str:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    if signature is None:
        return "missing"
    trusted = public_key_pem is not None
    pem = public_key_pem or str(manifest.get("signing", {}).get("public_key", "")).encode()
    try:
        key = serialization.load_pem_public_key(pem)
    except ValueError:
        return "no usable public key"
    if not isinstance(key, Ed25519PublicKey):
        return "no usable public key"
    try:
        key.verify(base64.b64decode(signature.strip(), validate=True), manifest_bytes)
    except (InvalidSignature, ValueError):
        return "invalid"
    return "valid" if trusted else "untrusted key"


def render(report: Report) -> str:
    lines = [f"{state.upper():<11}{name}" for name, state in report.files]
    counts = report.counts()
    lines.append("")
    lines.append(
        f"{counts[INTACT]} intact, {counts[ALTERED]} altered, {counts[MISSING]} missing, "
        f"{counts[UNEXPECTED]} unexpected; signature {report.signature}."
    )
    lines.extend(report.problems)
    lines.append("PACK VERIFIED" if report.ok else "PACK NOT VERIFIED")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pack")
    parser.add_argument("--public-key", help="PEM file of the trusted public key")
    args = parser.parse_args(argv)
    key = None
    if args.public_key:
        with open(args.public_key, "rb") as handle:
            key = handle.read()
    report = verify(args.pack, key)
    print(render(report))
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
