"""Helpers for the campaign tests: buyers through the API, campaigns and their messages."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from crossborder_crm.outbox.models import Message
from crossborder_crm.timing.localtime import to_local


def add_buyer(api, name: str, country: str, *, consent: str | None = "granted", language: str | None = None,
              email: str | None = None) -> int:
    body = {"name": name, "country": country, "email": email or f"{name.lower().replace(' ', '.')}@example.com"}
    if consent:
        body["consent"] = {"status": consent, "source": "checkout"}
    if language:
        body["language"] = language
    r = api.post("/buyers", body)
    assert r.status_code == 201, r.get_json()
    return r.get_json()["id"]


def content(subject: str = "Hello {name}", body: str = "We have news for you.", **more) -> dict:
    return {"language": "en", "versions": {"en": {"subject": subject, "body": body}, **more}}


def create(api, **fields) -> dict:
    body = {"name": "Spring", "kind": "announcement", "audience": {}, "confirm_all": True, "content": content(),
            **fields}
    r = api.post("/campaigns", body)
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def launch(api, campaign_id: int) -> dict:
    r = api.post(f"/campaigns/{campaign_id}/launch")
    assert r.status_code == 200, r.get_json()
    return r.get_json()["plan"]


def messages(services, campaign_id: int) -> list[Message]:
    with services.db.reading() as s:
        return list(s.scalars(select(Message).where(Message.origin == "campaign",
                                                    Message.origin_ref == str(campaign_id)).order_by(Message.id)))


def local(msg: Message, tz: str):
    return to_local(msg.scheduled_at, tz)


def sample_sent_with_an_order_in_b(api, services, campaign_id: int, planned: list[Message]) -> None:
    """Mark the A/B sample sent an hour from now and give one buyer of group B an order three hours later."""
    sent_at = services.clock.now() + timedelta(hours=1)
    with services.db.transaction() as s:
        s.execute(update(Message).where(Message.origin_ref == str(campaign_id), Message.variant.in_(("a", "b")))
                  .values(status="sent", sent_at=sent_at))
    buyer_b = next(m.buyer_id for m in planned if m.variant == "b")
    r = api.post(f"/buyers/{buyer_b}/orders", {
        "marketplace": "shopify", "external_id": "ab-1", "currency": "USD", "total": "30.00",
        "placed_at": (sent_at + timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "items": [{"title": "Tea", "quantity": 1, "unit_price": "30.00"}]})
    assert r.status_code in (200, 201), r.get_json()
