"""Reading a buyer import file: CSV/XLSX decoding into rows of cell strings, the size limits
checked before anything is parsed (`ImportLimits`), and the errors that stop a whole file
(`FileError`)."""
from __future__ import annotations

import csv
import io
import os
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping

from crossborder_crm.buyers.formula_escape import restore
from crossborder_crm.buyers.import_report import RowError
from crossborder_crm.errors import N_, Reason

# Members smaller than this are not ratio-checked: a few kilobytes of zeros compress 100 to 1
# and cost nothing to unpack.
RATIO_CHECKED_FROM = 1024 * 1024
# A real workbook has tens of parts; zipfile builds an object per part before anything can be
# counted, so a file of 700,000 empty parts would cost 400 MB just to open.
MAX_XLSX_PARTS = 10_000
# A quote just after a delimiter, line break or opening double quote (found by the quote, then
# looked behind: far faster than a character class first on text full of O'Briens).
_CELL_STARTS_WITH_QUOTE = re.compile("'(?<=[,;\t\n\r\"]')")


class FileError(Exception):
    """The file as a whole cannot be read; nothing is imported."""

    def __init__(self, row: int, column: str, reason: str):
        super().__init__(reason)
        self.error = RowError(row, column, reason)


@dataclass(frozen=True)
class ImportLimits:
    """How big an import may be; the defaults are config's IMPORT_* settings."""

    max_bytes: int = 64 * 1024 * 1024  # the file as uploaded
    max_uncompressed_bytes: int = 256 * 1024 * 1024  # an .xlsx: all its parts unpacked
    max_compression_ratio: int = 100  # an .xlsx: any one part (of 1 MiB or more) unpacked / packed
    max_rows: int = 1_000_000  # data rows, blank lines not counted

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> ImportLimits:
        """The limits set by IMPORT_MAX_BYTES, IMPORT_MAX_UNCOMPRESSED_BYTES, IMPORT_MAX_COMPRESSION_RATIO
        and IMPORT_MAX_ROWS (each defaulting to the class's own value)."""
        default = cls()
        return cls(max_bytes=settings.get("IMPORT_MAX_BYTES", default.max_bytes),
                   max_uncompressed_bytes=settings.get("IMPORT_MAX_UNCOMPRESSED_BYTES",
                                                       default.max_uncompressed_bytes),
                   max_compression_ratio=settings.get("IMPORT_MAX_COMPRESSION_RATIO", default.max_compression_ratio),
                   max_rows=settings.get("IMPORT_MAX_ROWS", default.max_rows))


def over_limit(row: int, what: str, limit: str, setting: str) -> FileError:
    """The refusal of a file over a limit: what was found, the limit, and the setting that raises it."""
    return FileError(row, "", Reason(N_("%(what)s, over the import limit of %(limit)s (setting %(setting)s; "
                                        "raise it with the CRM_%(setting)s environment variable)"),
                                     what=what, limit=limit, setting=setting))


def count_of(template: str, num: int) -> Reason:
    """A limit or size such as "1,000 rows" (`template` holds %(num)s)."""
    return Reason(template, num=f"{num:,}")


EMPTY_FILE = N_("the file is empty: expected a header row")


def read_source(source: Any, max_bytes: int) -> tuple[bytes, str]:
    """The bytes of a path or binary file object, and its name (for the format); never more than
    `max_bytes` are read."""
    limit = count_of(N_("%(num)s bytes"), max_bytes)
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        try:
            size = path.stat().st_size
            if size > max_bytes:
                raise over_limit(1, count_of(N_("the file is %(num)s bytes"), size), limit, "IMPORT_MAX_BYTES")
            with path.open("rb") as f:
                data = f.read(max_bytes + 1)  # it may have grown since stat()
        except OSError as exc:
            reason = Reason(N_("cannot read the file: %(error)s"), error=exc.strerror or str(exc))
            raise FileError(1, "", reason) from None
        name = path.name
    else:
        data = source.read(max_bytes + 1)
        if isinstance(data, str):
            raise TypeError("import_buyers needs a path or a file opened in binary mode")
        name = getattr(source, "name", "") or ""
    if len(data) > max_bytes:
        raise over_limit(1, count_of(N_("the file is more than %(num)s bytes"), max_bytes), limit,
                         "IMPORT_MAX_BYTES")
    return data, name


def detect_format(fmt: str | None, data: bytes, name: str) -> str:
    """The format (csv or xlsx): as asked, else from the name's extension, else from the content."""
    if fmt:
        fmt = fmt.lower().lstrip(".")
        if fmt not in ("csv", "xlsx"):
            raise ValueError(f"unknown format {fmt!r}: csv or xlsx")
        return fmt
    ext = os.path.splitext(str(name))[1].lower()
    if ext in (".xlsx", ".xlsm"):
        return "xlsx"
    if ext in (".csv", ".txt", ".tsv"):
        return "csv"
    return "xlsx" if data[:4] == b"PK\x03\x04" else "csv"


def csv_rows(data: bytes) -> tuple[Iterator[list[str]], int]:
    """Records of a UTF-8 (or BOM-marked UTF-16) CSV file and an estimate of their number."""
    if not data.strip():
        raise FileError(1, "", EMPTY_FILE)
    if data[:4] == b"\xd0\xcf\x11\xe0":
        raise FileError(1, "", N_("an old Excel .xls file: save it as .xlsx or as 'CSV UTF-8'"))
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            raise FileError(1, "", N_("not valid UTF-16 text")) from None
    else:
        if b"\x00" in data:
            line = data.count(b"\n", 0, data.index(b"\x00")) + 1
            raise FileError(line, "", N_("binary data (NUL byte), not a CSV text file"))
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = data.count(b"\n", 0, exc.start) + 1
            raise FileError(line, "", Reason(N_("not UTF-8 text (byte 0x%(byte)s on line %(line)s); "
                                                "save the file as 'CSV UTF-8'"),
                                             byte=f"{data[exc.start]:02x}", line=line)) from None
    first = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first.count)
    estimate = max(text.count("\n") - (1 if text.endswith("\n") else 0), 0)
    records = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    # most files have no cell starting with a quote: one scan spares them a pass over every cell
    if text.startswith("'") or _CELL_STARTS_WITH_QUOTE.search(text):
        return _restored(records), estimate
    return records, estimate


def _restored(records: Iterable[list[str]]) -> Iterator[list[str]]:
    """Records with the quote our export puts before a formula-like cell taken off again."""
    for cells in records:
        yield [restore(c) if c[:1] == "'" else c for c in cells]


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if hasattr(value, "isoformat"):  # datetime (naive in Excel: never taken as UTC), date, time
        return value.isoformat()
    return str(value)


def check_workbook_size(data: bytes, limits: ImportLimits) -> None:
    """Refuse a workbook that would unpack to more than the limits allow, before it is opened.

    The sizes are the ones the zip's directory declares; zipfile never unpacks a part beyond its
    declared size (it stops there and fails the checksum), so they bound what openpyxl reads.
    """
    if data.count(b"PK\x01\x02") > MAX_XLSX_PARTS:  # directory entries, counted before zipfile parses them
        raise FileError(1, "", count_of(N_("the workbook has more than %(num)s parts (a fixed limit): "
                                           "not a spreadsheet saved by a spreadsheet program"), MAX_XLSX_PARTS))
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
    except Exception as exc:  # BadZipFile, or struct/value errors on a damaged directory
        raise FileError(1, "", _unreadable(exc)) from None
    total = sum(p.file_size for p in parts)
    if total > limits.max_uncompressed_bytes:
        raise over_limit(1, count_of(N_("the workbook unpacks to %(num)s bytes"), total),
                         count_of(N_("%(num)s bytes"), limits.max_uncompressed_bytes), "IMPORT_MAX_UNCOMPRESSED_BYTES")
    for p in parts:
        if p.file_size >= RATIO_CHECKED_FROM and p.file_size > limits.max_compression_ratio * max(p.compress_size, 1):
            ratio = p.file_size // max(p.compress_size, 1)
            what = Reason(N_("the workbook part %(part)s unpacks %(ratio)s times larger "
                             "(%(packed)s to %(size)s bytes)"),
                          part=repr(p.filename), ratio=f"{ratio:,}", packed=f"{p.compress_size:,}",
                          size=f"{p.file_size:,}")
            raise over_limit(1, what, count_of(N_("%(num)s times"), limits.max_compression_ratio),
                             "IMPORT_MAX_COMPRESSION_RATIO")


def xlsx_rows(data: bytes, limits: ImportLimits) -> tuple[Iterator[list[str]], int]:
    """Rows of the first sheet of an .xlsx workbook as cell strings, and an estimate of their number."""
    from openpyxl import load_workbook

    if not data.strip():
        raise FileError(1, "", EMPTY_FILE)
    check_workbook_size(data, limits)
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        ws = wb.worksheets[0]
        estimate = max((ws.max_row or 1) - 1, 0)
    except Exception as exc:  # openpyxl raises zipfile, KeyError, XML errors … on garbage
        raise FileError(1, "", _unreadable(exc)) from None

    def rows() -> Iterator[list[str]]:
        try:
            for values in ws.iter_rows(values_only=True):
                yield [restore(c) if c[:1] == "'" else c for c in map(_cell, values)]
        except Exception as exc:
            raise FileError(0, "", Reason(N_("the workbook is damaged (%(error)s)"),
                                          error=f"{type(exc).__name__}: {exc}")) from None
        finally:
            wb.close()

    return rows(), estimate


def _unreadable(exc: Exception) -> Reason:
    return Reason(N_("not a readable .xlsx workbook (%(error)s)"), error=type(exc).__name__)


def first_nonblank(records: Iterator[list[str]]) -> list[str] | None:
    """The header row: the first record, even if blank (then it has no buyer column); None if none."""
    for cells in records:
        return cells
    return None
