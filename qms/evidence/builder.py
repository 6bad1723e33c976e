"""Builds an evidence pack: each section writes its files, then the report (HTML and PDF),
then `manifest.json` (every file's SHA-256) and its Ed25519 signature `manifest.sig`, made with
the organisation's own signing key.

The ZIP is written to a temporary name and renamed when complete, so a worker killed half-way
leaves no pack that looks finished; a retry starts again from nothing.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from qms.core.documents import app_version
from qms.core.drills import drill_point
from qms.evidence import readiness, report, signing
from qms.evidence.models import SigningKey
from qms.evidence.sections import CLAUSES, LIMITED_SECTIONS, REQUIRED, Finding, Scope, sections
from qms.evidence.writer import PackWriter

FORMAT = "qms-evidence-pack/1"
Progress = Callable[[int, str], None]  # (per cent, what is being done)


@dataclass
class BuiltPack:
    path: Path
    size: int
    sha256: str
    manifest_sha256: str
    files: int
    findings: list[Finding]
    signing_key: SigningKey


def build(
    scope: Scope,
    out: Path,
    *,
    created_by: str,
    created_at: datetime.datetime | None = None,
    progress: Progress | None = None,
) -> BuiltPack:
    created_at = created_at or timezone.now()
    progress = progress or (lambda percent, text: None)
    partial = partial_path(out)
    writer = PackWriter(partial)
    try:
        findings: list[Finding] = []
        steps = sections()
        for index, (name, section) in enumerate(steps):
            if scope.limited and name not in LIMITED_SECTIONS:
                continue  # organisation-wide: not in a unit's pack
            progress(int(90 * index / len(steps)), f"Collecting {name.replace('-', ' ')}")
            findings.extend(section(scope, writer))
            drill_point("evidence.section")  # a worker killed with a half-written ZIP
        for clause in REQUIRED:
            if not any(f.clause == clause for f in findings):
                findings.append(_not_in_pack(scope, clause))
        progress(90, "Checking audit readiness")
        # Readiness is judged on the whole organisation: not in a unit's pack.
        checks = (
            [] if scope.limited else readiness.readiness_checks(scope.organization, today=scope.end)
        )
        writer.csv(
            "readiness-checks.csv",
            ["Clause", "Check", "Result", "Why"],
            ([c.clause, c.title, c.state_label, c.detail] for c in checks),
        )
        progress(92, "Writing the report")
        key = signing.current_key(scope.organization)
        meta = {
            "format": FORMAT,
            "organization": {"name": scope.organization.name, "slug": scope.organization.slug},
            "scope": {
                "unit": scope.unit.name if scope.unit else None,
                "unit_code": scope.unit.code if scope.unit else None,
                "label": scope.label,
            },
            "period": {"from": scope.start.isoformat(), "to": scope.end.isoformat()},
            "created_at": created_at.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "created_by": created_by,
            "app_version": app_version(),
            "signing_key_fingerprint": key.fingerprint,
        }
        html = report.render_html(scope, meta, findings, writer.entries, checks)
        writer.text("index.html", html)
        writer.bytes("report.pdf", report.render_pdf(scope, meta, findings, checks))
        progress(97, "Signing")
        manifest = {
            **meta,
            "clauses": {
                key: CLAUSES.get(key, key) for key in report.clause_order(findings, checks)
            },
            "files": [
                {"path": e.path, "sha256": e.sha256, "size": e.size}
                for e in sorted(writer.entries, key=lambda e: e.path)
            ],
            "signing": {
                "algorithm": "Ed25519",
                "public_key": key.public_key,
                "key_id": key.fingerprint,
                "organization": scope.organization.slug,
                "signature_file": "manifest.sig",
            },
        }
        manifest_bytes = (json.dumps(manifest, sort_keys=True, indent=2) + "\n").encode()
        writer.bytes("manifest.json", manifest_bytes, listed=False)
        writer.text("manifest.sig", signing.sign(key, manifest_bytes) + "\n", listed=False)
        files = len(writer.entries)
        writer.close()
    except BaseException:
        writer.close()
        partial.unlink(missing_ok=True)
        raise
    os.replace(partial, out)
    progress(100, "Ready")
    return BuiltPack(
        path=out,
        size=out.stat().st_size,
        sha256=_sha256(out),
        manifest_sha256=hashlib.sha256(manifest_bytes).hexdigest(),
        files=files,
        findings=findings,
        signing_key=key,
    )


def partial_path(out: Path) -> Path:
    """Where the ZIP is written until it is complete."""
    return out.with_name(out.name + ".partial")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 16):
            digest.update(chunk)
    return digest.hexdigest()


def storage_dir() -> Path:
    path = Path(settings.MEDIA_ROOT) / "evidence"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _not_in_pack(scope: Scope, clause: str) -> Finding:
    """What the report says of a required clause with no evidence in the pack."""
    if scope.limited:
        return Finding(
            clause,
            f"Not in this pack: it holds the records of {scope.unit.name} and the units under "
            "it, and this clause's records cover the whole organisation (ask for a pack of the "
            "whole organisation).",
        )
    return Finding(clause, "No evidence for this clause in the period.", missing=True)
