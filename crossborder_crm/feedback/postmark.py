"""Postmark bounce, spam-complaint and subscription-change webhooks, behind the basic-auth password we generate."""
from __future__ import annotations

import base64
import binascii
import hmac
from typing import Mapping

from crossborder_crm.errors import Malformed
from crossborder_crm.feedback import dsn
from crossborder_crm.feedback.events import (
    COMPLAINT,
    HARD,
    SOFT,
    UNSUBSCRIBE,
    Context,
    Feedback,
    Opened,
    Unauthenticated,
    address,
    body_id,
    detail,
    event_id,
    iso_time,
    json_body,
    need_object,
)

SOURCE = "postmark"
USERNAME = "postmark"  # the seller enters this user name and the generated password in Postmark
HARD_TYPES = frozenset({"HardBounce", "BadEmailAddress"})
# Temporary failures: counted toward the soft-bounce limit. Auto-replies, challenge mails, DMARC
# refusals of the seller's own domain and the like say nothing about the address and are ignored.
SOFT_TYPES = frozenset({"SoftBounce", "Transient", "DnsError", "Blocked"})
# Of the SubscriptionChange records only this reason (the recipient unsubscribed) is acted on.
# "HardBounce" and "SpamComplaint" repeat a Bounce or SpamComplaint record Postmark also sends, with
# the ID we deduplicate on: acting on both would count one event twice. A reactivation
# (SuppressSending false) is ignored too: only our preference page lifts an unsubscribe.
UNSUBSCRIBE_REASON = "ManualSuppression"


def credentials(headers: Mapping[str, str]) -> tuple[str, str] | None:
    """(user, password) from an `Authorization: Basic …` header, or None."""
    scheme, _, value = str(headers.get("Authorization") or "").partition(" ")
    if scheme.lower() != "basic" or not value.strip():
        return None
    try:
        user, sep, password = base64.b64decode(value.strip(), validate=True).decode("utf-8").partition(":")
    except (binascii.Error, ValueError):
        return None
    return (user, password) if sep else None


def check_auth(headers: Mapping[str, str], password: str) -> None:
    """Unauthenticated (401) unless the request carries our user name and the seller's password."""
    given = credentials(headers)
    if given is None:
        raise Unauthenticated("basic auth credentials are required", {"Authorization": "missing"})
    same_user = hmac.compare_digest(given[0].encode(), USERNAME.encode())
    same_password = hmac.compare_digest(given[1].encode(), password.encode())
    if not (same_user and same_password):
        raise Unauthenticated("basic auth credentials refused", {"Authorization": "wrong user name or password"})


def kind_of(data: dict) -> str | None:
    """What a Postmark record is to us: a hard or soft bounce, a complaint, an unsubscribe, or nothing (None)."""
    record, kind = data.get("RecordType"), data.get("Type")
    if record == "SpamComplaint" or kind == "SpamComplaint":
        return COMPLAINT
    if record == "SubscriptionChange":
        unsubscribed = data.get("SuppressSending") is True and data.get("SuppressionReason") == UNSUBSCRIBE_REASON
        return UNSUBSCRIBE if unsubscribed else None
    if record != "Bounce":
        return None  # Delivery, Open, Click
    return HARD if kind in HARD_TYPES else SOFT if kind in SOFT_TYPES else None


def _recipient(data: dict, name: str) -> str:
    """The record's address field, or Malformed (400) naming it."""
    recipient = address(data.get(name))
    if not recipient:
        raise Malformed(f"{name} is not an address", {name: "expected an email address"})
    return recipient


def _bounce(data: dict, kind: str, body: bytes) -> Feedback:
    """A Bounce or SpamComplaint record, matched to our message through its dump when there is one."""
    recipient = _recipient(data, "Email")
    # The bounce dump, when Postmark includes it, is often the receiving server's DSN with our headers.
    content = data.get("Content")
    report = dsn.parse_report(content.encode("utf-8", "replace")) if isinstance(content, str) and content else None
    bounce_id = data.get("ID")
    eid = f"{data.get('RecordType')}:{bounce_id}" if bounce_id not in (None, "") else body_id(body)
    return Feedback(eid[:200], kind, recipient, iso_time(data.get("BouncedAt")),
                    detail(data.get("Name") or data.get("Type"), data.get("Description"), data.get("Details")),
                    body, report.message_ids if report else (), report.crm_message if report else None)


def _unsubscribe(data: dict, body: bytes) -> Feedback:
    """A SubscriptionChange that suppresses the address: it has no ID, so recipient and time name it."""
    recipient = _recipient(data, "Recipient")
    changed = str(data.get("ChangedAt") or "").strip()
    eid = event_id(f"SubscriptionChange:{recipient}:{changed}", 0, 1) if changed else body_id(body)
    return Feedback(eid, UNSUBSCRIBE, recipient, iso_time(changed),
                    detail(data.get("SuppressionReason"), data.get("Origin"), data.get("MessageStream")), body)


def open_delivery(body: bytes, headers: Mapping[str, str], credential: str, ctx: Context) -> Opened:
    """Check the credentials, then read the one record the request carries."""
    check_auth(headers, credential)
    data = need_object(json_body(body), "body")
    kind = kind_of(data)
    if kind is None:
        return Opened([], ignored=1)
    return Opened([_unsubscribe(data, body) if kind == UNSUBSCRIBE else _bounce(data, kind, body)])
