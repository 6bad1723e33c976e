"""Spreadsheets in and out. Reading uploads: stream the rows of a CSV (UTF-8) or XLSX file,
refusing files that are too large, not what they claim, or without the required columns.
Writing: `csv_writer`/`csv_text`, the one way this project writes CSV, every cell through
`safe_cell`, the text of a cell that a spreadsheet shows and never runs as a formula.

Shared by every import (measurements, the registers) and export (dashboard CSVs, evidence
packs): it knows file formats and limits, not what the rows mean. Each import describes its
columns and limits in a `SheetSpec`.
"""

from __future__ import annotations

import csv
import datetime
import io
import itertools
import os
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import IO

SIX_PLACES = Decimal("0.000001")
# A spreadsheet runs a cell starting with one of these as a formula (CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# Where a spreadsheet may start a new cell or row inside what we wrote as one cell: Excel opens
# a CSV with the locale's list separator (";" in Germany or France, where "," is the decimal
# mark), or tab, and its quoting then no longer matches ours. So each piece of a cell after any
# of these is treated as a cell start of its own.
_PIECE_FORMULA = re.compile(r"""(?P<before>[,;\t\n](?:[^\S\t\n]|")*)(?P<piece>[=+\-@][^,;\t\n]*)""")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
# What a browser's file picker should offer.
ACCEPT = ".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ZIP_MAGIC = b"PK\x03\x04"
SPLIT_HINT = "Split it into smaller files."
# The most text a spreadsheet cell holds (Excel's limit); a crafted file can hold more.
MAX_CELL_CHARACTERS = 32_767

Source = str | os.PathLike | IO[bytes]


@dataclass(frozen=True)
class SheetSpec:
    required: tuple[str, ...]
    optional: tuple[str, ...] = ()
    max_rows: int = 5_000
    # Far more than any import names; a sheet may claim 16,384 columns that openpyxl would pad
    # every row to.
    max_columns: int = 100
    max_bytes: int = 5 * 1024 * 1024
    # An .xlsx is a zip: a small file can inflate to gigabytes inside openpyxl ("zip bomb").
    max_xlsx_uncompressed_bytes: int = 200 * 1024 * 1024

    @property
    def columns_sentence(self) -> str:
        required = ", ".join(self.required)
        optional = f" and optionally {', '.join(self.optional)}" if self.optional else ""
        return f"Its first row must name the columns {required}{optional} (in any order)."


class ImportFileError(Exception):
    """The file as a whole cannot be read (wrong type, encoding, size, columns): a sentence."""


def _size_of(source: Source) -> int:
    if isinstance(source, str | os.PathLike):
        return os.path.getsize(source)
    position = source.tell()
    size = source.seek(0, io.SEEK_END)
    source.seek(position)
    return size


def read_rows(source: Source, filename: str, spec: SheetSpec) -> Iterator[tuple[int, dict]]:
    """Stream the data rows of a .csv or .xlsx file as (spreadsheet row number, {column: raw}).

    Raises ImportFileError (possibly mid-stream, e.g. on an undecodable line) with a sentence
    for problems of the whole file. Rows whose cells are all empty are skipped.
    """
    # A generator throughout, so that every file problem surfaces where rows are consumed.
    name = filename.lower()
    if not name.endswith((".csv", ".xlsx")):
        raise ImportFileError("Upload a .csv or .xlsx file.")
    if _size_of(source) > spec.max_bytes:
        raise ImportFileError(
            f"The file is larger than {spec.max_bytes // (1024 * 1024)} MB. "
            "Split it into smaller files."
        )
    if name.endswith(".csv"):
        records = _csv_records(source)
    else:
        records = _xlsx_records(source, spec.max_xlsx_uncompressed_bytes, spec.max_columns + 1)
    yield from _rows_from_records(records, spec)


def _is_blank(cells: list) -> bool:
    return all(cell is None or str(cell).strip() == "" for cell in cells)


def _rows_from_records(
    records: Iterator[tuple[int, list]], spec: SheetSpec
) -> Iterator[tuple[int, dict]]:
    header = next(records, (1, []))[1]
    while header and (header[-1] is None or str(header[-1]).strip() == ""):
        header = header[:-1]
    if len(header) > spec.max_columns:
        raise ImportFileError(
            f"The first row has more than {spec.max_columns} columns. "
            f"Delete the columns the import does not use. {spec.columns_sentence}"
        )
    if _is_blank(header):
        if all(_is_blank(cells) for _, cells in itertools.islice(records, 2 * spec.max_rows)):
            raise ImportFileError(f"The file is empty. {spec.columns_sentence}")
        raise ImportFileError(f"The first row of the file is empty. {spec.columns_sentence}")
    columns = [str(cell or "").strip().lower() for cell in header]
    missing = [name for name in spec.required if name not in columns]
    if missing:
        names = " or ".join([", ".join(missing[:-1]), missing[-1]] if len(missing) > 1 else missing)
        raise ImportFileError(f"The file has no {names} column. {spec.columns_sentence}")
    wanted = {
        name: columns.index(name) for name in spec.required + spec.optional if name in columns
    }
    data_rows = 0
    # Empty rows are skipped but still cost time to read: a sheet can claim a million of them
    # in a few bytes, so they count towards a looser limit.
    max_lines = 2 * spec.max_rows + 1
    for number, cells in records:
        if number > max_lines:
            raise ImportFileError(
                f"The file has more than {max_lines - 1:,} rows, counting empty ones. "
                "Delete the empty rows, or split it into smaller files."
            )
        if _is_blank(cells):
            continue
        data_rows += 1
        if data_rows > spec.max_rows:
            raise ImportFileError(
                f"The file has more than {spec.max_rows:,} rows. Split it into smaller files."
            )
        row = {name: cells[index] if index < len(cells) else None for name, index in wanted.items()}
        for name, cell in row.items():
            if isinstance(cell, str) and len(cell) > MAX_CELL_CHARACTERS:
                raise ImportFileError(_long_cell_message(f"Row {number}: the {name} cell"))
        yield number, row
    if data_rows == 0:
        raise ImportFileError("The file has a header row but no rows below it.")


def _open_binary(source: Source) -> IO[bytes]:
    if isinstance(source, str | os.PathLike):
        # The generator that streams the file closes it.
        return open(source, "rb")
    source.seek(0)
    return source


def _long_cell_message(which: str) -> str:
    return (
        f"{which} is longer than {MAX_CELL_CHARACTERS:,} characters, the most a spreadsheet "
        "cell holds. Shorten it."
    )


def _csv_records(source: Source) -> Iterator[tuple[int, list]]:
    binary = _open_binary(source)
    # utf-8-sig drops the byte-order mark Excel writes for "CSV UTF-8", and reads files without.
    text = io.TextIOWrapper(binary, encoding="utf-8-sig", newline="")
    try:
        first = text.readline()
        # Excel in many European locales separates with ";" when "," is the decimal mark.
        delimiter = ";" if ";" in first and "," not in first else ","
        reader = csv.reader(itertools.chain([first], text), delimiter=delimiter)
        yield from enumerate(reader, start=1)
    except UnicodeDecodeError:
        raise ImportFileError("The file is not UTF-8 text. Save it as CSV UTF-8.") from None
    except csv.Error as error:
        if "field larger than field limit" in str(error):
            raise ImportFileError(_long_cell_message("A cell")) from None
        raise ImportFileError(
            f"The file is not a readable CSV ({error}). Save it as CSV UTF-8."
        ) from None
    finally:
        text.detach()  # the caller owns an open file object; we only close what we opened
        if isinstance(source, str | os.PathLike):
            binary.close()


def _xlsx_cell(value):
    # A formula's cached result may be a float like 33.333333333333336; values are stored with
    # 6 decimal places anyway, so round there instead of refusing the row.
    if isinstance(value, float):
        number = Decimal(repr(value))
        if number.is_finite() and number.as_tuple().exponent < -6:  # type: ignore[operator]
            number = number.quantize(SIX_PLACES)
        return number
    return value


def _check_archive(binary: IO[bytes], max_uncompressed: int) -> None:
    """Refuse, from its zip directory alone, a workbook with macros or links to other files,
    or whose parts add up to more than `max_uncompressed` once inflated: zipfile never inflates
    a part past its declared size (a part that lies fails its CRC check), so this bounds what
    openpyxl can read."""
    with zipfile.ZipFile(binary) as archive:
        infos = archive.infolist()
    binary.seek(0)
    names = [info.filename.lower() for info in infos]
    if any(name.endswith("vbaproject.bin") for name in names):
        raise ImportFileError(
            "The workbook contains macros. Save it as an Excel Workbook (.xlsx), which has "
            "none, or as CSV UTF-8."
        )
    if any(name.startswith("xl/externallinks/") for name in names):
        raise ImportFileError(
            "The workbook takes values from other workbooks (external links). Paste the cells "
            "as values, or save it as CSV UTF-8."
        )
    inflated = sum(info.file_size for info in infos)
    if inflated > max_uncompressed:
        raise ImportFileError(
            "The workbook expands to more than "
            f"{max_uncompressed // (1024 * 1024)} MB when opened. "
            "Save it as CSV UTF-8, or split it into smaller files."
        )


def _open_workbook(binary: IO[bytes]):
    from openpyxl import load_workbook

    # Values only (a formula's cached result, never the formula), no macros kept, and links to
    # other workbooks not followed.
    return load_workbook(binary, read_only=True, data_only=True, keep_links=False)


def _xlsx_records(
    source: Source, max_uncompressed: int, max_columns: int
) -> Iterator[tuple[int, list]]:
    not_xlsx = "The file is not a valid Excel workbook (.xlsx). Save it as .xlsx or CSV UTF-8."
    binary = _open_binary(source)
    workbook = None
    try:
        try:
            _check_archive(binary, max_uncompressed)
            workbook = _open_workbook(binary)
            sheet = workbook.worksheets[0]
            # The sheet's declared size is not trusted: it would pad every row to its width and
            # add empty rows up to its height.
            sheet.reset_dimensions()
        except ImportFileError:
            raise
        except Exception:
            # openpyxl raises many kinds (BadZipFile, KeyError, InvalidFileException...).
            raise ImportFileError(not_xlsx) from None
        rows = sheet.iter_rows(values_only=True, max_col=max_columns)
        for number, cells in enumerate(rows, start=1):
            yield number, [_xlsx_cell(cell) for cell in cells]
    finally:
        if workbook is not None:
            workbook.close()
        if isinstance(source, str | os.PathLike):
            binary.close()


def count_rows(source: Source, filename: str, spec: SheetSpec) -> int:
    """The number of data rows, for a progress bar: exact for CSV, the sheet's declared size
    for XLSX (reading 100,000 rows twice would double the time); 0 if the file is unreadable."""
    try:
        if filename.lower().endswith(".xlsx"):
            binary = _open_binary(source)
            try:
                # Before openpyxl reads anything: it loads the shared strings whole.
                _check_archive(binary, spec.max_xlsx_uncompressed_bytes)
                workbook = _open_workbook(binary)
                try:
                    return max(0, (workbook.worksheets[0].max_row or 1) - 1)
                finally:
                    workbook.close()
            finally:
                if binary is not source:
                    binary.close()
        return sum(1 for _ in read_rows(source, filename, spec))
    except Exception:  # the real read reports the problem; a progress estimate must not fail
        return 0


def upload_problem(upload, max_bytes: int) -> str | None:
    """What is wrong with an uploaded file before its rows are read (forms call this), or None."""
    name = upload.name.lower()
    if not name.endswith((".csv", ".xlsx")):
        return "Choose a .csv or .xlsx file."
    if upload.size > max_bytes:
        return (
            f"The file is larger than {max_bytes // (1024 * 1024)} MB. Split it into smaller files."
        )
    if upload.size == 0:
        return "The file is empty."
    if name.endswith(".xlsx"):
        # Catch a renamed file now rather than after reading it.
        head = upload.read(4)
        upload.seek(0)
        if head != ZIP_MAGIC:
            return "The file is not a valid Excel workbook (.xlsx). Save it as .xlsx or CSV UTF-8."
    return None


def _neutralise_piece(match: re.Match) -> str:
    piece = match["piece"]
    if _NUMBER.fullmatch(piece.rstrip()):
        return match[0]  # "-2" is a number to any spreadsheet, not a formula
    return f"{match['before']}'{piece}"


def safe_cell(value) -> str:
    """A value as CSV text: numbers, dates and times written plainly (UTC for times), text
    that would start a formula prefixed with an apostrophe, line breaks as "\n".

    Safe whichever separator the spreadsheet splits on (",", ";" or tab): every piece after a
    separator or line break that would start a formula gets an apostrophe too
    ("Accuracy;=2*21" becomes "Accuracy;'=2*21")."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float | Decimal):
        return str(value)  # a negative number is a number, not a formula
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    text = str(value)
    if text.lstrip(' "').startswith(FORMULA_PREFIXES):
        text = "'" + text
    # One kind of line break, which every CSV writer quotes: a writer ending lines with "\n"
    # leaves a lone "\r" unquoted, and a spreadsheet starts a new row there, whose first cell
    # may be a formula ("x\r=HYPERLINK(...)").
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _PIECE_FORMULA.sub(_neutralise_piece, text)


class SafeCsvWriter:
    """`csv.writer` whose every cell goes through `safe_cell`: the only CSV writer of the
    project (dashboard tables, evidence packs, import templates)."""

    def __init__(self, stream, *, lineterminator: str = "\r\n") -> None:
        self._writer = csv.writer(stream, lineterminator=lineterminator)

    def writerow(self, row: Iterable) -> None:
        self._writer.writerow([safe_cell(cell) for cell in row])


def csv_writer(stream, *, lineterminator: str = "\r\n") -> SafeCsvWriter:
    return SafeCsvWriter(stream, lineterminator=lineterminator)


def csv_text(rows: Iterable[Iterable]) -> str:
    """Rows (a header first) as CSV text, every cell safe to open in a spreadsheet."""
    out = io.StringIO()
    writer = csv_writer(out)
    for row in rows:
        writer.writerow(row)
    return out.getvalue()
