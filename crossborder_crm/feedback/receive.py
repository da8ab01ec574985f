"""Receiving a provider's webhook: the seller and its credential, the raw bytes verified, the events recorded."""
from __future__ import annotations

from dataclasses import dataclass
from types import ModuleType
from typing import Mapping

from sqlalchemy import and_, select

from crossborder_crm.accounts.models import Seller, WebhookSecret
from crossborder_crm.clock import Clock
from crossborder_crm.db import Database
from crossborder_crm.errors import NotFound
from crossborder_crm.feedback import mailgun, postmark, sendgrid, ses
from crossborder_crm.feedback.events import Context, Unauthenticated
from crossborder_crm.feedback.rules import Policy
from crossborder_crm.feedback.service import record
from crossborder_crm.feedback.sns import CertCache, Fetcher, UrlFetcher
from crossborder_crm.secret_box import SecretBox

PROVIDERS: dict[str, ModuleType] = {m.SOURCE: m for m in (ses, postmark, sendgrid, mailgun)}


@dataclass(frozen=True)
class Receipt:
    """What the endpoint answers: HTTP status and a small JSON body."""

    status: int
    body: dict


@dataclass(frozen=True)
class Network:
    """How SNS certificates and subscription URLs are fetched (a local stand-in in tests), with the cache."""

    fetcher: Fetcher
    certs: CertCache

    @classmethod
    def using(cls, fetcher: Fetcher | None = None) -> "Network":
        """A cache around `fetcher` (default: HTTPS through urllib)."""
        fetcher = fetcher or UrlFetcher()
        return cls(fetcher, CertCache(fetcher))


def _seller_and_credential(db: Database, box: SecretBox, seller_key: str, source: str
                           ) -> tuple[int | None, str | None]:
    if not seller_key or len(seller_key) > 32:
        return None, None
    with db.reading() as s:
        row = s.execute(select(Seller.id, WebhookSecret.secret).select_from(Seller)
                        .outerjoin(WebhookSecret, and_(WebhookSecret.seller_id == Seller.id,
                                                       WebhookSecret.source == source))
                        .where(Seller.key == seller_key)).first()
    if row is None:
        return None, None
    return row[0], (box.decrypt(row[1]) if row[1] is not None else None)


def receive(db: Database, clock: Clock, box: SecretBox, network: Network, policy: Policy, source: str,
            seller_key: str, body: bytes, headers: Mapping[str, str]) -> Receipt:
    """Verify the raw bytes with the seller's credential, then record the events in one transaction.

    Raises NotFound (404), Unauthenticated (401), Malformed (400), UpstreamFailed (502: an SNS URL failed)."""
    adapter = PROVIDERS.get(source)
    seller_id, credential = _seller_and_credential(db, box, seller_key, source) if adapter else (None, None)
    if seller_id is None:
        raise NotFound("no such webhook endpoint", {"url": "unknown provider or seller key"})
    if credential is None:
        raise Unauthenticated(f"no {source} credential is set for this seller",
                              {"credential": "set it on the Settings page"})
    opened = adapter.open_delivery(body, headers, credential, Context(clock.now(), network.certs, network.fetcher))
    done = record(db, clock, policy, seller_id, source, opened.events, opened.nonce)
    status = opened.status or ("processed" if done.stored else "duplicate" if done.duplicates else "ignored")
    return Receipt(200, {"status": status, "stored": done.stored, "duplicates": done.duplicates,
                         "ignored": opened.ignored})
