"""Writing an import's buyers and orders: ids reserved up front, bulk inserts (driver-level
executemany on SQLite, COPY on PostgreSQL + psycopg 3), updates of known buyers, order
statistics computed in memory and written in bulk, and ANALYZE after a big import.

`_Writes` holds the writing methods of `importer._Importer` (state set up there).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from sqlalchemy import bindparam, delete, func, select, text, update
from sqlalchemy.engine import Connection

from crossborder_crm.buyers.import_rows import IN_BATCH, _PLAIN, _batches, _Order, _Target
from crossborder_crm.buyers.models import (Activity, Buyer, BuyerIdentity, BuyerSpend, BuyerTag,
                                           Order, OrderItem)
from crossborder_crm.buyers.service import apply_inference
from crossborder_crm.buyers.stats import OrderFact, compute_stats
from crossborder_crm.db import Database

if TYPE_CHECKING:
    from crossborder_crm.buyers.importer import ImportReport


class _Writes:
    """Writing, the second half of `importer._Importer` (state set up there)."""

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


def _refresh_statistics(db: Database, report: ImportReport, analyze_after: int) -> None:
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
