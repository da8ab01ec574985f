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
`chunk_size` rows, never through the ORM unit of work. New ids are reserved up front (SQLite:
under BEGIN IMMEDIATE, max(id)+1…; PostgreSQL: nextval) so no RETURNING round trip is needed,
and the rows go in as one driver-level executemany (SQLite) or COPY (PostgreSQL + psycopg 3)
with SQLAlchemy's own bind processors applied column-wise. Email checks cache the domain half,
inference results are memoised per distinct input, the cyclic GC is paused, SQLite gets a
64 MiB page cache for the import, and order statistics are computed in memory with
`buyers.stats.compute_stats` once at the end and written in bulk.

The stages, each with explicit inputs and outputs: import_read.py reads the file into rows of
cells, import_columns.py maps the header row, import_rows.py's `RowChecker` checks each row,
import_group.py's `RowGrouper` groups a chunk of checked rows into a `Batch` of buyers and
orders, and import_write.py's `BulkWriter` writes it (on import_bulk.py's bulk SQL). This
module composes them: `import_buyers`.
"""
from __future__ import annotations

import csv
import gc
import os
from contextlib import contextmanager
from typing import IO, Callable, Iterator

from sqlalchemy import select
from sqlalchemy.engine import Connection

from crossborder_crm.accounts.models import Seller
from crossborder_crm.buyers.import_bulk import SQLITE_IMPORT_CACHE, lock_for_import, refresh_statistics, sqlite_cache
from crossborder_crm.buyers.import_columns import BUYER_COLUMNS, ORDER_COLUMNS, READ_ONLY_COLUMNS, read_header
from crossborder_crm.buyers.import_group import RowGrouper
from crossborder_crm.buyers.import_model import BLANK, CheckedRow, KnownBuyers
from crossborder_crm.buyers.import_read import (
    EMPTY_FILE,
    FileError,
    ImportLimits,
    count_of,
    csv_rows,
    detect_format,
    first_nonblank,
    over_limit,
    read_source,
    xlsx_rows,
)
from crossborder_crm.buyers.import_report import ImportReport, RowError
from crossborder_crm.buyers.import_rows import RowChecker, fast_check_email
from crossborder_crm.buyers.import_write import BulkWriter
from crossborder_crm.clock import Clock
from crossborder_crm.db import Database
from crossborder_crm.errors import N_, NotFound, Reason

__all__ = ["import_buyers", "ImportLimits", "ImportReport", "RowError", "BUYER_COLUMNS", "ORDER_COLUMNS",
           "READ_ONLY_COLUMNS", "fast_check_email"]

CHUNK = 5000  # rows checked, grouped and written together
ANALYZE_AFTER = 1000  # rows written from which the planner's statistics are refreshed


def import_buyers(db: Database, clock: Clock, seller_id: int, source: str | os.PathLike | IO[bytes], *,
                  fmt: str | None = None, dry_run: bool = False, strict: bool = False,
                  progress: Callable[[int, int], None] | None = None,
                  chunk_size: int = CHUNK, limits: ImportLimits | None = None) -> ImportReport:
    """Import a CSV or .xlsx file of buyers (and orders) for one seller, in one transaction.

    Returns the report; the transaction is committed only when this is not a dry run, the
    file could be read and is within `limits` (default: `ImportLimits()`), and (with `strict`)
    no row had an error. `progress(done, total)` is called after every chunk of `chunk_size`
    rows (`total` is an estimate until the end).
    """
    report = ImportReport(dry_run=dry_run, strict=strict)
    limits = limits or ImportLimits()
    try:
        data, name = read_source(source, limits.max_bytes)
        fmt = detect_format(fmt, data, name)
        records, estimate = xlsx_rows(data, limits) if fmt == "xlsx" else csv_rows(data)
        del data
        first = first_nonblank(records)
        if first is None:
            raise FileError(1, "", EMPTY_FILE)
        header = read_header(first)
        report.errors.extend(header.errors)
        if not header.has_buyer_column:
            raise FileError(1, "", N_("no buyer column in the header row (expected e.g. name, email, country)"))
    except FileError as exc:
        report.errors.append(exc.error)
        report.fatal = True
        return report
    except csv.Error as exc:
        report.errors.append(RowError(1, "", _csv_syntax(exc)))
        report.fatal = True
        return report
    rowno = 1
    with db.engine.connect() as conn, _gc_paused():
        cache = sqlite_cache(conn, SQLITE_IMPORT_CACHE)
        trans = conn.begin()
        try:
            lock_for_import(conn)
            now = clock.now()
            language = _seller_language(conn, seller_id)
            known = KnownBuyers.load(conn, seller_id)
            checker = RowChecker(header, known, seller_id, now)
            grouper = RowGrouper(conn, header, known, seller_id)
            writer = BulkWriter(conn, known, seller_id, language, now)
            try:
                chunk: list[CheckedRow] = []
                done = 0
                check = checker.check
                for rowno, cells in enumerate(records, start=2):
                    if not any(cells):
                        continue  # blank line
                    row = check(rowno, cells)
                    if row is BLANK:
                        continue
                    report.rows_total += 1
                    if report.rows_total > limits.max_rows:
                        # on row 1, the file as a whole: listed before any row's own errors
                        what = Reason(N_("the file has more than %(num)s data rows (row %(row)s is one too many)"),
                                      num=f"{limits.max_rows:,}", row=f"{rowno:,}")
                        raise over_limit(1, what, count_of(N_("%(num)s rows"), limits.max_rows), "IMPORT_MAX_ROWS")
                    if row is not None:
                        chunk.append(row)
                    if report.rows_total - done >= chunk_size:
                        writer.write(grouper.group(chunk))
                        checker.new_chunk()
                        chunk = []
                        done = report.rows_total
                        if progress:
                            progress(done, max(estimate, done))
                writer.write(grouper.group(chunk))
                writer.finish()
            finally:
                _tally(report, checker, grouper, writer)
            if progress:
                progress(report.rows_total, report.rows_total)
            commit = not dry_run and not (strict and report.errors)
            if commit:
                trans.commit()
            else:
                trans.rollback()
            report.committed = commit
        except FileError as exc:  # e.g. a damaged workbook found half-way through
            trans.rollback()
            err = exc.error
            report.errors.append(RowError(rowno + 1, err.column, err.reason) if err.row == 0 else err)
            report.fatal = True
        except csv.Error as exc:
            trans.rollback()
            report.errors.append(RowError(rowno + 1, "", _csv_syntax(exc)))
            report.fatal = True
        except BaseException:
            trans.rollback()
            raise
        finally:
            sqlite_cache(conn, cache)
    if report.committed:
        refresh_statistics(db, report, ANALYZE_AFTER)
    if report.errors:
        report.errors.sort(key=lambda e: e.row)
    return report


def _csv_syntax(exc: csv.Error) -> Reason:
    return Reason(N_("CSV syntax: %(error)s"), error=str(exc))  # the csv module's words: English


def _seller_language(conn: Connection, seller_id: int) -> str:
    """The seller's default language (for inference); NotFound if there is no such seller."""
    lang = conn.scalar(select(Seller.default_language).where(Seller.id == seller_id))
    if lang is None and conn.scalar(select(Seller.id).where(Seller.id == seller_id)) is None:
        raise NotFound(f"seller {seller_id} not found")
    return lang or "en"


def _tally(report: ImportReport, checker: RowChecker, grouper: RowGrouper, writer: BulkWriter) -> None:
    """Put what the stages found and did into the report (their errors are sorted in later)."""
    report.errors.extend(checker.errors)
    report.errors.extend(grouper.errors)
    report.rows_imported = grouper.rows_imported
    report.orders_existing = grouper.orders_existing
    report.buyers_created = writer.buyers_created
    report.buyers_updated = writer.buyers_updated
    report.orders_created = writer.orders_created


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
