"""Reading a buyer import file: CSV/XLSX decoding into rows of cell strings, and the errors
that stop a whole file (`FileError`)."""
from __future__ import annotations

import csv
import io
import os
from pathlib import Path
from typing import Any, Iterator

from crossborder_crm.buyers.import_report import RowError


class FileError(Exception):
    """The file as a whole cannot be read; nothing is imported."""

    def __init__(self, row: int, column: str, reason: str):
        super().__init__(reason)
        self.error = RowError(row, column, reason)


def read_source(source: Any) -> tuple[bytes, str]:
    """The bytes of a path or binary file object, and its name (for the format)."""
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        try:
            return path.read_bytes(), path.name
        except OSError as exc:
            raise FileError(1, "", f"cannot read the file: {exc.strerror or exc}") from None
    data = source.read()
    if isinstance(data, str):
        raise TypeError("import_buyers needs a path or a file opened in binary mode")
    return data, getattr(source, "name", "") or ""


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
        raise FileError(1, "", "the file is empty: expected a header row")
    if data[:4] == b"\xd0\xcf\x11\xe0":
        raise FileError(1, "", "an old Excel .xls file: save it as .xlsx or as 'CSV UTF-8'")
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            raise FileError(1, "", "not valid UTF-16 text") from None
    else:
        if b"\x00" in data:
            line = data.count(b"\n", 0, data.index(b"\x00")) + 1
            raise FileError(line, "", "binary data (NUL byte), not a CSV text file")
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = data.count(b"\n", 0, exc.start) + 1
            raise FileError(line, "", f"not UTF-8 text (byte 0x{data[exc.start]:02x} on line {line}); "
                                      "save the file as 'CSV UTF-8'") from None
    first = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first.count)
    estimate = max(text.count("\n") - (1 if text.endswith("\n") else 0), 0)
    return csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), estimate


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


def xlsx_rows(data: bytes) -> tuple[Iterator[list[str]], int]:
    """Rows of the first sheet of an .xlsx workbook as cell strings, and an estimate of their number."""
    from openpyxl import load_workbook

    if not data.strip():
        raise FileError(1, "", "the file is empty: expected a header row")
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        ws = wb.worksheets[0]
        estimate = max((ws.max_row or 1) - 1, 0)
    except Exception as exc:  # openpyxl raises zipfile, KeyError, XML errors … on garbage
        raise FileError(1, "", f"not a readable .xlsx workbook ({type(exc).__name__})") from None

    def rows() -> Iterator[list[str]]:
        try:
            for values in ws.iter_rows(values_only=True):
                yield [_cell(v) for v in values]
        except Exception as exc:
            raise FileError(0, "", f"the workbook is damaged ({type(exc).__name__}: {exc})") from None
        finally:
            wb.close()

    return rows(), estimate


def first_nonblank(records: Iterator[list[str]]) -> list[str] | None:
    """The header row: the first record, even if blank (then it has no buyer column); None if none."""
    for cells in records:
        return cells
    return None
