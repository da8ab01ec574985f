"""Checking an import's rows cell by cell with the API's schemas (`RowChecker`): a valid row
becomes a `CheckedRow`, each bad cell a `RowError` (and its row is skipped)."""
from __future__ import annotations

import functools
import re
from datetime import datetime
from typing import Any

from email_validator import EmailNotValidError, validate_email
from email_validator.rfc_constants import CASE_INSENSITIVE_MAILBOX_NAMES, DOT_ATOM_TEXT
from pydantic import ValidationError

from crossborder_crm.buyers.import_columns import ITEM_COLUMNS, ORDER_COLUMNS, PLAIN_COLUMNS, Header
from crossborder_crm.buyers.import_model import BLANK, CheckedRow, KnownBuyers, OrderLine
from crossborder_crm.buyers.import_report import FIELD_REQUIRED, RowError
from crossborder_crm.buyers.orders import order_from_spec
from crossborder_crm.buyers.schemas import BuyerFields, OrderCreate
from crossborder_crm.errors import N_, Reason, ValidationFailed, reason_of
from crossborder_crm.validation import check_email, field_errors

# Where a schema's error location points, as an import column.
_BUYER_LOC = {"consent.status": "consent", "consent.source": "consent_source",
              "consent.at": "consent_at"}
_ORDER_LOC = {"external_id": "order_id", "placed_at": "order_date", "currency": "currency",
              "total": "total", "status": "order_status", "marketplace": "marketplace",
              **{f"items.0.{v}": k for k, v in ITEM_COLUMNS.items()}}
_TAG_SPLIT = re.compile(r"[;|]")


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
    display names, Unicode, IDNA "xn--" domains, RFC 2142 role names that get lower-cased,
    any refusal) goes through `check_email` itself, so the accepted set and the messages
    are the API's.
    """
    if value is None or value == "":
        return None
    local, at, domain = value.rpartition("@")
    if (at and local and "@" not in local and DOT_ATOM_TEXT.match(local)
            and _HOSTNAME_CHARS.match(domain)
            and local.lower() not in CASE_INSENSITIVE_MAILBOX_NAMES):
        info = _domain_info(domain)
        # Only where both spellings of the domain agree: which one `check_email` returns
        # then makes no difference.
        if info is not None and info[0] == info[1]:
            norm_domain, ascii_domain = info
            normalized = local + "@" + norm_domain
            if (len(value) <= 254 and len(normalized.encode()) <= 254
                    and len(local) + 1 + len(ascii_domain) <= 254):
                return normalized
    return check_email(value)


# --- one row -------------------------------------------------------------------------------------

class RowChecker:
    """Checks rows one by one against the header's columns; `errors` collects the bad cells."""

    def __init__(self, header: Header, known: KnownBuyers, seller_id: int, now: datetime):
        self.header, self.known, self.seller_id, self.now = header, known, seller_id, now
        self.errors: list[RowError] = []
        self._by_position = header.by_position
        self._width = header.width
        self._given_checks = [(w, f"{w}_source") for w in ("timezone", "language") if w in header.names]
        self._plain = [c for c in PLAIN_COLUMNS if c in header.names]
        self._has_order_columns = header.has_order_columns
        # Consent from a sheet without a source column is recorded as coming from the import.
        self._default_consent_source = None if "consent_source" in header.names else "import"
        self._pending_keys: set[str] = set()  # emails of valid rows not yet grouped

    def new_chunk(self) -> None:
        """The rows checked so far have been grouped and written: their emails are known now."""
        self._pending_keys.clear()

    def check(self, rowno: int, cells: list[str]) -> CheckedRow | None | object:
        """The row checked cell by cell: a CheckedRow, None if it has errors (kept), or BLANK."""
        col = self.header.label
        values = {canon: v for canon, raw in zip(self._by_position, cells)
                  if canon is not None and (v := raw.strip())}
        if len(cells) > self._width:
            stray = next((i for i in range(self._width, len(cells)) if cells[i].strip()), None)
            if stray is not None:
                self.errors.append(RowError(rowno, Reason(N_("column %(num)s"), num=stray + 1),
                                            N_("value in a column without a header")))
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
                    errors[col(c)] = N_("needs a consent value (granted, denied, unknown) on the row")
        email = values.get("email")
        if email is not None:
            try:
                email = fast_check_email(email)
            except ValueError as exc:
                errors[col("email")] = reason_of(exc)
                email = None
        spec = None
        try:
            spec = BuyerFields.model_validate(data)
        except ValidationError as exc:
            for loc, msg in field_errors(exc).items():
                errors.setdefault(col(_buyer_column(loc, msg)), msg)
        order = None
        if self._has_order_columns and any(c in values for c in ORDER_COLUMNS):
            order = self._check_order(values, errors)
        key = email.lower() if email else None
        if errors or spec is None:
            # Say now, too, what a new buyer would lack (a valid row is checked when grouped).
            if not self._known(key, values):
                for c in ("name", "country"):
                    if c not in values:
                        errors.setdefault(col(c), FIELD_REQUIRED)
            self.errors.extend(RowError(rowno, c, r) for c, r in errors.items())
            return None
        if key:
            self._pending_keys.add(key)
        fields = spec.__dict__
        given: dict[str, Any] = {k: fields[k] for k in spec.model_fields_set}
        if email is not None:
            given["email"] = email
        if spec.consent is not None:
            given["consent"] = (spec.consent.status, spec.consent.source, spec.consent.at or self.now)
        return CheckedRow(rowno, key, given, order)

    def _known(self, key: str | None, values: dict[str, str]) -> bool:
        """Whether a row may be about a buyer already known (so it need not name one fully)."""
        if key is not None:
            return key in self.known.email_ids or key in self._pending_keys
        mp, ext = values.get("marketplace"), values.get("marketplace_buyer_id")
        return bool(mp and ext) and (mp.lower(), ext) in self.known.identity_owner

    def _check_order(self, values: dict[str, str], errors: dict[str, str]) -> OrderLine | None:
        col = self.header.label
        data: dict[str, Any] = {"marketplace": values.get("marketplace", "manual")}
        for canon, key in (("order_id", "external_id"), ("order_date", "placed_at"),
                           ("currency", "currency"), ("total", "total"), ("order_status", "status")):
            if canon in values:
                data[key] = values[canon]
        item = {key: values[canon] for canon, key in ITEM_COLUMNS.items() if canon in values}
        data["items"] = [item] if item else []
        try:
            spec = OrderCreate.model_validate(data)
            row = order_from_spec(spec, self.seller_id, 0, self.now)
        except ValidationError as exc:
            for loc, msg in field_errors(exc).items():
                errors.setdefault(col(_ORDER_LOC.get(loc, loc)), msg)
            return None
        except ValidationFailed as exc:
            for loc, msg in exc.fields.items():
                errors.setdefault(col(_ORDER_LOC.get(loc, loc)), msg)
            return None
        items = [{"sku": it.sku, "title": it.title, "category": it.category, "quantity": it.quantity,
                  "unit_price_minor": it.unit_price_minor} for it in row.items]
        return OrderLine(row.marketplace, row.external_id, row.placed_at, row.currency,
                         row.total_minor if spec.total is not None else None, row.status, items)


def _buyer_column(loc: str, msg: str) -> str:
    """The import column a `BuyerFields` error location points at."""
    if loc in _BUYER_LOC:
        return _BUYER_LOC[loc]
    if loc == "body":  # the schema's model-level checks
        if msg.startswith("phone"):
            return "phone"
        if "marketplace" in msg:
            return "marketplace"
    return loc.split(".", 1)[0]
