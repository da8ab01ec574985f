"""Grouping an import's checked rows, chunk by chunk, into the buyers and orders they create
or change (`RowGrouper`): rows with the same email make one buyer, rows with the same order id
one order. Rows that clash with another buyer or order become `RowError`s."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.engine import Connection

from crossborder_crm.buyers.import_bulk import IN_BATCH, batches
from crossborder_crm.buyers.import_columns import Header
from crossborder_crm.buyers.import_model import Batch, CheckedRow, ImportOrder, KnownBuyers, Target
from crossborder_crm.buyers.import_report import FIELD_REQUIRED, RowError
from crossborder_crm.buyers.models import Order
from crossborder_crm.errors import N_, Reason


class RowGrouper:
    """Turns each chunk of checked rows into a `Batch` to write; `errors` collects refused rows."""

    def __init__(self, conn: Connection, header: Header, known: KnownBuyers, seller_id: int):
        self.conn, self.header, self.known, self.seller_id = conn, header, known, seller_id
        self.errors: list[RowError] = []
        self.rows_imported = 0
        self.orders_existing = 0  # already recorded for the same buyer: left as they are
        # Every order of the file so far, so a later chunk's rows add lines to it.
        self.orders: dict[tuple[str, str], ImportOrder] = {}
        # The buyers the current chunk is about; forgotten once it is grouped (a later chunk
        # finds them by email or marketplace id, as ids), so little stays for the GC.
        self._by_email: dict[str, Target] = {}
        self._by_id: dict[int, Target] = {}

    def group(self, chunk: list[CheckedRow]) -> Batch:
        """The chunk's accepted rows as the buyers and orders to write."""
        col = self.header.label
        known_orders = self._existing_orders(chunk)
        identity_owner = self.known.identity_owner
        touched: dict[int, Target] = {}
        new_orders: list[ImportOrder] = []
        grown: list[ImportOrder] = []
        for r in chunk:
            g = r.given
            target, fresh = self._match(r)
            if target is None:
                if "name" not in g or "country" not in g:
                    for c in ("name", "country"):
                        if c not in g:
                            self.errors.append(RowError(r.row, col(c), FIELD_REQUIRED))
                    continue
                target = fresh = Target(None, True, False, r.row)
            mp, ext = g.get("marketplace"), g.get("marketplace_buyer_id")
            if (mp and ext and not self._identity_ok(r, target, mp, ext)) or (
                    r.order is not None and not self._order_ok(r, target, known_orders)):
                continue
            # The row is accepted: record what it changes.
            if fresh is not None:
                if r.email_key:
                    self._by_email[r.email_key] = fresh
                if fresh.id is not None:
                    self._by_id[fresh.id] = fresh
            if fresh is not None and fresh.id is None:
                target.given = r.given
            else:
                r.given.pop("email", None)  # matched by it: keep the address as first written
                target.given.update(r.given)
            touched[id(target)] = target
            if mp and ext and (mp, ext) not in identity_owner:
                identity_owner[(mp, ext)] = target
                target.identities.append((mp, ext, g.get("marketplace_locale")))
            if r.order is not None:
                self._add_order(r, target, known_orders, new_orders, grown)
            self.rows_imported += 1
        self._by_email.clear()
        self._by_id.clear()
        return Batch(list(touched.values()), new_orders, grown)

    def _match(self, r: CheckedRow) -> tuple[Target | None, Target | None]:
        """The buyer a row is about (by email, else by marketplace id), and whether it is new here."""
        if r.email_key:
            target = self._by_email.get(r.email_key)
            if target is not None:
                return target, None
            bid = self.known.email_ids.get(r.email_key)
        else:
            owner = self.known.identity_owner.get((r.given.get("marketplace"),
                                                   r.given.get("marketplace_buyer_id")))
            if isinstance(owner, Target):
                return owner, None
            bid = owner
        if bid is None:
            return None, None
        target = self._by_id.get(bid)
        if target is not None:
            return target, None
        target = Target(bid, False, bid not in self.known.created_ids, r.row)
        return target, target

    def _identity_ok(self, r: CheckedRow, target: Target, mp: str, ext: str) -> bool:
        owner = self.known.identity_owner.get((mp, ext))
        if owner is None or owner is target or (target.id is not None and owner == target.id):
            return True
        owner_id = owner if isinstance(owner, int) else owner.id
        reason = (Reason(N_("already used by buyer %(id)s"), id=owner_id) if owner_id is not None
                  else Reason(N_("already used by the buyer of row %(row)s"), row=owner.row))
        self.errors.append(RowError(r.row, self.header.label("marketplace_buyer_id"), reason))
        return False

    def _order_ok(self, r: CheckedRow, target: Target, known: dict) -> bool:
        o = r.order
        if o is None:
            return True
        key = (o.marketplace, o.external_id)
        seen = self.orders.get(key)
        err = None
        if seen is not None:
            if seen.target is not target and (target.id is None or seen.target.id != target.id):
                err = ("order_id", Reason(N_("order %(order)s belongs to another buyer (row %(row)s)"),
                                          order=o.external_id, row=seen.row))
            elif not seen.existing:
                differs = None
                if o.placed_at != seen.placed_at:
                    differs = "order_date"
                elif o.currency != seen.currency:
                    differs = "currency"
                elif o.total is not None and seen.total is not None and o.total != seen.total:
                    differs = "total"
                elif o.status != seen.status:
                    differs = "order_status"
                if differs:
                    err = (differs, Reason(N_("differs from row %(row)s of the same order"), row=seen.row))
        elif key in known and known[key] != target.id:
            err = ("order_id", Reason(N_("order %(order)s is already recorded for buyer %(id)s"),
                                      order=o.external_id, id=known[key]))
        if err:
            self.errors.append(RowError(r.row, self.header.label(err[0]), err[1]))
            return False
        return True

    def _add_order(self, r: CheckedRow, target: Target, known: dict, new_orders: list,
                   grown: list) -> None:
        o = r.order
        key = (o.marketplace, o.external_id)
        seen = self.orders.get(key)
        if seen is None:
            seen = ImportOrder(target, r.row, o, existing=key in known)
            self.orders[key] = seen
            if seen.existing:
                self.orders_existing += 1
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

    def _existing_orders(self, chunk: list[CheckedRow]) -> dict[tuple[str, str], int]:
        """(marketplace, external_id) → buyer id of the chunk's orders already in the database."""
        wanted: dict[str, set[str]] = {}
        for r in chunk:
            if r.order is not None and (r.order.marketplace, r.order.external_id) not in self.orders:
                wanted.setdefault(r.order.marketplace, set()).add(r.order.external_id)
        found: dict[tuple[str, str], int] = {}
        for mp, ids in wanted.items():
            for batch in batches(sorted(ids), IN_BATCH):
                for ext, bid in self.conn.execute(select(Order.external_id, Order.buyer_id).where(
                        Order.seller_id == self.seller_id, Order.marketplace == mp,
                        Order.external_id.in_(batch))):
                    found[(mp, ext)] = bid
        return found
