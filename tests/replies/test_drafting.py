"""Drafting in batches: one read and one write for many complaints, a bad one refused alone."""
from __future__ import annotations

from sqlalchemy import func, select

from crossborder_crm.errors import NotFound, ValidationFailed
from crossborder_crm.replies.drafting import Incoming, create_drafts
from crossborder_crm.replies.models import DraftEvent, ReplyDraft


def buyer(api, email="ana@example.es"):
    return api.post("/buyers", {"name": "Ana", "email": email, "country": "ES"}).get_json()["id"]


def test_a_batch_drafts_each_complaint_and_refuses_only_the_bad_ones(api_a, services, seller_a):
    ana = buyer(api_a)
    results = create_drafts(services.db, services.clock, seller_a.seller_id, [
        Incoming({"kind": "message", "text": "¿Dónde está mi pedido?", "buyer_id": ana}),
        Incoming({"kind": "review", "text": "Roto", "rating": 9, "buyer_id": ana}),
        Incoming({"kind": "message", "text": "Hola", "buyer_id": 999_999}),
        Incoming({"kind": "review", "text": "Llegó roto.", "rating": 1, "buyer_id": ana}, source="shopify"),
    ])
    assert [type(r).__name__ for r in results] == ["ReplyDraft", "ValidationFailed", "NotFound", "ReplyDraft"]
    assert isinstance(results[1], ValidationFailed) and "rating" in results[1].fields
    assert isinstance(results[2], NotFound)
    with services.db.reading() as s:
        assert s.scalar(select(func.count()).select_from(ReplyDraft)) == 2
        assert s.scalar(select(func.count()).select_from(DraftEvent)) == 2
        assert s.scalar(select(ReplyDraft.source).where(ReplyDraft.id == results[3].id)) == "shopify"


def test_a_batch_counts_earlier_complaints_stored_before_it(api_a, services, seller_a):
    ana = buyer(api_a)
    create_drafts(services.db, services.clock, seller_a.seller_id,
                  [Incoming({"kind": "message", "text": "¿Dónde está?", "buyer_id": ana})])
    [later] = create_drafts(services.db, services.clock, seller_a.seller_id,
                            [Incoming({"kind": "message", "text": "¿¿Dónde está??", "buyer_id": ana})])
    assert later.facts["earlier_complaints"] == 1
