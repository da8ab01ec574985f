"""Reading a delivery body and its fields: exact numbers, explicit offsets, precise errors."""
from __future__ import annotations

import hashlib
import hmac
import json
from datetime import date, datetime, timezone
from decimal import Decimal, InvalidOperation
from typing import Any, Mapping

from crossborder_crm.marketplaces.events import PayloadInvalid


class NotJson(Exception):
    """The body is not a JSON object; the message says why (answered 400)."""


def parse_json(body: bytes) -> dict:
    """The body's JSON object; integers stay exact ints, decimals stay Decimal (never float)."""
    try:
        data = json.loads(body.decode("utf-8"), parse_float=Decimal)
    except UnicodeDecodeError:
        raise NotJson("body is not UTF-8") from None
    except RecursionError:
        raise NotJson("body is nested too deeply") from None
    except ValueError as exc:
        raise NotJson(f"body is not valid JSON: {exc}"[:200]) from None
    if not isinstance(data, dict):
        raise NotJson("body must be a JSON object")
    return data


def envelope_of(topic: Any, delivery_id: Any, body: bytes) -> tuple[str, str]:
    """(topic, delivery id) as stored: trimmed and bounded; a body without an id is known by its hash."""
    name = str(topic or "").strip()[:100] or "unknown"
    delivery = str(delivery_id or "").strip()[:200]
    return name, delivery or "sha256:" + hashlib.sha256(body).hexdigest()


def same_digest(expected: bytes, given: str | None) -> bool:
    """Constant-time compare of a digest with the header's text (missing or non-ASCII: False)."""
    if not given:
        return False
    try:
        given_bytes = given.strip().encode("ascii")
    except UnicodeEncodeError:
        return False
    return hmac.compare_digest(expected, given_bytes)


def ext_id(value: Any, field: str, *, required: bool = True) -> str | None:
    """An external id as text: 9007199254740993 stays 9007199254740993 (never a float)."""
    if value is None or value == "":
        if required:
            raise PayloadInvalid(field, "is required")
        return None
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise PayloadInvalid(field, "expected an id (integer or string)")
    text = str(value).strip()
    if not text or len(text) > 100:
        raise PayloadInvalid(field, "must be 1 to 100 characters")
    return text


def text(value: Any, field: str, max_len: int, *, required: bool = False) -> str | None:
    """Optional text, trimmed and cut to the column's size; NUL refused."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise PayloadInvalid(field, "is required")
        return None
    if not isinstance(value, (str, int)) or isinstance(value, bool):
        raise PayloadInvalid(field, "expected text")
    out = str(value).strip()
    if "\x00" in out:
        raise PayloadInvalid(field, "must not contain NUL")
    return out[:max_len]


def instant(value: Any, field: str, *, required: bool = True, assume_utc: bool = False) -> datetime | None:
    """An ISO 8601 instant with its offset, in UTC.

    A time without an offset is refused, unless the field is documented as UTC (`assume_utc`,
    e.g. WooCommerce's `*_gmt` fields): it is never read as UTC by accident.
    """
    if value is None or value == "":
        if required:
            raise PayloadInvalid(field, "is required")
        return None
    if not isinstance(value, str):
        raise PayloadInvalid(field, "expected an ISO 8601 date and time")
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise PayloadInvalid(field, "expected an ISO 8601 date and time") from None
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        if not assume_utc:
            raise PayloadInvalid(field, "needs a UTC offset (a time without one is never taken as UTC)")
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc)


def day(value: Any, field: str) -> date | None:
    """A calendar date from "YYYY-MM-DD" or the date part of a timestamp; None when absent."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise PayloadInvalid(field, "expected a date (YYYY-MM-DD)")
    try:
        return date.fromisoformat(value.strip()[:10])
    except ValueError:
        raise PayloadInvalid(field, "expected a date (YYYY-MM-DD)") from None


def money(value: Any, field: str) -> Decimal:
    """A decimal amount from a string or number (parsed as Decimal, never float)."""
    if isinstance(value, bool) or value is None:
        raise PayloadInvalid(field, "expected a decimal amount")
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise PayloadInvalid(field, "expected a decimal amount") from None
    if not amount.is_finite() or amount < 0:
        raise PayloadInvalid(field, "must be a finite amount >= 0")
    return amount


def obj(value: Any, field: str) -> Mapping:
    """A nested object, or an empty one when absent."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise PayloadInvalid(field, "expected an object")
    return value


def items(value: Any, field: str) -> list:
    """A list, or an empty one when absent."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise PayloadInvalid(field, "expected a list")
    return value


def country2(value: Any, field: str) -> str | None:
    """An ISO 3166 alpha-2 code upper-cased, or None when absent."""
    code = text(value, field, 3)
    if code is None:
        return None
    if len(code) != 2 or not code.isalpha():
        raise PayloadInvalid(field, "expected an ISO 3166-1 alpha-2 country code")
    return code.upper()
