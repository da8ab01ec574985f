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

The work is split by what it does: import_read.py reads the file (CSV/XLSX, header, file-level
errors), import_rows.py checks each row and groups rows into buyers and orders, and
import_write.py writes them (ids, bulk inserts / COPY, statistics, ANALYZE). This module is
the entry point, `import_buyers`, and the import's state, `_Importer`.
"""
from __future__ import annotations

import csv
import gc
import os
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import IO, Any, Callable, Iterator

from sqlalchemy import select
from sqlalchemy.engine import Connection

from crossborder_crm.accounts.models import Seller
from crossborder_crm.buyers.import_read import (_csv_rows, _detect_format, _FileError,
                                                _first_nonblank, _header, _read_source, _xlsx_rows)
from crossborder_crm.buyers.import_rows import (_PLAIN, BLANK, BUYER_COLUMNS, ORDER_COLUMNS,
                                                READ_ONLY_COLUMNS, RowError, _Order, _Rows, _RowIn,
                                                _Target, fast_check_email)
from crossborder_crm.buyers.import_write import (_SQLITE_IMPORT_CACHE, _BulkInsert, _Ids,
                                                 _lock_for_import, _refresh_statistics,
                                                 _sqlite_cache, _Writes)
from crossborder_crm.buyers.models import Buyer, BuyerIdentity
from crossborder_crm.clock import Clock
from crossborder_crm.db import Database
from crossborder_crm.errors import NotFound

__all__ = ["import_buyers", "ImportReport", "RowError", "BUYER_COLUMNS", "ORDER_COLUMNS",
           "READ_ONLY_COLUMNS", "fast_check_email"]

CHUNK = 5000


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


class _Importer(_Rows, _Writes):
    """One import's state; validation and grouping come from `_Rows`, writing from `_Writes`."""

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
        _refresh_statistics(db, report, ANALYZE_AFTER)
    if report.errors:
        report.errors.sort(key=lambda e: e.row)
    return report


ANALYZE_AFTER = 1000  # rows written from which the planner's statistics are refreshed


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

