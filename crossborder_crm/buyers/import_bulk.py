"""The bulk SQL a buyer import runs on: inserts of plain tuples (executemany on SQLite, COPY on
PostgreSQL + psycopg 3), primary keys reserved up front, the SQLite lock and page cache, and
ANALYZE after a big import."""
from __future__ import annotations

from typing import Callable, Iterator

from sqlalchemy import func, select, text
from sqlalchemy.engine import Connection

from crossborder_crm.buyers.import_report import ImportReport
from crossborder_crm.db import Database

IN_BATCH = 900  # ids per IN (...) list
SQLITE_IMPORT_CACHE = -65536  # KiB: a bigger page cache keeps the buyers indexes in memory


def batches(items: list, size: int) -> Iterator[list]:
    """`items` in consecutive slices of at most `size`."""
    for i in range(0, len(items), size):
        yield items[i:i + size]


class BulkInsert:
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
        """Insert the rows (tuples in `columns` order)."""
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


class ReservedIds:
    """New primary keys handed out before the insert, so rows need no RETURNING round trip.

    SQLite: max(id)+1… (safe: the import holds the write lock). PostgreSQL: nextval() of the
    column's sequence. Anything else: None, and the caller uses INSERT … RETURNING.
    """

    def __init__(self, conn: Connection):
        self.conn = conn
        self.next: dict[str, int] = {}
        self.dialect = conn.dialect.name

    def take(self, table, n: int) -> list[int] | None:
        """`n` new ids for `table`, or None if this database cannot hand them out."""
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


def lock_for_import(conn: Connection) -> None:
    """Take the write lock first on SQLite (BEGIN IMMEDIATE): reads and reserved ids stay valid."""
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def sqlite_cache(conn: Connection, value: int | None) -> int | None:
    """Set this SQLite connection's `PRAGMA cache_size`; returns the previous value."""
    if conn.dialect.name != "sqlite" or value is None:
        return None
    raw = conn.connection.driver_connection  # outside SQLAlchemy's transaction bookkeeping
    previous = raw.execute("PRAGMA cache_size").fetchone()[0]
    raw.execute(f"PRAGMA cache_size = {int(value)}")
    return previous


def refresh_statistics(db: Database, report: ImportReport, analyze_after: int) -> None:
    """ANALYZE the tables a big import filled. Without statistics SQLite plans a seller's
    buyer list through an index plus a sort of every row (35 ms instead of 10 ms for a page at
    100,000 buyers), and PostgreSQL waits for autovacuum to notice (48 ms instead of 19 ms)."""
    tables = []
    if report.buyers_created + report.buyers_updated >= analyze_after:
        tables += ["buyers", "buyer_tags", "buyer_identities"]
    if report.orders_created >= analyze_after:
        tables += ["orders", "order_items", "activities", "buyer_spend"]
    if not tables:
        return
    with db.engine.begin() as conn:
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("PRAGMA analysis_limit = 10000")  # sampled: fast on big tables
        if conn.dialect.name in ("sqlite", "postgresql"):
            for table in tables:
                conn.exec_driver_sql(f"ANALYZE {table}")
