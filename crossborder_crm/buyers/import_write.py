"""Writing an import's buyers and orders (`BulkWriter`): ids reserved up front, bulk inserts,
updates of known buyers, and order statistics computed in memory and written in bulk."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.engine import Connection

from crossborder_crm.buyers.import_bulk import IN_BATCH, BulkInsert, ReservedIds, batches
from crossborder_crm.buyers.import_columns import PLAIN_COLUMNS
from crossborder_crm.buyers.import_model import Batch, ImportOrder, KnownBuyers, Target
from crossborder_crm.buyers.models import Activity, Buyer, BuyerIdentity, BuyerSpend, BuyerTag, Order, OrderItem
from crossborder_crm.buyers.search_text import buyer_search_text
from crossborder_crm.buyers.service import apply_inference
from crossborder_crm.buyers.stats import OrderFact, compute_stats

_BUYER_INSERT = ("id", "seller_id", "name", "email", "phone", "country", "region", "city",
                 "postal_code", "timezone", "timezone_source", "timezone_confidence",
                 "timezone_explanation", "language", "language_source", "language_explanation",
                 "marketplace", "marketplace_buyer_id", "marketplace_locale", "tags", "notes",
                 "consent_status", "consent_source", "consent_at", "order_count", "created_at",
                 "updated_at", "search_text")
_ORDER_INSERT = ("id", "seller_id", "buyer_id", "marketplace", "external_id", "placed_at",
                 "currency", "total_minor", "status", "dispute_open", "reference", "created_at", "updated_at")
_UPDATABLE = PLAIN_COLUMNS + ("email", "timezone", "timezone_source", "timezone_confidence",
                              "timezone_explanation", "language", "language_source",
                              "language_explanation", "tags", "consent_status", "consent_source",
                              "consent_at")
_NO_CONSENT = ("unknown", None, None)


class BulkWriter:
    """Writes each chunk's `Batch` in bulk, then (`finish`) the buyers' order statistics.

    It gives new buyers and orders their ids and records new buyers in `known`; the counts
    of what it wrote are its `buyers_created`, `buyers_updated` and `orders_created`.
    """

    def __init__(self, conn: Connection, known: KnownBuyers, seller_id: int, seller_language: str,
                 now: datetime):
        self.conn, self.known, self.seller_id, self.now = conn, known, seller_id, now
        self.seller_language = seller_language
        self.ids = ReservedIds(conn)
        self.buyers_created = 0
        self.orders_created = 0
        self.updated_ids: set[int] = set()  # buyers that existed before the import
        self._inserters: dict[tuple, BulkInsert] = {}
        self._inferred: dict[tuple, tuple] = {}
        self._stats_dirty: set[int] = set()

    @property
    def buyers_updated(self) -> int:
        """Buyers that existed before the import and were changed by it."""
        return len(self.updated_ids)

    def write(self, batch: Batch) -> None:
        """Insert the batch's new buyers, update the known ones, and write its orders."""
        targets = batch.targets
        new = [t for t in targets if t.id is None]
        changed = [t for t in targets if t.id is not None]
        tag_rows: list[tuple] = []
        if new:
            ids = self._insert_with_ids(Buyer.__table__, _BUYER_INSERT, [self._new_row(t) for t in new])
            sid = self.seller_id
            self.known.created_ids.update(ids)
            email_ids = self.known.email_ids
            for t, bid in zip(new, ids):
                t.id = bid
                g = t.given
                tags = g.get("tags")
                if tags:
                    tag_rows.extend((bid, tag, sid) for tag in tags)
                email = g.get("email")
                if email:
                    email_ids[email.lower()] = bid
            self.buyers_created += len(new)
        if changed:
            self._update(changed, tag_rows)
        self._inserter(BuyerTag.__table__, ("buyer_id", "tag", "seller_id")).run(tag_rows)
        identities = []
        identity_owner = self.known.identity_owner
        for t in targets:
            for mp, ext, loc in t.identities:
                identities.append((self.seller_id, t.id, mp, ext, loc))
                identity_owner[(mp, ext)] = t.id
            t.identities = []
            t.given = {}
        if identities:
            self._insert_with_ids(BuyerIdentity.__table__,
                                  ("id", "seller_id", "buyer_id", "marketplace", "external_id", "locale"),
                                  identities)
        self._write_orders(batch.new_orders, batch.grown)

    def finish(self) -> None:
        """Statistics of every buyer that got orders, from all their orders, written in bulk."""
        ids = sorted(self._stats_dirty)
        table, spend = Buyer.__table__, BuyerSpend.__table__
        stmt = update(table).where(table.c.id == bindparam("b_id")).values(
            order_count=bindparam("order_count"), first_order_at=bindparam("first_order_at"),
            last_order_at=bindparam("last_order_at"),
            avg_days_between_orders=bindparam("avg_days_between_orders"),
            next_purchase_at=bindparam("next_purchase_at"))
        spend_insert = self._inserter(spend, ("buyer_id", "currency", "order_count", "total_minor"))
        for batch in batches(ids, IN_BATCH):
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

    def _inserter(self, table, columns: tuple[str, ...]) -> BulkInsert:
        key = (table.name, columns)
        ins = self._inserters.get(key)
        if ins is None:
            ins = self._inserters[key] = BulkInsert(self.conn, table, columns)
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

    def _new_row(self, t: Target) -> tuple:
        get = t.given.get
        country, region, postal, city, locale = (get("country"), get("region"), get("postal_code"),
                                                 get("city"), get("marketplace_locale"))
        inferred = self._infer(country, region, postal, city, locale, get("timezone"), get("language"))
        status, source, at = get("consent") or _NO_CONSENT
        now = self.now
        return (self.seller_id, get("name"), get("email"), get("phone"), country, region, city,
                postal, *inferred[:4], *inferred[4:], get("marketplace"),
                get("marketplace_buyer_id"), locale, list(get("tags") or ()), get("notes"),
                status, source, at, 0, now, now, buyer_search_text(get("name"), get("email")))

    def _update(self, targets: list[Target], tag_rows: list[tuple]) -> None:
        table = Buyer.__table__
        cols = [table.c[c] for c in _UPDATABLE]
        current: dict[int, dict] = {}
        for batch in batches([t.id for t in targets], IN_BATCH):
            for row in self.conn.execute(select(table.c.id, *cols).where(table.c.id.in_(batch))):
                current[row.id] = dict(row._mapping)
        params = []
        retag: list[int] = []
        for t in targets:
            g, cur = t.given, current[t.id]
            row = {k: g[k] if k in g else cur[k] for k in PLAIN_COLUMNS}
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
                       updated_at=self.now, b_id=t.id,
                       search_text=buyer_search_text(row["name"], row["email"]))
            params.append(row)
            if "tags" in g:
                retag.append(t.id)
                tag_rows.extend((t.id, tag, self.seller_id) for tag in g["tags"])
            if t.preexisting:
                self.updated_ids.add(t.id)
        stmt = update(table).where(table.c.id == bindparam("b_id")).values(
            {c: bindparam(c) for c in _UPDATABLE + ("updated_at", "search_text")})
        self.conn.execute(stmt, params)
        for batch in batches(retag, IN_BATCH):
            self.conn.execute(delete(BuyerTag.__table__).where(BuyerTag.__table__.c.buyer_id.in_(batch)))

    def _write_orders(self, new_orders: list[ImportOrder], grown: list[ImportOrder]) -> None:
        sid, now = self.seller_id, self.now
        if new_orders:
            rows = [(sid, o.target.id, o.key[0], o.key[1], o.placed_at, o.currency,
                     o.total if o.total is not None else o.items_total, o.status, False, None, now, now)
                    for o in new_orders]
            ids = self._insert_with_ids(Order.__table__, _ORDER_INSERT, rows)
            for o, oid in zip(new_orders, ids):
                o.id = oid
                self._stats_dirty.add(o.target.id)
            self._insert_with_ids(Activity.__table__, ("id", "seller_id", "buyer_id", "kind", "occurred_at",
                                                       "source", "detail", "created_at"),
                                  [(sid, o.target.id, "order_placed", o.placed_at, o.key[0],
                                    f"order {o.key[1]}", now) for o in new_orders])
            self.orders_created += len(new_orders)
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
            self._stats_dirty.update(o.target.id for o in grown)


class _Inferred:
    """What `service.apply_inference` reads from a buyer and writes back."""

    __slots__ = ("country", "region", "postal_code", "city", "marketplace_locale", "timezone",
                 "timezone_source", "timezone_confidence", "timezone_explanation", "language",
                 "language_source", "language_explanation")

    def __init__(self, country, region, postal_code, city, marketplace_locale):
        self.country, self.region, self.postal_code = country, region, postal_code
        self.city, self.marketplace_locale = city, marketplace_locale
