"""The columns a buyer import file may have, and its header row mapped to them (`read_header`)."""
from __future__ import annotations

import re

from crossborder_crm.buyers.import_report import RowError
from crossborder_crm.errors import N_, Reason

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
# Buyer columns stored as written (after the schema's checks), with no special handling.
PLAIN_COLUMNS = ("name", "phone", "country", "region", "city", "postal_code", "marketplace",
                 "marketplace_buyer_id", "marketplace_locale", "notes")
# Item columns → the fields of an order item.
ITEM_COLUMNS = {"item_title": "title", "item_sku": "sku", "item_category": "category",
                "item_quantity": "quantity", "item_price": "unit_price"}
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


class Header:
    """The header row: the known column at each cell position, and how the file names it."""

    def __init__(self, columns: list[tuple[int, str, str]], width: int, errors: list[RowError]):
        self.columns = columns  # (index, canonical, header as written)
        self.errors = errors  # unknown and duplicate column names
        self.names = {canon: raw for _, canon, raw in columns}
        self.width = max([width] + [idx + 1 for idx, _, _ in columns])  # cells past it: no header
        self.by_position: list[str | None] = [None] * self.width
        for idx, canon, _ in columns:
            self.by_position[idx] = canon

    def label(self, canon: str) -> str:
        """The column as the file names it (errors point at what the user wrote)."""
        return self.names.get(canon, canon)

    @property
    def has_buyer_column(self) -> bool:
        """Whether any buyer column is present (without one the file is refused)."""
        return any(c in BUYER_COLUMNS for _, c, _ in self.columns)

    @property
    def has_order_columns(self) -> bool:
        """Whether any order column is present."""
        return any(c in ORDER_COLUMNS for _, c, _ in self.columns)


def header_key(name: str) -> str:
    """The canonical column a header cell names (spacing, case and known aliases folded)."""
    key = re.sub(r"[\s\-.]+", "_", name.strip().lower())
    return ALIASES.get(key, key)


def read_header(cells: list[str]) -> Header:
    """The header row mapped to known columns; unknown and repeated names become its errors."""
    columns: list[tuple[int, str, str]] = []
    errors: list[RowError] = []
    seen: dict[str, str] = {}
    for idx, raw in enumerate(cells):
        name = raw.strip()
        if not name:
            continue
        canon = header_key(name)
        if canon not in KNOWN_COLUMNS:
            errors.append(RowError(1, name, N_("unknown column")))
        elif canon in seen:
            reason = Reason(N_("duplicate column (same as %(other)s)"), other=repr(seen[canon]))
            errors.append(RowError(1, name, reason))
        else:
            seen[canon] = name
            columns.append((idx, canon, name))
    return Header(columns, len(cells), errors)
