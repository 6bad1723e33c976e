"""Reading measurement files: the columns and limits of a measurement spreadsheet. The reading
itself (CSV/XLSX streaming, size, encoding and zip-bomb checks) is `qms.core.spreadsheets`."""

from __future__ import annotations

from collections.abc import Iterator

from qms.core import spreadsheets
from qms.core.limits import max_bytes
from qms.core.spreadsheets import ImportFileError, Source

__all__ = ["ImportFileError", "count_rows", "read_rows"]

REQUIRED_COLUMNS = ("objective_code", "period_end", "value")
OPTIONAL_COLUMNS = ("note",)
MAX_FILE_BYTES = max_bytes("MEASUREMENT_IMPORT_MAX_BYTES")
MAX_ROWS = 200_000
MAX_XLSX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024


def spec() -> spreadsheets.SheetSpec:
    # Built per call from the module's limits, so that tests can lower them.
    return spreadsheets.SheetSpec(
        required=REQUIRED_COLUMNS,
        optional=OPTIONAL_COLUMNS,
        max_rows=MAX_ROWS,
        max_bytes=MAX_FILE_BYTES,
        max_xlsx_uncompressed_bytes=MAX_XLSX_UNCOMPRESSED_BYTES,
    )


def read_rows(source: Source, filename: str) -> Iterator[tuple[int, dict]]:
    """Stream (row number, {column: raw}) of a measurement file; see `qms.core.spreadsheets`."""
    return spreadsheets.read_rows(source, filename, spec())


def count_rows(source: Source, filename: str) -> int:
    return spreadsheets.count_rows(source, filename, spec())
