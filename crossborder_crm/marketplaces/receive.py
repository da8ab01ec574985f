"""Receiving a delivery: verify, parse, store; nothing is applied here, so the answer stays fast."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

from sqlalchemy import and_, bindparam, insert, select
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from crossborder_crm.accounts.models import Seller, WebhookSecret
from crossborder_crm.clock import Clock
from crossborder_crm.db import Database
from crossborder_crm.errors import Malformed, NotFound, Unauthenticated
from crossborder_crm.marketplaces.models import WebhookDelivery
from crossborder_crm.marketplaces.payload import NotJson, parse_json
from crossborder_crm.marketplaces.sources import ADAPTERS
from crossborder_crm.secret_box import SecretBox


@dataclass(frozen=True)
class Receipt:
    """What the endpoint answers: HTTP status and a small JSON body."""

    status: int
    body: dict


# Decrypting a secret (Fernet: HMAC check + AES) on every delivery would cost more than the
# delivery's own HMAC: the clear text is kept per stored ciphertext, so a rotated secret (a new
# ciphertext) takes effect at once and the old one is never looked up again.
_CLEAR: dict[tuple[int, str], str] = {}
_CLEAR_MAX = 4096


def _clear(box: SecretBox, stored: str) -> str:
    key = (id(box), stored)
    clear = _CLEAR.get(key)
    if clear is None:
        if len(_CLEAR) >= _CLEAR_MAX:
            _CLEAR.clear()
        clear = _CLEAR[key] = box.decrypt(stored)
    return clear


# Built once: the hot path only binds values (the statements are the same for every delivery).
_LOOKUP = (select(Seller.id, WebhookSecret.secret).select_from(Seller)
           .outerjoin(WebhookSecret, and_(WebhookSecret.seller_id == Seller.id,
                                          WebhookSecret.source == bindparam("source")))
           .where(Seller.key == bindparam("key")))
_INSERT = insert(WebhookDelivery).returning(WebhookDelivery.id)


def _seller_and_secret(conn: Connection, box: SecretBox, seller_key: str, source: str
                       ) -> tuple[int | None, str | None]:
    """(seller id, the source's secret in clear) in one indexed read; (None, None) for an unknown key."""
    if not seller_key or len(seller_key) > 32:
        return None, None
    row = conn.execute(_LOOKUP, {"key": seller_key, "source": source}).first()
    if row is None:
        return None, None
    return row[0], (_clear(box, row[1]) if row[1] is not None else None)


def _kept_headers(adapter, headers: Mapping[str, str]) -> dict[str, str]:
    names = (adapter.SIGNATURE_HEADER, *adapter.KEPT_HEADERS, "Content-Type", "User-Agent")
    return {name: headers[name][:500] for name in dict.fromkeys(names) if headers.get(name) is not None}


def receive(db: Database, clock: Clock, box: SecretBox, source: str, seller_key: str, body: bytes,
            headers: Mapping[str, str]) -> Receipt:
    """Verify the raw bytes, then store the delivery once; a repeat of its id is acknowledged (200).

    Raises NotFound (unknown source or seller key), Unauthenticated (401), Malformed (400).
    """
    adapter = ADAPTERS.get(source)
    if adapter is None:
        raise NotFound("no such webhook endpoint", {"url": "unknown source or seller key"})
    # One connection for the lookup and the insert: on PostgreSQL one transaction (fewer round
    # trips); on SQLite the read ends first, since a WAL read transaction that later writes fails
    # at once ("database is locked") when another worker wrote in between.
    with db.engine.connect() as conn:
        seller_id, secret = _seller_and_secret(conn, box, seller_key, source)
        if db.dialect == "sqlite":
            conn.commit()
        if seller_id is None:
            raise NotFound("no such webhook endpoint", {"url": "unknown source or seller key"})
        is_ping = getattr(adapter, "is_ping", None)
        if is_ping is not None and is_ping(body, headers):
            return Receipt(200, {"status": "ping"})
        if secret is None:
            raise Unauthenticated(f"no {source} webhook secret is set for this seller",
                                   {adapter.SIGNATURE_HEADER: "cannot be verified"})
        if not adapter.verify(body, headers, secret, clock.now()):
            reason = "missing" if not headers.get(adapter.SIGNATURE_HEADER) else "does not match the body"
            raise Unauthenticated("webhook signature refused", {adapter.SIGNATURE_HEADER: reason})
        try:
            data = parse_json(body)
        except NotJson as exc:
            raise Malformed(str(exc), {"body": str(exc)}) from None
        topic, delivery_id = adapter.envelope(headers, body, data)
        known = topic in adapter.TOPICS
        row = {"seller_id": seller_id, "source": source, "topic": topic, "delivery_id": delivery_id,
               "received_at": clock.now(), "body": body, "headers": _kept_headers(adapter, headers),
               "status": "received" if known else "ignored", "attempts": 0,
               "error": None if known else f"topic {topic} is not handled"}
        try:
            # One INSERT, no read first: the unique (seller, source, delivery id) is the duplicate
            # check, also between two copies arriving at the same moment on two connections.
            stored = conn.execute(_INSERT, row).scalar_one()
            conn.commit()
        except IntegrityError:
            return Receipt(200, {"status": "duplicate", "delivery_id": delivery_id})
    return Receipt(202, {"status": row["status"], "id": stored, "delivery_id": delivery_id})
