"""POST /api/v1/messages refuses, when it is written, a message that could never be sent: 422 naming
the field, the reason in plain words, nothing stored and the buyer untouched."""
from __future__ import annotations

import pytest
from sqlalchemy import update

from crossborder_crm.accounts.models import Seller
from crossborder_crm.outbox.store import add_suppression
from tests.outbox.helpers import new_buyer, schedule

CONSENTED = {"status": "granted", "source": "checkout"}


def post(api, buyer_id, **fields):
    return api.post("/messages", {"buyer_id": buyer_id, "subject": "Hola", "body": "x", **fields})


def refused(api, buyer: dict, r) -> dict:
    """The error's fields, after checking nothing was stored and the buyer did not change."""
    assert r.status_code == 422, r.get_json()
    assert api.get("/messages").get_json()["items"] == []
    assert api.get(f"/buyers/{buyer['id']}").get_json() == buyer
    return r.get_json()["error"]["fields"]


def suppress(services, seller_id, email, scope):
    with services.db.transaction() as s:
        add_suppression(s, seller_id, email, "hard_bounce" if scope == "all" else "unsubscribe", scope,
                        services.clock.now())


@pytest.mark.parametrize("kind", ["conversation", "marketing", "transactional"])
def test_a_message_to_a_buyer_without_email_is_422_on_buyer_id(api_a, kind):
    buyer = new_buyer(api_a, email=None, consent=CONSENTED)
    assert refused(api_a, buyer, post(api_a, buyer["id"], kind=kind)) == {"buyer_id": "buyer has no email address"}


@pytest.mark.parametrize("kind", ["conversation", "marketing"])
def test_a_message_to_an_address_suppressed_after_a_bounce_is_422_on_buyer_id(api_a, services, seller_a, kind):
    buyer = new_buyer(api_a, consent=CONSENTED)
    suppress(services, seller_a.seller_id, buyer["email"], "all")
    assert refused(api_a, buyer, post(api_a, buyer["id"], kind=kind)) == {
        "buyer_id": "address is suppressed (bounce or complaint)"}


@pytest.mark.parametrize("consent", ["denied", "withdrawn"])
def test_marketing_to_a_buyer_without_consent_is_422_on_kind(api_a, consent):
    buyer = new_buyer(api_a, consent={"status": consent, "source": "api"})
    assert refused(api_a, buyer, post(api_a, buyer["id"], kind="marketing")) == {
        "kind": f"marketing consent {consent}"}


def test_marketing_to_an_unsubscribed_buyer_is_422_on_kind(api_a, services, seller_a):
    buyer = new_buyer(api_a, consent=CONSENTED)
    suppress(services, seller_a.seller_id, buyer["email"], "marketing")
    assert refused(api_a, buyer, post(api_a, buyer["id"], kind="marketing")) == {"kind": "buyer unsubscribed"}


def test_a_conversation_to_a_buyer_who_withdrew_marketing_consent_is_scheduled(api_a, services, seller_a):
    buyer = new_buyer(api_a, consent={"status": "withdrawn", "source": "api"})
    suppress(services, seller_a.seller_id, buyer["email"], "marketing")
    assert schedule(api_a, buyer["id"])["status"] == "scheduled"


def test_a_conversation_while_the_seller_has_no_reply_address_is_422_on_kind(api_a, services, seller_a):
    with services.db.transaction() as s:
        s.execute(update(Seller).where(Seller.id == seller_a.seller_id).values(from_email=None, reply_to=None))
    buyer = new_buyer(api_a)
    fields = refused(api_a, buyer, post(api_a, buyer["id"]))
    assert fields == {"kind": "a conversation message needs an address the buyer can reply to: set a From "
                              "email or a Reply-To address in Settings → Sending"}


def test_the_same_idempotency_key_still_answers_its_message_once_the_buyer_cannot_be_mailed(api_a):
    buyer = new_buyer(api_a)
    first = schedule(api_a, buyer["id"], idempotency_key="order-9-thanks")
    api_a.patch(f"/buyers/{buyer['id']}", {"email": None})
    again = post(api_a, buyer["id"], idempotency_key="order-9-thanks")
    assert again.status_code == 200 and again.get_json()["id"] == first["id"]


def test_the_openapi_document_says_when_a_message_is_refused(client):
    op = client.get("/api/v1/openapi.json").get_json()["paths"]["/api/v1/messages"]["post"]
    assert "no email address" in op["responses"]["422"]["description"]
    assert "override_quiet_hours" in op["responses"]["422"]["description"]
