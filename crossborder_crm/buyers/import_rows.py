"""One row of an import: cells checked with the API's schemas (bad cells become `RowError`s),
then the valid rows of a chunk grouped into the buyers and orders they create or change.

The methods are those of `importer._Importer` (the import's state is set up there); the
`_Writes` half (import_write.py) puts each chunk's buyers and orders into the database.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Iterator

from email_validator import EmailNotValidError, validate_email
from email_validator.rfc_constants import CASE_INSENSITIVE_MAILBOX_NAMES, DOT_ATOM_TEXT
from pydantic import ValidationError
from sqlalchemy import select

from crossborder_crm.buyers.models import Order
from crossborder_crm.buyers.schemas import BuyerFields, OrderCreate, check_email
from crossborder_crm.buyers.service import order_from_spec
from crossborder_crm.errors import ValidationFailed
from crossborder_crm.validation import field_errors

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


BLANK = object()  # a row with nothing in it: skipped, not counted


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


class _Rows:
    """Validation and grouping, the first half of `importer._Importer` (state set up there)."""

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


def _batches(items: list, size: int) -> Iterator[list]:
    for i in range(0, len(items), size):
        yield items[i:i + size]

