"""RFC 3464 delivery status notifications: which recipients failed and how, and which message of ours
it was (its Message-ID or X-CRM-Message in the returned headers). Standard library only."""
from __future__ import annotations

import email
import email.policy
from dataclasses import dataclass
from datetime import datetime, timezone
from email.message import Message
from email.parser import HeaderParser
from email.utils import parsedate_to_datetime

from crossborder_crm.feedback.events import (
    HARD,
    SOFT,
    Feedback,
    address,
    body_id,
    crm_message,
    detail,
    event_id,
    message_id,
)

STATUS_PARTS = ("message/delivery-status", "message/global-delivery-status")
# Where MTAs return the original: the whole message, or its headers only (RFC 6522, RFC 6533).
ORIGINAL_PARTS = ("message/rfc822", "message/global", "text/rfc822-headers", "message/rfc822-headers",
                  "message/global-headers")


@dataclass(frozen=True)
class RecipientStatus:
    """One per-recipient block of the report."""

    recipient: str
    action: str  # failed | delayed | delivered | relayed | expanded
    status: str  # "5.1.1"
    diagnostic: str


@dataclass(frozen=True)
class Report:
    """What a DSN says: its own id and date, each recipient's status, and the original's ids."""

    dsn_id: str
    date: datetime | None
    recipients: list[RecipientStatus]
    message_ids: tuple[str, ...]
    crm_message: int | None


def _text(part: Message) -> str:
    payload = part.get_payload(decode=True)
    if isinstance(payload, bytes):
        return payload.decode("utf-8", "replace")
    raw = part.get_payload()
    return raw if isinstance(raw, str) else ""


def _split(text: str) -> list[Message]:
    text = text.replace("\r\n", "\n")
    return [HeaderParser().parsestr(chunk.strip() + "\n") for chunk in text.split("\n\n") if chunk.strip()]


def _blocks(part: Message) -> list[Message]:
    """The report's field blocks. Python splits message/delivery-status into them; the global kind
    (RFC 6533) comes as one block whose body holds the others."""
    payload = part.get_payload()
    if not isinstance(payload, list):
        return _split(_text(part))
    blocks = []
    for block in payload:
        if isinstance(block, Message):
            blocks.append(block)
            body = block.get_payload(decode=True)
            if isinstance(body, bytes) and body.strip():
                blocks += _split(body.decode("utf-8", "replace"))
    return blocks


def _field(block: Message, name: str) -> str:
    """A field as text: UTF-8 in a header (SMTPUTF8 addresses) comes back surrogate-escaped from the parser."""
    value = str(block.get(name) or "")
    return value.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _headers_of(part: Message) -> Message | None:
    payload = part.get_payload()
    if isinstance(payload, list) and payload and isinstance(payload[0], Message):
        return payload[0]
    text = _text(part)
    return HeaderParser().parsestr(text) if text.strip() else None


def _first(value: object) -> str:
    words = str(value or "").split("(")[0].split()
    return words[0] if words else ""


def status_kind(action: str, status: str) -> str | None:
    """Action failed with a 5.x.x status is a hard bounce, with 4.x.x a soft one; anything else is not a bounce."""
    if action.lower() != "failed":
        return None  # delayed: the MTA is still trying; delivered, relayed, expanded: no failure
    if status.startswith("5."):
        return HARD
    if status.startswith("4."):
        return SOFT
    return None


def _date(msg: Message) -> datetime | None:
    try:
        parsed = parsedate_to_datetime(str(msg.get("Date") or ""))
    except (TypeError, ValueError, IndexError):
        return None
    return parsed.astimezone(timezone.utc) if parsed.tzinfo else None


def original_ids(headers: Message | None) -> tuple[tuple[str, ...], int | None]:
    """Our Message-ID and X-CRM-Message in a returned header block."""
    if headers is None:
        return (), None
    found = message_id(headers.get("Message-ID"))
    return ((found,) if found else ()), crm_message(headers.get("X-CRM-Message"))


def parse_report(raw: bytes) -> Report | None:
    """The DSN in a raw message, or None when the message is not a delivery status notification."""
    msg = email.message_from_bytes(raw, policy=email.policy.compat32)
    status_part = next((p for p in msg.walk() if p.get_content_type() in STATUS_PARTS), None)
    if status_part is None:
        return None
    recipients = []
    for block in _blocks(status_part):
        who = address(_field(block, "Original-Recipient")) or address(_field(block, "Final-Recipient"))
        if who:
            recipients.append(RecipientStatus(who, _first(_field(block, "Action")).lower(),
                                              _first(_field(block, "Status")),
                                              " ".join(_field(block, "Diagnostic-Code").split())))
    ids: list[str] = []
    crm = None
    for part in msg.walk():
        if part.get_content_type() in ORIGINAL_PARTS:
            found, number = original_ids(_headers_of(part))
            ids += found
            crm = crm if crm is not None else number
            break
    # Some MTAs also point at the original from the DSN's own headers.
    for name in ("In-Reply-To", "References"):
        for word in str(msg.get(name) or "").split():
            if message_id(word):
                ids.append(message_id(word))
    dsn_id = message_id(msg.get("Message-ID")) or body_id(raw)
    return Report(dsn_id, _date(msg), recipients, tuple(dict.fromkeys(ids)), crm)


def feedback_of(report: Report, raw: bytes) -> list[Feedback]:
    """One event per recipient that failed (delays and successes are left out)."""
    failed = [(r, status_kind(r.action, r.status)) for r in report.recipients]
    failed = [(r, kind) for r, kind in failed if kind is not None]
    return [Feedback(event_id(report.dsn_id, i, len(failed)), kind, r.recipient, report.date,
                     detail(r.status, r.diagnostic), raw, report.message_ids, report.crm_message)
            for i, (r, kind) in enumerate(failed)]
