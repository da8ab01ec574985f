"""One rule decides whether a message could reach the buyer: the scheduler refuses with it, the
dispatcher's send-time gate holds back with it, and both say the same thing."""
from __future__ import annotations

import pytest
from sqlalchemy import update

from crossborder_crm.accounts.models import Seller
from crossborder_crm.outbox import deliverability, dispatcher
from crossborder_crm.outbox.deliverability import address_refusal, sender_refusal
from crossborder_crm.outbox.dispatcher import gate_reason
from crossborder_crm.outbox.models import Message
from crossborder_crm.outbox.store import Claimed, SendCheck, add_suppression
from tests.outbox.helpers import at, dispatch, new_buyer, schedule

NOON = "2026-03-10T12:00:00+00:00"  # 13:00 in Madrid: outside the default quiet hours


def _claimed(kind: str) -> Claimed:
    return Claimed(1, 1, 1, kind, "k", "<m@x>", "es", None, {}, "s", "b", 1, "Lucía", "l@example.es", "ES")


# --------------------------------------------------------------------------- the pure rule

@pytest.mark.parametrize("kind", ["conversation", "marketing", "transactional"])
def test_a_buyer_without_an_address_is_refused_for_every_kind_on_buyer_id(kind):
    refusal = address_refusal(kind, None, "granted", None)
    assert (refusal.field, refusal.reason) == ("buyer_id", "buyer has no email address")


@pytest.mark.parametrize("kind", ["conversation", "marketing", "transactional"])
def test_an_address_suppressed_for_all_mail_is_refused_for_every_kind_on_buyer_id(kind):
    refusal = address_refusal(kind, "l@example.es", "granted", "all")
    assert (refusal.field, refusal.reason) == ("buyer_id", "address is suppressed (bounce or complaint)")


def test_an_unsubscribed_buyer_is_refused_marketing_on_kind():
    refusal = address_refusal("marketing", "l@example.es", "granted", "marketing")
    assert (refusal.field, refusal.reason) == ("kind", "buyer unsubscribed")


@pytest.mark.parametrize("consent", ["denied", "withdrawn"])
def test_marketing_without_consent_is_refused_on_kind(consent):
    refusal = address_refusal("marketing", "l@example.es", consent, None)
    assert (refusal.field, refusal.reason) == ("kind", f"marketing consent {consent}")
    assert refusal.reason.template == "marketing consent %(status)s"  # the panel translates it


@pytest.mark.parametrize("kind", ["conversation", "transactional"])
@pytest.mark.parametrize("consent,scope", [("denied", None), ("withdrawn", None), ("granted", "marketing")])
def test_no_consent_or_an_unsubscribe_does_not_stop_other_kinds(kind, consent, scope):
    assert address_refusal(kind, "l@example.es", consent, scope) is None


def test_a_conversation_needs_a_from_email_or_a_reply_address():
    refusal = sender_refusal("conversation", None, None)
    assert refusal.field == "kind" and "Settings → Sending" in refusal.reason
    assert sender_refusal("conversation", "shop@a.example", None) is None
    assert sender_refusal("conversation", None, "help@a.example") is None


@pytest.mark.parametrize("kind", ["marketing", "transactional"])
def test_other_kinds_go_without_any_seller_address(kind):
    assert sender_refusal(kind, None, None) is None


# --------------------------------------------------------------------------- the gate uses it

def test_the_gate_uses_the_rule_of_the_scheduler():
    assert dispatcher.address_refusal is deliverability.address_refusal


@pytest.mark.parametrize("kind,check,stored", [
    ("conversation", SendCheck(None, "granted", None, "sending"), "buyer has no email address"),
    ("transactional", SendCheck("l@example.es", "granted", "all", "sending"),
     "address is suppressed (bounce or complaint)"),
    ("marketing", SendCheck("l@example.es", "granted", "marketing", "sending"), "buyer unsubscribed"),
    ("marketing", SendCheck("l@example.es", "denied", None, "sending"), "marketing consent denied"),
    ("marketing", SendCheck("l@example.es", "withdrawn", None, "sending"), "marketing consent withdrawn"),
    ("marketing", SendCheck("l@example.es", "granted", None, "sending", marketing_sent=2),
     "frequency cap reached at send time"),
    ("conversation", SendCheck("l@example.es", "withdrawn", "marketing", "sending"), None),
])
def test_the_gate_keeps_its_stored_texts(kind, check, stored):
    reason = gate_reason(_claimed(kind), check, cap_count=2)
    assert reason == stored and (reason is None or type(reason) is str)


# --------------------------------------------------------------------------- both ends agree

def _set_seller(services, seller_id, **values):
    with services.db.transaction() as s:
        s.execute(update(Seller).where(Seller.id == seller_id).values(**values))


def _suppress(services, seller_id, email, scope):
    with services.db.transaction() as s:
        add_suppression(s, seller_id, email, "hard_bounce" if scope == "all" else "unsubscribe", scope,
                        services.clock.now())


CASES = {
    "no_email": ("conversation", lambda api, services, sid, b: api.patch(f"/buyers/{b}", {"email": None})),
    "bounced": ("conversation", lambda api, services, sid, b: _suppress(services, sid, "lucia@example.es", "all")),
    "unsubscribed": ("marketing",
                     lambda api, services, sid, b: _suppress(services, sid, "lucia@example.es", "marketing")),
    "withdrawn": ("marketing", lambda api, services, sid, b: api.patch(
        f"/buyers/{b}", {"consent": {"status": "withdrawn", "source": "api"}})),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_what_the_gate_holds_back_the_scheduler_refuses_with_the_same_words(api_a, services, seller_a, case):
    kind, make_undeliverable = CASES[case]
    buyer = new_buyer(api_a, consent={"status": "granted", "source": "checkout"})
    queued = schedule(api_a, buyer["id"], kind=kind, send_at=NOON)
    make_undeliverable(api_a, services, seller_a.seller_id, buyer["id"])
    at(services.clock, NOON)
    assert dispatch(services).suppressed == 1
    with services.db.reading() as s:
        held = s.get(Message, queued["id"]).last_error
    r = api_a.post("/messages", {"buyer_id": buyer["id"], "subject": "Hola", "body": "x", "kind": kind,
                                 "send_at": "2026-03-11T12:00:00Z"})
    assert r.status_code == 422
    assert held in r.get_json()["error"]["fields"].values()
