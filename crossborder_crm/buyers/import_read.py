"""Reading an import file: CSV/XLSX decoding, the header row mapped to known columns, and the
errors that stop a whole file (`_FileError`). Rows come out as lists of cell strings."""
from __future__ import annotations

import csv
import io
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator

from crossborder_crm.buyers.import_rows import (BUYER_COLUMNS, ORDER_COLUMNS, READ_ONLY_COLUMNS,
                                                RowError)

if TYPE_CHECKING:
    from crossborder_crm.buyers.importer import ImportReport

KNOWN_COLUMNS = frozenset(BUYER_COLUMNS + ORDER_COLUMNS + READ_ONLY_COLUMNS)
ALIASES = {
    "full_name": "name", "buyer_name": "name", "customer_name": "name",
    "e_mail": "email", "email_address": "email", "mail": "email",
    "phone_number": "phone", "telephone": "phone", "tel": "phone", "mobile": "phone",
    "country_code": "country", "state": "region", "province": "region",
    "zip": "postal_code", "zip_code": "postal_code", "zipcode": "postal_code",
    "postcode": "postal_code", "postal": "postal_code",
    "time_zone": "timezone", "tz": "timezone", "lang": "language",
    "marketplace_id": "marketplace_buyer_id", "buyer_id": "marketplace_buyer_id",
    "tag": "tags", "note": "notes", "consent_status": "consent",
    "order_number": "order_id", "order_external_id": "order_id",
    "placed_at": "order_date", "order_placed_at": "order_date", "ordered_at": "order_date",
    "order_currency": "currency", "order_total": "total", "status": "order_status",
    "title": "item_title", "product": "item_title", "sku": "item_sku",
    "quantity": "item_quantity", "qty": "item_quantity",
    "unit_price": "item_price", "price": "item_price",
}


class _FileError(Exception):
    """The file as a whole cannot be read; nothing is imported."""

    def __init__(self, row: int, column: str, reason: str):
        super().__init__(reason)
        self.error = RowError(row, column, reason)


# --- reading the file ---------------------------------------------------------------------------

def _read_source(source: Any) -> tuple[bytes, str]:
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        try:
            return path.read_bytes(), path.name
        except OSError as exc:
            raise _FileError(1, "", f"cannot read the file: {exc.strerror or exc}") from None
    data = source.read()
    if isinstance(data, str):
        raise TypeError("import_buyers needs a path or a file opened in binary mode")
    return data, getattr(source, "name", "") or ""


def _detect_format(fmt: str | None, data: bytes, name: str) -> str:
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


def _csv_rows(data: bytes) -> tuple[Iterator[list[str]], int]:
    """Records of a UTF-8 (or BOM-marked UTF-16) CSV file and an estimate of their number."""
    if not data.strip():
        raise _FileError(1, "", "the file is empty: expected a header row")
    if data[:4] == b"\xd0\xcf\x11\xe0":
        raise _FileError(1, "", "an old Excel .xls file: save it as .xlsx or as 'CSV UTF-8'")
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            raise _FileError(1, "", "not valid UTF-16 text") from None
    else:
        if b"\x00" in data:
            line = data.count(b"\n", 0, data.index(b"\x00")) + 1
            raise _FileError(line, "", "binary data (NUL byte), not a CSV text file")
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = data.count(b"\n", 0, exc.start) + 1
            raise _FileError(line, "", f"not UTF-8 text (byte 0x{data[exc.start]:02x} on line {line}); "
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


def _xlsx_rows(data: bytes) -> tuple[Iterator[list[str]], int]:
    from openpyxl import load_workbook

    if not data.strip():
        raise _FileError(1, "", "the file is empty: expected a header row")
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        ws = wb.worksheets[0]
        estimate = max((ws.max_row or 1) - 1, 0)
    except Exception as exc:  # openpyxl raises zipfile, KeyError, XML errors … on garbage
        raise _FileError(1, "", f"not a readable .xlsx workbook ({type(exc).__name__})") from None

    def rows() -> Iterator[list[str]]:
        try:
            for values in ws.iter_rows(values_only=True):
                yield [_cell(v) for v in values]
        except Exception as exc:
            raise _FileError(0, "", f"the workbook is damaged ({type(exc).__name__}: {exc})") from None
        finally:
            wb.close()

    return rows(), estimate


def _header_key(name: str) -> str:
    key = re.sub(r"[\s\-.]+", "_", name.strip().lower())
    return ALIASES.get(key, key)


def _header(cells: list[str], report: ImportReport) -> list[tuple[int, str, str]]:
    columns: list[tuple[int, str, str]] = []
    seen: dict[str, str] = {}
    for idx, raw in enumerate(cells):
        name = raw.strip()
        if not name:
            continue
        canon = _header_key(name)
        if canon not in KNOWN_COLUMNS:
            report.errors.append(RowError(1, name, "unknown column"))
        elif canon in seen:
            report.errors.append(RowError(1, name, f"duplicate column (same as {seen[canon]!r})"))
        else:
            seen[canon] = name
            columns.append((idx, canon, name))
    if not any(c in BUYER_COLUMNS for _, c, _ in columns):
        raise _FileError(1, "", "no buyer column in the header row (expected e.g. name, email, country)")
    return columns


def _first_nonblank(records: Iterator[list[str]]) -> list[str] | None:
    for cells in records:
        return cells  # the header is row 1, even if it is blank (then: no buyer column)
    return None
