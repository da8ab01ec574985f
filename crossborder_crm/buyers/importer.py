"""Import buyers (and their orders) from CSV or Excel: the API's rules, one transaction, bulk SQL.

Every row is checked with the API's own schemas (`BuyerFields`, `OrderCreate`, `order_from_spec`);
each bad cell becomes a `RowError(row, column, reason)` and the row is skipped whole. The file
goes in as ONE transaction: non-strict imports the valid rows, `strict` writes nothing if any
row is bad, `dry_run` does everything and rolls back, so its report is exactly what would happen.

Rows are matched to buyers by email (case-insensitive, within the seller): a known email
updates the fields given on the row (an empty cell changes nothing), a new one creates a
buyer (then name and country are required). Several rows with the same email add their orders
to one buyer; several rows with the same order_id add item lines to one order.

Rows without an email are matched by (marketplace, marketplace_buyer_id) when they have one.
Empty cells, "unknown" consent alone, and a timezone/language whose *_source column says it
was inferred (as in an export) are "not given". Blank lines are skipped.

Speed (profiled with bench/bench_import_list.py): rows are validated and written in chunks of
CHUNK rows, never through the ORM unit of work. New ids are reserved up front (SQLite: under
BEGIN IMMEDIATE, max(id)+1…; PostgreSQL: nextval) so no RETURNING round trip is needed, and the
rows go in as one driver-level executemany (SQLite) or COPY (PostgreSQL + psycopg 3) with
SQLAlchemy's own bind processors applied column-wise. Email checks cache the domain half,
inference results are memoised per distinct input, the cyclic GC is paused, SQLite gets a
64 MiB page cache for the import, and order statistics are computed in memory with
`buyers.stats.compute_stats` once at the end and written in bulk.
"""
from __future__ import annotations

import csv
import functools
import gc
import io
import os
import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, Any, Callable, Iterator

from email_validator import EmailNotValidError, validate_email
from email_validator.rfc_constants import CASE_INSENSITIVE_MAILBOX_NAMES, DOT_ATOM_TEXT
from pydantic import ValidationError
from sqlalchemy import bindparam, delete, func, select, text, update
from sqlalchemy.engine import Connection

from crossborder_crm.accounts.models import Seller
from crossborder_crm.buyers.models import (Activity, Buyer, BuyerIdentity, BuyerSpend, BuyerTag,
                                           Order, OrderItem)
from crossborder_crm.buyers.schemas import BuyerFields, OrderCreate, check_email
from crossborder_crm.buyers.service import apply_inference, order_from_spec
from crossborder_crm.buyers.stats import OrderFact, compute_stats
from crossborder_crm.clock import Clock
from crossborder_crm.db import Database
from crossborder_crm.errors import NotFound, ValidationFailed
from crossborder_crm.validation import field_errors

CHUNK = 5000
IN_BATCH = 900  # ids per IN (...) list

# Writable buyer columns, in export order (the exporter writes these plus READ_ONLY_COLUMNS).
BUYER_COLUMNS = ("name", "email", "phone", "country", "region", "city", "postal_code", "timezone",
                 "language", "marketplace", "marketplace_buyer_id", "marketplace_locale", "tags",
                 "notes", "consent", "consent_source", "consent_at")
ORDER_COLUMNS = ("order_id", "order_date", "currency", "total", "order_status", "item_title",
                 "item_sku", "item_category", "item_quantity", "item_price")
# Written by the exporter, accepted (and ignored) by the importer, so an export re-imports as is.
# timezone_source / language_source do count: a value that was inferred is inferred again.
READ_ONLY_COLUMNS = ("id", "timezone_source", "language_source", "order_count", "last_order_at",
                     "spend")
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
_PLAIN = ("name", "phone", "country", "region", "city", "postal_code", "marketplace",
          "marketplace_buyer_id", "marketplace_locale", "notes")
_ITEM_COLUMNS = {"item_title": "title", "item_sku": "sku", "item_category": "category",
                 "item_quantity": "quantity", "item_price": "unit_price"}
# Where a schema's error location points, as an import column.
_BUYER_LOC = {"consent.status": "consent", "consent.source": "consent_source",
              "consent.at": "consent_at"}
_ORDER_LOC = {"external_id": "order_id", "placed_at": "order_date", "currency": "currency",
              "total": "total", "status": "order_status", "marketplace": "marketplace",
              **{f"items.0.{v}": k for k, v in _ITEM_COLUMNS.items()}}
_TAG_SPLIT = re.compile(r"[;|]")


@dataclass(frozen=True)
class RowError:
    """One bad cell: spreadsheet row (the header is row 1), column as named in the file, why."""

    row: int
    column: str
    reason: str


@dataclass
class ImportReport:
    """What an import did (or, for a dry run or a refused strict run, would have done)."""

    rows_total: int = 0  # data rows (blank lines not counted)
    rows_imported: int = 0  # rows without errors (written unless dry run / strict refusal)
    buyers_created: int = 0
    buyers_updated: int = 0  # buyers that existed before the import (matched by email / id)
    orders_created: int = 0
    orders_existing: int = 0  # already recorded for the same buyer: left as they are
    errors: list[RowError] = field(default_factory=list)
    dry_run: bool = False
    strict: bool = False
    committed: bool = False
    fatal: bool = False  # the file could not be read at all

    @property
    def rows_with_errors(self) -> int:
        """Data rows skipped because of an error (header errors not counted)."""
        return len({e.row for e in self.errors if e.row > 1})

    def as_dict(self) -> dict:
        return {"rows_total": self.rows_total, "rows_imported": self.rows_imported,
                "rows_with_errors": self.rows_with_errors, "buyers_created": self.buyers_created,
                "buyers_updated": self.buyers_updated, "orders_created": self.orders_created,
                "orders_existing": self.orders_existing, "dry_run": self.dry_run,
                "strict": self.strict, "committed": self.committed, "fatal": self.fatal,
                "errors": [e.__dict__ for e in self.errors]}


BLANK = object()  # a row with nothing in it: skipped, not counted


class _FileError(Exception):
    """The file as a whole cannot be read; nothing is imported."""

    def __init__(self, row: int, column: str, reason: str):
        super().__init__(reason)
        self.error = RowError(row, column, reason)


# --- email: the API's check, with a cache for the expensive (domain) half --------------------

_HOSTNAME_CHARS = re.compile(r"[A-Za-z0-9.\-]+\Z")


@functools.lru_cache(maxsize=65536)
def _domain_info(domain: str) -> tuple[str, str] | None:
    """(normalized, ascii) domain as email-validator gives it, or None if it refuses it."""
    try:
        v = validate_email("a@" + domain, check_deliverability=False)
    except EmailNotValidError:
        return None
    return v.domain, v.ascii_domain


def fast_check_email(value: str | None) -> str | None:
    """Exactly `schemas.check_email`, faster for the common shape of address.

    For a plain ASCII dot-atom local part (which email-validator accepts and returns
    unchanged) and an ASCII host name, only the domain needs email-validator, once per
    distinct domain; the length limits are checked the same way. Anything else (quotes,
    display names, Unicode, RFC 2142 role names that get lower-cased, any refusal) goes
    through `check_email` itself, so the accepted set and the messages are the API's.
    """
    if value is None or value == "":
        return None
    local, at, domain = value.rpartition("@")
    if (at and local and "@" not in local and DOT_ATOM_TEXT.match(local)
            and _HOSTNAME_CHARS.match(domain)
            and local.lower() not in CASE_INSENSITIVE_MAILBOX_NAMES):
        info = _domain_info(domain)
        if info is not None:
            norm_domain, ascii_domain = info
            normalized = local + "@" + norm_domain
            if (len(value) <= 254 and len(normalized.encode()) <= 254
                    and len(local) + 1 + len(ascii_domain) <= 254):
                return normalized
    return check_email(value)


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


# --- one row -------------------------------------------------------------------------------------

@dataclass
class _OrderIn:
    marketplace: str
    external_id: str
    placed_at: datetime
    currency: str
    total: int | None  # None: the sum of the items
    status: str
    items: list[dict]


class _RowIn:
    """A valid row: the buyer fields present on it (validated) and its order line, if any."""

    __slots__ = ("row", "email_key", "given", "order")

    def __init__(self, row: int, email_key: str | None, given: dict[str, Any], order: _OrderIn | None):
        self.row, self.email_key, self.given, self.order = row, email_key, given, order


class _Order:
    """An order met in this file: its id once written, its facts, and its pending item lines."""

    __slots__ = ("target", "row", "key", "placed_at", "currency", "status", "total", "items_total",
                 "id", "pending_items", "existing")

    def __init__(self, target, row, o: _OrderIn, existing: bool = False):
        self.target, self.row, self.existing = target, row, existing
        self.key = (o.marketplace, o.external_id)
        self.placed_at, self.currency, self.status, self.total = o.placed_at, o.currency, o.status, o.total
        self.items_total = 0
        self.id: int | None = None
        self.pending_items: list[dict] = []


class _Target:
    """A buyer this import creates or changes."""

    __slots__ = ("id", "new", "preexisting", "given", "row", "identities")

    def __init__(self, id: int | None, new: bool, preexisting: bool, row: int):
        self.id, self.new, self.preexisting, self.row = id, new, preexisting, row
        self.given: dict[str, Any] = {}
        self.identities: list[tuple[str, str, str | None]] = []


class _Importer:
    def __init__(self, conn: Connection, clock: Clock, seller_id: int, report: ImportReport,
                 columns: list[tuple[int, str, str]], width: int):
        self.conn, self.seller_id, self.report = conn, seller_id, report
        self.now = clock.now()
        self.columns = columns  # (index, canonical, header as written)
        self.names = {canon: raw for _, canon, raw in columns}
        self._width = max([width] + [idx + 1 for idx, _, _ in columns])  # cells past it: no header
        self._by_position: list[str | None] = [None] * self._width
        for idx, canon, _ in columns:
            self._by_position[idx] = canon
        self._given_checks = [(w, f"{w}_source") for w in ("timezone", "language") if w in self.names]
        self._plain = [c for c in _PLAIN if c in self.names]
        self._inferred: dict[tuple, tuple] = {}
        self._pending_keys: set[str] = set()  # emails of valid rows not yet resolved
        # Consent from a sheet without a source column is recorded as coming from the import.
        self._default_consent_source = None if "consent_source" in self.names else "import"
        self.has_order_columns = any(c in ORDER_COLUMNS for _, c, _ in columns)
        lang = conn.scalar(select(Seller.default_language).where(Seller.id == seller_id))
        if lang is None and conn.scalar(select(Seller.id).where(Seller.id == seller_id)) is None:
            raise NotFound(f"seller {seller_id} not found")
        self.seller_language = lang or "en"
        self.email_ids: dict[str, int] = {}
        for bid, email in conn.execute(select(Buyer.id, Buyer.email).where(
                Buyer.seller_id == seller_id, Buyer.email.is_not(None)).order_by(Buyer.id.desc())):
            self.email_ids[email.lower()] = bid
        self.identity_owner: dict[tuple[str, str], Any] = {
            (mp, ext): bid for mp, ext, bid in conn.execute(
                select(BuyerIdentity.marketplace, BuyerIdentity.external_id, BuyerIdentity.buyer_id)
                .where(BuyerIdentity.seller_id == seller_id))}
        self.ids = _Ids(conn)
        self._inserters: dict[tuple, _BulkInsert] = {}
        # The buyers rows of the current chunk are about; forgotten once written (a later
        # chunk finds them by email or marketplace id, as ids), so little stays for the GC.
        self.by_email: dict[str, _Target] = {}
        self.by_id: dict[int, _Target] = {}
        self.created_ids: set[int] = set()
        self.orders: dict[tuple[str, str], _Order] = {}
        self.updated_ids: set[int] = set()
        self.stats_dirty: set[int] = set()

    # -- validation ---------------------------------------------------------------------------

    def col(self, canon: str) -> str:
        return self.names.get(canon, canon)

    def validate(self, rowno: int, cells: list[str]) -> _RowIn | None | object:
        """The row checked cell by cell: a _RowIn, None if it has errors (reported), or BLANK."""
        values = {canon: v for canon, raw in zip(self._by_position, cells)
                  if canon is not None and (v := raw.strip())}
        if len(cells) > self._width:
            stray = next((i for i in range(self._width, len(cells)) if cells[i].strip()), None)
            if stray is not None:
                self.report.errors.append(RowError(rowno, f"column {stray + 1}",
                                                   "value in a column without a header"))
                return None
        if not values:
            return BLANK
        errors: dict[str, str] = {}
        data: dict[str, Any] = {k: values[k] for k in self._plain if k in values}
        for what, source in self._given_checks:
            if what in values and values.get(source, "given") == "given":
                data[what] = values[what]
        tags = values.get("tags")
        if tags is not None:
            data["tags"] = [t for t in _TAG_SPLIT.split(tags) if t.strip()]
        status = values.get("consent")
        if status is not None and status.lower() == "unknown" and not (
                "consent_source" in values or "consent_at" in values):
            status = None  # "unknown" alone is no information: a recorded consent is kept
        if status:
            data["consent"] = {"status": status.lower(),
                               "source": values.get("consent_source", self._default_consent_source)}
            if "consent_at" in values:
                data["consent"]["at"] = values["consent_at"]
        else:
            for c in ("consent_source", "consent_at"):
                if c in values:
                    errors[self.col(c)] = "needs a consent value (granted, denied, unknown) on the row"
        email = values.get("email")
        if email is not None:
            try:
                email = fast_check_email(email)
            except ValueError as exc:
                errors[self.col("email")] = str(exc)
                email = None
        spec = None
        try:
            spec = BuyerFields.model_validate(data)
        except ValidationError as exc:
            for loc, msg in field_errors(exc).items():
                errors.setdefault(self.col(self._buyer_column(loc, msg)), msg)
        order = None
        if self.has_order_columns and any(c in values for c in ORDER_COLUMNS):
            order = self._validate_order(values, errors)
        key = email.lower() if email else None
        if errors or spec is None:
            # Say now, too, what a new buyer would lack (a valid row is checked when resolved).
            if not self._known(key, values):
                for c in ("name", "country"):
                    if c not in values:
                        errors.setdefault(self.col(c), "Field required")
            self.report.errors.extend(RowError(rowno, c, r) for c, r in errors.items())
            return None
        if key:
            self._pending_keys.add(key)
        fields = spec.__dict__
        given: dict[str, Any] = {k: fields[k] for k in spec.model_fields_set}
        if email is not None:
            given["email"] = email
        if spec.consent is not None:
            given["consent"] = (spec.consent.status, spec.consent.source, spec.consent.at or self.now)
        return _RowIn(rowno, key, given, order)

    def _known(self, key: str | None, values: dict[str, str]) -> bool:
        """Whether a row may be about a buyer already known (so it need not name one fully)."""
        if key is not None:
            return key in self.by_email or key in self.email_ids or key in self._pending_keys
        mp, ext = values.get("marketplace"), values.get("marketplace_buyer_id")
        return bool(mp and ext) and (mp.lower(), ext) in self.identity_owner

    @staticmethod
    def _buyer_column(loc: str, msg: str) -> str:
        if loc in _BUYER_LOC:
            return _BUYER_LOC[loc]
        if loc == "body":  # the schema's model-level checks
            if msg.startswith("phone"):
                return "phone"
            if "marketplace" in msg:
                return "marketplace"
        return loc.split(".", 1)[0]

    def _validate_order(self, values: dict[str, str], errors: dict[str, str]) -> _OrderIn | None:
        data: dict[str, Any] = {"marketplace": values.get("marketplace", "manual")}
        for canon, key in (("order_id", "external_id"), ("order_date", "placed_at"),
                           ("currency", "currency"), ("total", "total"), ("order_status", "status")):
            if canon in values:
                data[key] = values[canon]
        item = {key: values[canon] for canon, key in _ITEM_COLUMNS.items() if canon in values}
        data["items"] = [item] if item else []
        try:
            spec = OrderCreate.model_validate(data)
            row = order_from_spec(spec, self.seller_id, 0, self.now)
        except ValidationError as exc:
            for loc, msg in field_errors(exc).items():
                errors.setdefault(self.col(_ORDER_LOC.get(loc, loc)), msg)
            return None
        except ValidationFailed as exc:
            for loc, msg in exc.fields.items():
                errors.setdefault(self.col(_ORDER_LOC.get(loc, loc)), msg)
            return None
        items = [{"sku": it.sku, "title": it.title, "category": it.category, "quantity": it.quantity,
                  "unit_price_minor": it.unit_price_minor} for it in row.items]
        return _OrderIn(row.marketplace, row.external_id, row.placed_at, row.currency,
                        row.total_minor if spec.total is not None else None, row.status, items)

    # -- one chunk: resolve rows to buyers and orders, then write ---------------------------------

    def process(self, chunk: list[_RowIn]) -> None:
        known_orders = self._existing_orders(chunk)
        touched: dict[int, _Target] = {}
        new_orders: list[_Order] = []
        grown: list[_Order] = []
        for r in chunk:
            g = r.given
            target, fresh = self._match(r)
            if target is None:
                if "name" not in g or "country" not in g:
                    for c in ("name", "country"):
                        if c not in g:
                            self.report.errors.append(RowError(r.row, self.col(c), "Field required"))
                    continue
                target = fresh = _Target(None, True, False, r.row)
            mp, ext = g.get("marketplace"), g.get("marketplace_buyer_id")
            if (mp and ext and not self._identity_ok(r, target, mp, ext)) or (
                    r.order is not None and not self._order_ok(r, target, known_orders)):
                continue
            # The row is accepted: record what it changes.
            if fresh is not None:
                if r.email_key:
                    self.by_email[r.email_key] = fresh
                if fresh.id is not None:
                    self.by_id[fresh.id] = fresh
            if fresh is not None and fresh.id is None:
                target.given = r.given
            else:
                r.given.pop("email", None)  # matched by it: keep the address as first written
                target.given.update(r.given)
            touched[id(target)] = target
            if mp and ext and (mp, ext) not in self.identity_owner:
                self.identity_owner[(mp, ext)] = target
                target.identities.append((mp, ext, g.get("marketplace_locale")))
            if r.order is not None:
                self._add_order(r, target, known_orders, new_orders, grown)
            self.report.rows_imported += 1
        self._write(list(touched.values()), new_orders, grown)
        self._pending_keys.clear()
        self.by_email.clear()
        self.by_id.clear()

    def _match(self, r: _RowIn) -> tuple[_Target | None, _Target | None]:
        """The buyer a row is about (by email, else by marketplace id), and whether it is new here."""
        if r.email_key:
            target = self.by_email.get(r.email_key)
            if target is not None:
                return target, None
            bid = self.email_ids.get(r.email_key)
        else:
            owner = self.identity_owner.get((r.given.get("marketplace"), r.given.get("marketplace_buyer_id")))
            if isinstance(owner, _Target):
                return owner, None
            bid = owner
        if bid is None:
            return None, None
        target = self.by_id.get(bid)
        if target is not None:
            return target, None
        target = _Target(bid, False, bid not in self.created_ids, r.row)
        return target, target

    def _identity_ok(self, r: _RowIn, target: _Target, mp: str, ext: str) -> bool:
        owner = self.identity_owner.get((mp, ext))
        if owner is None or owner is target or (target.id is not None and owner == target.id):
            return True
        who = f"buyer {owner}" if isinstance(owner, int) else (
            f"buyer {owner.id}" if owner.id is not None else f"the buyer of row {owner.row}")
        self.report.errors.append(RowError(r.row, self.col("marketplace_buyer_id"),
                                           f"already used by {who}"))
        return False

    def _order_ok(self, r: _RowIn, target: _Target, known: dict) -> bool:
        o = r.order
        if o is None:
            return True
        key = (o.marketplace, o.external_id)
        seen = self.orders.get(key)
        err = None
        if seen is not None:
            if seen.target is not target and (target.id is None or seen.target.id != target.id):
                err = ("order_id", f"order {o.external_id} belongs to another buyer (row {seen.row})")
            elif not seen.existing:
                if o.placed_at != seen.placed_at:
                    err = ("order_date", f"differs from row {seen.row} of the same order")
                elif o.currency != seen.currency:
                    err = ("currency", f"differs from row {seen.row} of the same order")
                elif o.total is not None and seen.total is not None and o.total != seen.total:
                    err = ("total", f"differs from row {seen.row} of the same order")
                elif o.status != seen.status:
                    err = ("order_status", f"differs from row {seen.row} of the same order")
        elif key in known and known[key] != target.id:
            err = ("order_id", f"order {o.external_id} is already recorded for buyer {known[key]}")
        if err:
            self.report.errors.append(RowError(r.row, self.col(err[0]), err[1]))
            return False
        return True

    def _add_order(self, r: _RowIn, target: _Target, known: dict, new_orders: list, grown: list) -> None:
        o = r.order
        key = (o.marketplace, o.external_id)
        seen = self.orders.get(key)
        if seen is None:
            seen = _Order(target, r.row, o, existing=key in known)
            self.orders[key] = seen
            if seen.existing:
                self.report.orders_existing += 1
            else:
                new_orders.append(seen)
        if seen.existing:
            return  # already recorded for this buyer: its lines are not added twice
        changed = False
        if seen.total is None and o.total is not None:
            seen.total, changed = o.total, True
        for item in o.items:
            seen.items_total += item["unit_price_minor"] * item["quantity"]
            seen.pending_items.append(item)
            changed = True
        if seen.id is not None and changed:
            grown.append(seen)  # written in an earlier chunk: new lines and total go in now

    def _existing_orders(self, chunk: list[_RowIn]) -> dict[tuple[str, str], int]:
        """(marketplace, external_id) → buyer id of the chunk's orders already in the database."""
        wanted: dict[str, set[str]] = {}
        for r in chunk:
            if r.order is not None and (r.order.marketplace, r.order.external_id) not in self.orders:
                wanted.setdefault(r.order.marketplace, set()).add(r.order.external_id)
        found: dict[tuple[str, str], int] = {}
        for mp, ids in wanted.items():
            for batch in _batches(sorted(ids), IN_BATCH):
                for ext, bid in self.conn.execute(select(Order.external_id, Order.buyer_id).where(
                        Order.seller_id == self.seller_id, Order.marketplace == mp,
                        Order.external_id.in_(batch))):
                    found[(mp, ext)] = bid
        return found

    # -- writing --------------------------------------------------------------------------------

    _BUYER_INSERT = ("id", "seller_id", "name", "email", "phone", "country", "region", "city",
                     "postal_code", "timezone", "timezone_source", "timezone_confidence",
                     "timezone_explanation", "language", "language_source", "language_explanation",
                     "marketplace", "marketplace_buyer_id", "marketplace_locale", "tags", "notes",
                     "consent_status", "consent_source", "consent_at", "order_count", "created_at",
                     "updated_at")
    _ORDER_INSERT = ("id", "seller_id", "buyer_id", "marketplace", "external_id", "placed_at",
                     "currency", "total_minor", "status", "created_at", "updated_at")

    def _inserter(self, table, columns: tuple[str, ...]) -> _BulkInsert:
        key = (table.name, columns)
        ins = self._inserters.get(key)
        if ins is None:
            ins = self._inserters[key] = _BulkInsert(self.conn, table, columns)
        return ins

    def _insert_with_ids(self, table, columns: tuple[str, ...], rows: list[tuple]) -> list[int]:
        """Insert rows (tuples in `columns` order, without the leading id) and return their ids."""
        ids = self.ids.take(table, len(rows))
        if ids is not None:
            self._inserter(table, columns).run([(i, *r) for i, r in zip(ids, rows)])
            return ids
        stmt = table.insert().returning(table.c.id, sort_by_parameter_order=True)
        result = self.conn.execute(stmt, [dict(zip(columns[1:], r)) for r in rows])
        return [row[0] for row in result]

    def _write(self, targets: list[_Target], new_orders: list[_Order], grown: list[_Order]) -> None:
        new = [t for t in targets if t.id is None]
        changed = [t for t in targets if t.id is not None]
        tag_rows: list[tuple] = []
        if new:
            ids = self._insert_with_ids(Buyer.__table__, self._BUYER_INSERT,
                                        [self._new_row(t) for t in new])
            sid = self.seller_id
            self.created_ids.update(ids)
            for t, bid in zip(new, ids):
                t.id = bid
                g = t.given
                tags = g.get("tags")
                if tags:
                    tag_rows.extend((bid, tag, sid) for tag in tags)
                email = g.get("email")
                if email:
                    self.email_ids[email.lower()] = bid
            self.report.buyers_created += len(new)
        if changed:
            self._update(changed, tag_rows)
        self._inserter(BuyerTag.__table__, ("buyer_id", "tag", "seller_id")).run(tag_rows)
        identities = []
        for t in targets:
            for mp, ext, loc in t.identities:
                identities.append((self.seller_id, t.id, mp, ext, loc))
                self.identity_owner[(mp, ext)] = t.id
            t.identities = []
            t.given = {}
        if identities:
            self._insert_with_ids(BuyerIdentity.__table__,
                                  ("id", "seller_id", "buyer_id", "marketplace", "external_id", "locale"),
                                  identities)
        self._write_orders(new_orders, grown)

    def _infer(self, country, region, postal_code, city, locale, given_tz, given_lang) -> tuple:
        """`service.apply_inference` for these inputs: (timezone, source, confidence, explanation,
        language, source, explanation); memoised per distinct input, the logic is the API's."""
        key = (country, region, postal_code, city, locale, given_tz, given_lang)
        out = self._inferred.get(key)
        if out is None:
            b = _Inferred(country, region, postal_code, city, locale)
            apply_inference(b, given_tz, given_lang, self.seller_language)
            out = (b.timezone, b.timezone_source, b.timezone_confidence, b.timezone_explanation,
                   b.language, b.language_source, b.language_explanation)
            if len(self._inferred) > 200_000:
                self._inferred.clear()
            self._inferred[key] = out
        return out

    def _new_row(self, t: _Target) -> tuple:
        get = t.given.get
        country, region, postal, city, locale = (get("country"), get("region"), get("postal_code"),
                                                 get("city"), get("marketplace_locale"))
        inferred = self._infer(country, region, postal, city, locale, get("timezone"), get("language"))
        status, source, at = get("consent") or _NO_CONSENT
        now = self.now
        return (self.seller_id, get("name"), get("email"), get("phone"), country, region, city,
                postal, *inferred[:4], *inferred[4:], get("marketplace"),
                get("marketplace_buyer_id"), locale, list(get("tags") or ()), get("notes"),
                status, source, at, 0, now, now)

    _UPDATABLE = _PLAIN + ("email", "timezone", "timezone_source", "timezone_confidence",
                           "timezone_explanation", "language", "language_source",
                           "language_explanation", "tags", "consent_status", "consent_source",
                           "consent_at")

    def _update(self, targets: list[_Target], tag_rows: list[tuple]) -> None:
        table = Buyer.__table__
        cols = [table.c[c] for c in self._UPDATABLE]
        current: dict[int, dict] = {}
        for batch in _batches([t.id for t in targets], IN_BATCH):
            for row in self.conn.execute(select(table.c.id, *cols).where(table.c.id.in_(batch))):
                current[row.id] = dict(row._mapping)
        params = []
        retag: list[int] = []
        for t in targets:
            g, cur = t.given, current[t.id]
            row = {k: g[k] if k in g else cur[k] for k in _PLAIN}
            row["email"] = g.get("email", cur["email"])
            given_tz = g["timezone"] if "timezone" in g else (
                cur["timezone"] if cur["timezone_source"] == "given" else None)
            given_lang = g["language"] if "language" in g else (
                cur["language"] if cur["language_source"] == "given" else None)
            inferred = self._infer(row["country"], row["region"], row["postal_code"], row["city"],
                                   row["marketplace_locale"], given_tz, given_lang)
            row.update(zip(("timezone", "timezone_source", "timezone_confidence",
                            "timezone_explanation", "language", "language_source",
                            "language_explanation"), inferred))
            status, source, at = g.get("consent") or (cur["consent_status"], cur["consent_source"],
                                                      cur["consent_at"])
            row.update(consent_status=status, consent_source=source, consent_at=at,
                       tags=list(g["tags"]) if "tags" in g else cur["tags"],
                       updated_at=self.now, b_id=t.id)
            params.append(row)
            if "tags" in g:
                retag.append(t.id)
                tag_rows.extend((t.id, tag, self.seller_id) for tag in g["tags"])
            if t.preexisting:
                self.updated_ids.add(t.id)
        stmt = update(table).where(table.c.id == bindparam("b_id")).values(
            {c: bindparam(c) for c in self._UPDATABLE + ("updated_at",)})
        self.conn.execute(stmt, params)
        for batch in _batches(retag, IN_BATCH):
            self.conn.execute(delete(BuyerTag.__table__).where(BuyerTag.__table__.c.buyer_id.in_(batch)))
        self.report.buyers_updated = len(self.updated_ids)

    def _write_orders(self, new_orders: list[_Order], grown: list[_Order]) -> None:
        sid, now = self.seller_id, self.now
        if new_orders:
            rows = [(sid, o.target.id, o.key[0], o.key[1], o.placed_at, o.currency,
                     o.total if o.total is not None else o.items_total, o.status, now, now)
                    for o in new_orders]
            ids = self._insert_with_ids(Order.__table__, self._ORDER_INSERT, rows)
            for o, oid in zip(new_orders, ids):
                o.id = oid
                self.stats_dirty.add(o.target.id)
            self._insert_with_ids(Activity.__table__, ("id", "seller_id", "buyer_id", "kind", "occurred_at",
                                                       "source", "detail", "created_at"),
                                  [(sid, o.target.id, "order_placed", o.placed_at, o.key[0],
                                    f"order {o.key[1]}", now) for o in new_orders])
            self.report.orders_created += len(new_orders)
        grown = list({id(o): o for o in grown}.values())
        items = []
        for o in new_orders + grown:
            items.extend((o.id, it["sku"], it["title"], it["category"], it["quantity"],
                          it["unit_price_minor"]) for it in o.pending_items)
            o.pending_items = []
        if items:
            self._insert_with_ids(OrderItem.__table__, ("id", "order_id", "sku", "title", "category",
                                                        "quantity", "unit_price_minor"), items)
        if grown:
            table = Order.__table__
            self.conn.execute(update(table).where(table.c.id == bindparam("o_id"))
                              .values(total_minor=bindparam("t")),
                              [{"o_id": o.id, "t": o.total if o.total is not None else o.items_total}
                               for o in grown])
            self.stats_dirty.update(o.target.id for o in grown)

    def finish(self) -> None:
        """Statistics of every buyer that got orders, from all their orders, written in bulk."""
        ids = sorted(self.stats_dirty)
        table, spend = Buyer.__table__, BuyerSpend.__table__
        stmt = update(table).where(table.c.id == bindparam("b_id")).values(
            order_count=bindparam("order_count"), first_order_at=bindparam("first_order_at"),
            last_order_at=bindparam("last_order_at"),
            avg_days_between_orders=bindparam("avg_days_between_orders"),
            next_purchase_at=bindparam("next_purchase_at"))
        spend_insert = self._inserter(spend, ("buyer_id", "currency", "order_count", "total_minor"))
        for batch in _batches(ids, IN_BATCH):
            facts: dict[int, list[OrderFact]] = {bid: [] for bid in batch}
            for bid, placed, cur, total, status in self.conn.execute(
                    select(Order.buyer_id, Order.placed_at, Order.currency, Order.total_minor,
                           Order.status).where(Order.buyer_id.in_(batch))):
                facts[bid].append(OrderFact(placed, cur, total, status))
            params, spend_rows = [], []
            for bid, fs in facts.items():
                st = compute_stats(fs)
                params.append({"b_id": bid, "order_count": st.order_count,
                               "first_order_at": st.first_order_at, "last_order_at": st.last_order_at,
                               "avg_days_between_orders": st.avg_days_between_orders,
                               "next_purchase_at": st.next_purchase_at})
                spend_rows.extend((bid, c, n, t) for c, (n, t) in st.spend.items())
            self.conn.execute(stmt, params)
            self.conn.execute(delete(spend).where(spend.c.buyer_id.in_(batch)))
            spend_insert.run(spend_rows)


_NO_CONSENT = ("unknown", None, None)


class _Inferred:
    """What `service.apply_inference` reads from a buyer and writes back."""

    __slots__ = ("country", "region", "postal_code", "city", "marketplace_locale", "timezone",
                 "timezone_source", "timezone_confidence", "timezone_explanation", "language",
                 "language_source", "language_explanation")

    def __init__(self, country, region, postal_code, city, marketplace_locale):
        self.country, self.region, self.postal_code = country, region, postal_code
        self.city, self.marketplace_locale = city, marketplace_locale

def _batches(items: list, size: int) -> Iterator[list]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


class _BulkInsert:
    """Bulk INSERT of plain tuples: SQLAlchemy compiles the statement and supplies the column
    types' bind processors; the driver runs it as one executemany (SQLite) or COPY (PostgreSQL
    with psycopg 3). Core's per-row parameter handling costs about as much as SQLite's insert
    itself, so it is skipped for these bulk rows; the values stored are the same."""

    def __init__(self, conn: Connection, table, columns: tuple[str, ...]):
        dialect = conn.dialect
        compiled = table.insert().compile(dialect=dialect, column_keys=list(columns))
        order = list(compiled.positiontup) if dialect.positional else list(compiled.binds)
        if set(order) != set(columns):
            raise RuntimeError(f"bulk insert into {table.name}: columns {sorted(set(order) ^ set(columns))}")
        self.conn, self.sql, self.columns = conn, str(compiled), columns
        self.positional = dialect.positional
        self.reorder = None if order == list(columns) else [columns.index(c) for c in order]
        self.names = order
        self.procs = [(i, proc) for i, c in enumerate(columns)
                      if (proc := table.c[c].type.dialect_impl(dialect).bind_processor(dialect))]
        self.copy_sql = None
        if dialect.name == "postgresql" and dialect.driver == "psycopg":
            q = dialect.identifier_preparer
            self.copy_sql = (f"COPY {q.format_table(table)} ({', '.join(q.quote(c) for c in columns)})"
                             " FROM STDIN")

    def run(self, rows: list[tuple]) -> None:
        if not rows:
            return
        if self.copy_sql is not None:
            self._copy(rows)
            return
        if self.procs or self.reorder is not None:
            cols = list(zip(*rows))  # column-wise: each type's processor over one list
            for i, proc in self.procs:
                cols[i] = _processed(cols[i], proc)
            if self.reorder is not None:
                cols = [cols[i] for i in self.reorder]
            rows = list(zip(*cols))
        if not self.positional:
            rows = [dict(zip(self.names, r)) for r in rows]
        self.conn.exec_driver_sql(self.sql, rows)

    def _copy(self, rows: list[tuple]) -> None:
        if self.procs:
            cols = list(zip(*rows))
            for i, proc in self.procs:
                cols[i] = _processed(cols[i], proc)
            rows = zip(*cols)
        with self.conn.connection.driver_connection.cursor() as cur:
            with cur.copy(self.copy_sql) as copy:
                write = copy.write_row
                for r in rows:
                    write(r)


def _processed(values: tuple, proc: Callable) -> list:
    """proc(v) for each value, once per distinct value (every row's `now`, the common tag sets)."""
    memo: dict = {}
    out = []
    for v in values:
        if v is None:
            out.append(None)
            continue
        key = tuple(v) if type(v) is list else v
        try:
            p = memo.get(key, memo)
        except TypeError:  # unhashable (a dict for a JSON column): no memo
            out.append(proc(v))
            continue
        if p is memo:
            p = memo[key] = proc(v)
        out.append(p)
    return out


def _lock_for_import(conn: Connection) -> None:
    """Take the write lock first on SQLite (BEGIN IMMEDIATE): reads and reserved ids stay valid."""
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN IMMEDIATE")


_SQLITE_IMPORT_CACHE = -65536  # KiB: a bigger page cache keeps the buyers indexes in memory


def _sqlite_cache(conn: Connection, value: int | None) -> int | None:
    """Set this SQLite connection's `PRAGMA cache_size`; returns the previous value."""
    if conn.dialect.name != "sqlite" or value is None:
        return None
    raw = conn.connection.driver_connection  # outside SQLAlchemy's transaction bookkeeping
    previous = raw.execute("PRAGMA cache_size").fetchone()[0]
    raw.execute(f"PRAGMA cache_size = {int(value)}")
    return previous


class _Ids:
    """New primary keys handed out before the insert, so rows need no RETURNING round trip.

    SQLite: max(id)+1… (safe: the import holds the write lock). PostgreSQL: nextval() of the
    column's sequence. Anything else: None, and the caller uses INSERT … RETURNING.
    """

    def __init__(self, conn: Connection):
        self.conn = conn
        self.next: dict[str, int] = {}
        self.dialect = conn.dialect.name

    def take(self, table, n: int) -> list[int] | None:
        if n == 0:
            return []
        if self.dialect == "sqlite":
            start = self.next.get(table.name)
            if start is None:
                start = (self.conn.scalar(select(func.max(table.c.id))) or 0) + 1
            self.next[table.name] = start + n
            return list(range(start, start + n))
        if self.dialect == "postgresql":
            seq = self.conn.scalar(text("SELECT pg_get_serial_sequence(:t, 'id')"), {"t": table.name})
            if seq:
                return list(self.conn.scalars(text("SELECT nextval(:s) FROM generate_series(1, :n)"),
                                              {"s": seq, "n": n}))
        return None


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


def import_buyers(db: Database, clock: Clock, seller_id: int, source: str | os.PathLike | IO[bytes], *,
                  fmt: str | None = None, dry_run: bool = False, strict: bool = False,
                  progress: Callable[[int, int], None] | None = None) -> ImportReport:
    """Import a CSV or .xlsx file of buyers (and orders) for one seller, in one transaction.

    Returns the report; the transaction is committed only when this is not a dry run, the
    file could be read, and (with `strict`) no row had an error. `progress(done, total)` is
    called after every chunk (`total` is an estimate until the end).
    """
    report = ImportReport(dry_run=dry_run, strict=strict)
    try:
        data, name = _read_source(source)
        fmt = _detect_format(fmt, data, name)
        records, estimate = (_xlsx_rows if fmt == "xlsx" else _csv_rows)(data)
        del data
        header = _first_nonblank(records)
        if header is None:
            raise _FileError(1, "", "the file is empty: expected a header row")
        columns = _header(header, report)
    except _FileError as exc:
        report.errors.append(exc.error)
        report.fatal = True
        return report
    except csv.Error as exc:
        report.errors.append(RowError(1, "", f"CSV syntax: {exc}"))
        report.fatal = True
        return report
    rowno = 1
    with db.engine.connect() as conn, _gc_paused():
        cache = _sqlite_cache(conn, _SQLITE_IMPORT_CACHE)
        trans = conn.begin()
        try:
            _lock_for_import(conn)
            imp = _Importer(conn, clock, seller_id, report, columns, len(header))
            chunk: list[_RowIn] = []
            done = 0
            validate = imp.validate
            for rowno, cells in enumerate(records, start=2):
                if not any(cells):
                    continue  # blank line
                row = validate(rowno, cells)
                if row is BLANK:
                    continue
                report.rows_total += 1
                if row is not None:
                    chunk.append(row)
                if report.rows_total - done >= CHUNK:
                    imp.process(chunk)
                    chunk = []
                    done = report.rows_total
                    if progress:
                        progress(done, max(estimate, done))
            imp.process(chunk)
            imp.finish()
            if progress:
                progress(report.rows_total, report.rows_total)
            commit = not dry_run and not (strict and report.errors)
            if commit:
                trans.commit()
            else:
                trans.rollback()
            report.committed = commit
        except _FileError as exc:  # e.g. a damaged workbook found half-way through
            trans.rollback()
            err = exc.error
            report.errors.append(RowError(rowno + 1, err.column, err.reason) if err.row == 0 else err)
            report.fatal = True
        except csv.Error as exc:
            trans.rollback()
            report.errors.append(RowError(rowno + 1, "", f"CSV syntax: {exc}"))
            report.fatal = True
        except BaseException:
            trans.rollback()
            raise
        finally:
            _sqlite_cache(conn, cache)
    if report.committed:
        _refresh_statistics(db, report)
    if report.errors:
        report.errors.sort(key=lambda e: e.row)
    return report


ANALYZE_AFTER = 1000  # rows written from which the planner's statistics are refreshed


def _refresh_statistics(db: Database, report: ImportReport) -> None:
    """ANALYZE the tables a big import filled. Without statistics SQLite plans a seller's
    buyer list through an index plus a sort of every row (35 ms instead of 10 ms for a page at
    100,000 buyers), and PostgreSQL waits for autovacuum to notice (48 ms instead of 19 ms)."""
    tables = []
    if report.buyers_created + report.buyers_updated >= ANALYZE_AFTER:
        tables += ["buyers", "buyer_tags", "buyer_identities"]
    if report.orders_created >= ANALYZE_AFTER:
        tables += ["orders", "order_items", "activities", "buyer_spend"]
    if not tables:
        return
    with db.engine.begin() as conn:
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("PRAGMA analysis_limit = 10000")  # sampled: fast on big tables
        if conn.dialect.name in ("sqlite", "postgresql"):
            for table in tables:
                conn.exec_driver_sql(f"ANALYZE {table}")


@contextmanager
def _gc_paused() -> Iterator[None]:
    """No cyclic GC while the import runs: it makes no cycles, and with 100,000 live rows the
    collector's passes cost a fifth of the time. Restored afterwards."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _first_nonblank(records: Iterator[list[str]]) -> list[str] | None:
    for cells in records:
        return cells  # the header is row 1, even if it is blank (then: no buyer column)
    return None
