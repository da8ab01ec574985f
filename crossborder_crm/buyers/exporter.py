"""Export a seller's buyers as CSV: streamed, keyset-batched, memory flat whatever the size.

The columns are the importer's buyer columns plus read-only ones, so an export re-imports as
is (into the same seller: an update by email; into another: the same buyers). Tags are joined
with ";", spend is written as "EUR 12.50; JPY 1500", instants as ISO 8601 UTC with a Z.

Every text cell that a spreadsheet would run as a formula (a name from a marketplace such as
``=HYPERLINK(...)``, or a phone number's ``+``) gets one leading quote (formula_escape.py); the
importer takes it off again. Numbers (id, order_count) are written as numbers.
"""
from __future__ import annotations

import csv
from typing import IO

from crossborder_crm.buyers.formula_escape import escape
from crossborder_crm.buyers.importer import BUYER_COLUMNS, READ_ONLY_COLUMNS
from crossborder_crm.buyers.listing import MAX_PAGE, BuyerFilter, list_buyers
from crossborder_crm.buyers.models import Buyer
from crossborder_crm.buyers.serialize import iso
from crossborder_crm.db import Database
from crossborder_crm.money import amount_str

EXPORT_COLUMNS = ("id",) + BUYER_COLUMNS + tuple(c for c in READ_ONLY_COLUMNS if c != "id")


def spend_text(buyer: Buyer) -> str:
    """Spend per currency, never summed across currencies: "EUR 12.50; JPY 1500"."""
    return "; ".join(f"{sp.currency} {amount_str(sp.total_minor, sp.currency)}"
                     for sp in sorted(buyer.spend, key=lambda sp: sp.currency))


def buyer_row(b: Buyer) -> list:
    """One buyer as the values of EXPORT_COLUMNS."""
    values = {
        "id": b.id, "name": b.name, "email": b.email, "phone": b.phone, "country": b.country,
        "region": b.region, "city": b.city, "postal_code": b.postal_code, "timezone": b.timezone,
        "language": b.language, "marketplace": b.marketplace,
        "marketplace_buyer_id": b.marketplace_buyer_id, "marketplace_locale": b.marketplace_locale,
        "tags": ";".join(b.tags or []), "notes": b.notes, "consent": b.consent_status,
        "consent_source": b.consent_source, "consent_at": iso(b.consent_at),
        "timezone_source": b.timezone_source, "language_source": b.language_source,
        "order_count": b.order_count, "last_order_at": iso(b.last_order_at), "spend": spend_text(b),
    }
    return [_cell(values[c]) for c in EXPORT_COLUMNS]


def _cell(value: object) -> object:
    """A value as the CSV writes it: text escaped against formula injection, numbers as numbers."""
    if value is None:
        return ""
    return escape(value) if isinstance(value, str) else value


def export_buyers(db: Database, seller_id: int, out: IO[str], flt: BuyerFilter | None = None,
                  *, batch: int = MAX_PAGE) -> int:
    """Write the seller's buyers (optionally filtered) to `out` as CSV; returns how many.

    Pages through `service.list_buyers` by id (keyset), so the filters are the API's and only
    one page is in memory at a time. Open `out` with newline="" (as the csv module asks).
    """
    writer = csv.writer(out)
    writer.writerow(EXPORT_COLUMNS)
    count = 0
    cursor = None
    while True:
        page = list_buyers(db, seller_id, flt or BuyerFilter(), sort="id", limit=batch, cursor=cursor)
        writer.writerows(buyer_row(b) for b in page.items)
        count += len(page.items)
        if page.next_cursor is None:
            return count
        cursor = page.next_cursor
