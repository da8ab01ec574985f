"""The provider-neutral feedback event, the errors a delivery is refused with, and small readers."""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from crossborder_crm.errors import CrmError, Malformed, Unauthenticated  # noqa: F401  (the adapters raise it)

HARD, SOFT, COMPLAINT, SUBSCRIPTION = "hard_bounce", "soft_bounce", "complaint", "subscription"
UNSUBSCRIBE = "unsubscribe"  # the recipient unsubscribed through the provider (its link or list page)
MAX_ID = 200
MAX_DETAIL = 500
MAX_ADDRESS = 320


class UpstreamFailed(CrmError):
    """A provider's URL we had to fetch (a certificate, a subscription) did not answer (502)."""

    code = "upstream_failed"
    status = 502


@dataclass(frozen=True)
class Feedback:
    """One bounce, complaint or unsubscribe for one recipient, as any provider reports it."""

    event_id: str
    kind: str  # HARD | SOFT | COMPLAINT | UNSUBSCRIBE | SUBSCRIPTION
    recipient: str  # lower-cased address ("" for a subscription)
    occurred_at: datetime | None
    detail: str
    raw: bytes = field(repr=False)
    message_ids: tuple[str, ...] = ()  # Message-ID values of the original, without <>
    crm_message: int | None = None  # the original's X-CRM-Message header


@dataclass(frozen=True)
class Nonce:
    """A signature token and when it was signed (Mailgun): accepted once, and only while fresh."""

    value: str
    signed_at: datetime | None
    event_id: str
    max_age_seconds: int


@dataclass(frozen=True)
class Context:
    """What verifying a delivery may need besides its bytes: now, and (SNS) the certificate cache and fetcher."""

    now: datetime
    certs: Any = None  # sns.CertCache
    fetcher: Any = None  # sns.Fetcher


@dataclass(frozen=True)
class Opened:
    """A verified delivery: its events, how many provider events we do not act on, its nonce."""

    events: list[Feedback]
    ignored: int = 0
    nonce: Nonce | None = None
    status: str | None = None  # an answer of its own ("subscribed"), else the usual counts


def address(value: Any) -> str:
    """An email address as stored for matching and suppression: trimmed, no brackets, lower-cased."""
    text = str(value or "").strip()
    if ";" in text:  # RFC 3464 "rfc822; user@host"
        text = text.split(";", 1)[1].strip()
    text = text.strip("<>").strip().lower()
    return text if "@" in text and len(text) <= MAX_ADDRESS and not any(c.isspace() for c in text) else ""


_MESSAGE_ID = re.compile(r"<?\s*([^<>\s]+@[^<>\s]+?)\s*>?\s*$")


def message_id(value: Any) -> str | None:
    """The Message-ID without angle brackets, or None for anything that is not one."""
    match = _MESSAGE_ID.match(str(value or "").strip())
    return match.group(1)[:250] if match else None


def crm_message(value: Any) -> int | None:
    """Our X-CRM-Message header's message number, or None."""
    text = str(value or "").strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 10 else None


def detail(*parts: Any) -> str:
    """A short human-readable reason joined from the provider's fields (empty ones left out)."""
    words = " · ".join(" ".join(str(p).split()) for p in parts if p not in (None, ""))
    return words[:MAX_DETAIL]


def event_id(base: Any, index: int, count: int) -> str:
    """The stored id of the index-th recipient of one provider event (suffixed only when it has several)."""
    text = str(base or "").strip()
    if len(text) > MAX_ID - 8:
        text = "sha256:" + hashlib.sha256(text.encode()).hexdigest()
    return text if count == 1 else f"{text}#{index + 1}"


def body_id(raw: bytes) -> str:
    """An id for a payload that carries none: its hash, so a repeat is still a duplicate."""
    return "sha256:" + hashlib.sha256(raw).hexdigest()


def unix_time(value: Any) -> datetime | None:
    """A Unix timestamp (int, float or digits) as UTC, None when absent or out of range."""
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        return None
    if not 0 <= seconds < 4102444800:  # 2100-01-01
        return None
    return datetime.fromtimestamp(seconds, timezone.utc)


def iso_time(value: Any) -> datetime | None:
    """An ISO 8601 instant with an offset as UTC; None when absent or unreadable (the receipt time is used)."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    if parsed.tzinfo is None:
        return None
    return parsed.astimezone(timezone.utc)


def need_object(value: Any, what: str) -> dict:
    """The value as a JSON object, or Malformed naming what it should have been."""
    if not isinstance(value, dict):
        raise Malformed(f"{what} must be a JSON object", {what: "expected an object"})
    return value


def json_body(body: bytes) -> Any:
    """The body's JSON value, or Malformed saying why it cannot be read (400)."""
    try:
        return json.loads(body.decode("utf-8"))
    except UnicodeDecodeError:
        raise Malformed("body is not UTF-8", {"body": "not UTF-8"}) from None
    except RecursionError:
        raise Malformed("body is nested too deeply", {"body": "nested too deeply"}) from None
    except ValueError as exc:
        raise Malformed("body is not valid JSON", {"body": f"not valid JSON: {exc}"[:200]}) from None
