"""Feedback fixtures: a seller with every provider's credential, signed posts, a stand-in for AWS's URLs."""
from __future__ import annotations

import base64
from datetime import timedelta

import pytest
from sqlalchemy import select

from crossborder_crm.buyers import service as buyers
from crossborder_crm.feedback.credentials import new_postmark_password, save_pasted
from crossborder_crm.feedback.feedback_views import EXTENSION
from crossborder_crm.feedback.models import DeliveryEvent
from crossborder_crm.feedback.receive import Network
from crossborder_crm.feedback.sns import FetchFailed
from crossborder_crm.outbox.deliverability import buyer_refusals
from crossborder_crm.outbox.message_id import make_message_id
from crossborder_crm.outbox.models import Message, Suppression
from tests.feedback.keys import CERT_URL, sendgrid_public_b64, sendgrid_sign, sns_cert_pem
from tests.feedback.payloads import SUBSCRIBE_URL, TOPIC, dumps, mailgun_sign

MAILGUN_KEY = "key-3ax6xnjp29jd6fds4gc373sgvjxteol0"


class FakeFetcher:
    """The two AWS URLs the tests use, served from memory; every GET is remembered."""

    def __init__(self, pages: dict[str, bytes]):
        self.pages, self.calls = pages, []

    def get(self, url: str) -> bytes:
        self.calls.append(url)
        if url not in self.pages:
            raise FetchFailed("HTTP 404")
        return self.pages[url]


class Feed:
    """Posts provider deliveries for one seller, authenticated as each provider does it."""

    def __init__(self, client, services, seller, postmark_password: str):
        self.client, self.services, self.seller = client, services, seller
        self.postmark_password = postmark_password
        self._token = 0

    def post(self, provider: str, body: bytes, headers: dict, key: str | None = None):
        return self.client.post(f"/webhooks/{provider}/{key or self.seller.seller_key}", data=body, headers=headers)

    def ses(self, envelope: dict, **kw):
        return self.post("ses", dumps(envelope), {"Content-Type": "text/plain; charset=UTF-8",
                                                  "x-amz-sns-message-type": envelope["Type"]}, **kw)

    def postmark(self, payload: dict, *, password: str | None = None, user: str = "postmark", **kw):
        auth = base64.b64encode(f"{user}:{password or self.postmark_password}".encode()).decode()
        return self.post("postmark", dumps(payload), {"Content-Type": "application/json",
                                                      "Authorization": f"Basic {auth}"}, **kw)

    def sendgrid(self, events: list, *, signing_key=None, timestamp: str = "1773107910", body: bytes | None = None,
                 **kw):
        body = dumps(events) if body is None else body
        return self.post("sendgrid", body, {
            "Content-Type": "application/json",
            "X-Twilio-Email-Event-Webhook-Signature": sendgrid_sign(timestamp, body, signing_key),
            "X-Twilio-Email-Event-Webhook-Timestamp": timestamp}, **kw)

    def mailgun(self, event_data: dict, *, token: str | None = None, age: int = 0, key: str = MAILGUN_KEY, **kw):
        if token is None:
            self._token += 1
            token = f"{self._token:02d}a8ce0edb2dd8301dee6c2405235584e45aa91d1e9f979f3de0"[:50]
        stamp = str(int((self.services.clock.now() - timedelta(seconds=age)).timestamp()))
        return self.post("mailgun", dumps({"signature": mailgun_sign(key, stamp, token), "event-data": event_data}),
                         {"Content-Type": "application/json"}, **kw)

    def events(self) -> list[DeliveryEvent]:
        with self.services.db.reading() as s:
            return list(s.scalars(select(DeliveryEvent).order_by(DeliveryEvent.id)))

    def suppression(self, email: str, seller_id: int | None = None) -> tuple[str, str] | None:
        with self.services.db.reading() as s:
            row = s.execute(select(Suppression.reason, Suppression.scope).where(
                Suppression.seller_id == (seller_id or self.seller.seller_id), Suppression.email == email)).first()
        return tuple(row) if row else None


def give_credentials(services, seller) -> str:
    """Every provider's credential for the seller; Postmark's generated password is returned."""
    sid = seller.seller_id
    save_pasted(services.db, services.clock, services.box, sid, "ses", TOPIC)
    save_pasted(services.db, services.clock, services.box, sid, "sendgrid", sendgrid_public_b64())
    save_pasted(services.db, services.clock, services.box, sid, "mailgun", MAILGUN_KEY)
    return new_postmark_password(services.db, services.clock, services.box, sid)


@pytest.fixture
def fetcher(app) -> FakeFetcher:
    fake = FakeFetcher({CERT_URL: sns_cert_pem(), SUBSCRIBE_URL: b"<ConfirmSubscriptionResponse/>"})
    app.extensions[EXTENSION] = Network.using(fake)
    return fake


@pytest.fixture
def feed(client, services, seller_a, fetcher) -> Feed:
    return Feed(client, services, seller_a, give_credentials(services, seller_a))


def add_buyer(services, seller_id: int, email: str, name: str = "Ana García"):
    return buyers.create_buyer(services.db, services.clock, seller_id, {"name": name, "country": "ES", "email": email})


def only_marketing_refused(services, seller, buyer) -> bool:
    """True when the buyer may still get transactional mail but no marketing."""
    refused = buyer_refusals(services.db, seller.seller_id, buyer.id, ("transactional", "marketing"))
    return set(refused) == {"marketing"}


def sent_message(services, seller, buyer_id: int, to_email: str, key: str = "shipping-1", kind: str = "transactional"):
    """A message of ours that went out an hour ago (what a bounce is about)."""
    now = services.clock.now()
    with services.db.transaction() as s:
        msg = Message(seller_id=seller.seller_id, buyer_id=buyer_id, kind=kind, idempotency_key=key,
                      rfc_message_id=make_message_id(seller.seller_key, key, "crm.example"), locale="es",
                      context={}, subject="Your parcel is on its way", body="…", scheduled_at=now - timedelta(hours=1),
                      status="sent", due_at=now - timedelta(hours=1), sent_at=now - timedelta(hours=1),
                      to_email=to_email, created_at=now - timedelta(hours=2), updated_at=now - timedelta(hours=1))
        s.add(msg)
        s.flush()
        return msg
