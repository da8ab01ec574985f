"""The worker drafts a reply for each buyer message, bad review and dispute the marketplaces report, once."""
from __future__ import annotations

from sqlalchemy import select

from crossborder_crm.replies.from_events import complaint_of, draft_new_events
from crossborder_crm.replies.models import EventOutcome, ReplyDraft

ORDER = {"id": "o1", "type": "order", "data": {
    "external_id": "o-1", "placed_at": "2026-03-01T10:00:00Z", "currency": "EUR", "total": "25.00",
    "buyer": {"external_id": "b-1", "name": "Ana", "country": "ES", "email": "ana@example.es"}}}


def review(hooks, delivery: str, rating: int, text: str):
    hooks.generic({"id": delivery, "type": "review", "data": {
        "buyer": {"external_id": "b-1"}, "at": "2026-03-09T12:00:00Z", "text": text, "rating": rating}})


def drafts(services) -> list[ReplyDraft]:
    with services.db.reading() as s:
        return list(s.scalars(select(ReplyDraft).order_by(ReplyDraft.id)))


def run(services):
    return draft_new_events(services.db, services.clock, None)


def test_a_bad_review_from_a_marketplace_is_drafted_with_its_rating_and_time(hooks, services):
    hooks.generic(ORDER)
    review(hooks, "r1", 1, "La taza llegó rota.")
    hooks.apply()
    assert run(services).drafted == 1
    [d] = drafts(services)
    assert (d.kind, d.rating, d.text, d.category, d.source) == ("review", 1, "La taza llegó rota.", "damaged",
                                                                "generic")
    assert d.received_at.isoformat() == "2026-03-09T12:00:00+00:00"


def test_a_happy_review_is_not_drafted(hooks, services):
    hooks.generic(ORDER)
    review(hooks, "r1", 5, "¡Me encanta!")
    hooks.apply()
    result = run(services)
    assert (result.drafted, result.skipped, drafts(services)) == (0, 1, [])


def test_each_event_is_looked_at_once(hooks, services):
    hooks.generic(ORDER)
    review(hooks, "r1", 2, "Muy mala calidad.")
    review(hooks, "r2", 5, "Perfecto.")
    hooks.apply()
    run(services)
    again = run(services)
    assert (again.drafted, again.skipped) == (0, 0) and len(drafts(services)) == 1
    with services.db.reading() as s:
        assert sorted(s.scalars(select(EventOutcome.outcome))) == ["drafted", "skipped"]


def test_a_dispute_and_a_buyer_message_are_drafted(hooks, services):
    hooks.generic(ORDER)
    hooks.generic({"id": "d1", "type": "dispute", "data": {
        "order_external_id": "o-1", "buyer": {}, "at": "2026-03-09T12:00:00Z", "text": "No ha llegado."}})
    hooks.generic({"id": "m1", "type": "buyer_message", "data": {
        "buyer": {"external_id": "b-1"}, "at": "2026-03-09T13:00:00Z", "text": "¿Cuándo llega mi pedido?"}})
    hooks.apply()
    run(services)
    assert [d.kind for d in drafts(services)] == ["dispute", "message"]


def test_a_review_rating_is_read_from_the_events_detail():
    assert complaint_of("review", "2/5: Llegó tarde") == ("Llegó tarde", 2)
    assert complaint_of("review", "5/5: Genial") is None
    assert complaint_of("review", "3/5") is None  # stars without words: nothing to answer
    assert complaint_of("message_received", "Hola, ¿dónde está?") == ("Hola, ¿dónde está?", None)
