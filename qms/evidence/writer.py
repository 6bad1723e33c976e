"""Writes a pack's ZIP one file at a time, hashing as it writes, so memory stays flat however
many rows a file holds (rows go from the database cursor straight into the compressed entry).

Data files are deterministic: the same records give the same bytes (fixed column order, rows in
a stated order, JSON with sorted keys, fixed timestamps inside the ZIP), so two exports of the
same period can be compared file by file.
"""

from __future__ import annotations

import datetime
import decimal
import hashlib
import io
import json
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass

from qms.core.spreadsheets import csv_writer

# Every entry gets this time, so identical content gives identical entries.
ZIP_TIME = (2000, 1, 1, 0, 0, 0)


def json_default(value):
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    return str(value)


@dataclass
class Entry:
    path: str
    sha256: str
    size: int
    rows: int | None = None


class _HashingStream(io.RawIOBase):
    """Text written here is encoded, hashed and passed to the ZIP entry."""

    def __init__(self, target):
        self.target = target
        self.digest = hashlib.sha256()
        self.size = 0

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self.digest.update(data)
        self.size += len(data)
        self.target.write(data)
        return len(data)


class PackWriter:
    def __init__(self, path):
        self.zip = zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6)
        self.entries: list[Entry] = []

    def close(self) -> None:
        self.zip.close()

    def _open(self, path: str):
        info = zipfile.ZipInfo(path, date_time=ZIP_TIME)
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o644 << 16
        return self.zip.open(info, "w", force_zip64=True)

    def bytes(self, path: str, data: bytes, *, listed: bool = True) -> Entry:
        with self._open(path) as target:
            stream = _HashingStream(target)
            stream.write(data)
        entry = Entry(path, stream.digest.hexdigest(), stream.size)
        if listed:
            self.entries.append(entry)
        return entry

    def text(self, path: str, text: str, *, listed: bool = True) -> Entry:
        return self.bytes(path, text.encode(), listed=listed)

    def csv(self, path: str, header: list[str], rows: Iterable[Iterable]) -> Entry:
        """Rows are written as they come (pass an iterator over a queryset)."""
        count = 0
        with self._open(path) as target:
            stream = _HashingStream(target)
            text = io.TextIOWrapper(stream, encoding="utf-8", newline="", write_through=True)
            writer = csv_writer(text, lineterminator="\n")
            writer.writerow(header)
            for row in rows:
                writer.writerow(row)
                count += 1
            text.flush()
            text.detach()
        entry = Entry(path, stream.digest.hexdigest(), stream.size, rows=count)
        self.entries.append(entry)
        return entry

    def json_rows(self, path: str, rows: Iterable[dict]) -> Entry:
        """A JSON array written item by item (one per line), never held whole in memory."""
        count = 0
        with self._open(path) as target:
            stream = _HashingStream(target)
            stream.write(b"[")
            for row in rows:
                prefix = b"\n" if count == 0 else b",\n"
                stream.write(
                    prefix + json.dumps(row, sort_keys=True, default=json_default).encode()
                )
                count += 1
            stream.write(b"\n]\n" if count else b"]\n")
        entry = Entry(path, stream.digest.hexdigest(), stream.size, rows=count)
        self.entries.append(entry)
        return entry

    def json(self, path: str, value) -> Entry:
        text = json.dumps(value, sort_keys=True, indent=2, default=json_default) + "\n"
        return self.text(path, text)
