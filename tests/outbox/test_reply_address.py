"""Where a buyer's answer goes: Reply-To is the seller's reply address on every kind of message, From
falls back to no-reply@ only when the seller has no From email, and a personal message that nobody
could answer is refused when it is written."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select, update

from crossborder_crm.accounts.models import Seller
from crossborder_crm.outbox.models import Message
from crossborder_crm.outbox.service import NewMessage, enqueue
from tests.outbox.helpers import at, dispatch, new_buyer, parse, schedule, with_mail

NOON = "2026-03-10T12:00:00+00:00"  # 13:00 in Madrid


def _set_seller(services, seller_id, **values):
    with services.db.transaction() as s:
        s.execute(update(Seller).where(Seller.id == seller_id).values(**values))


def _sent(services, tmp_path):
    """Dispatch at noon with the file backend; the one message written, parsed."""
    at(services.clock, NOON)
    out = tmp_path / "out"
    assert dispatch(with_mail(services, MAIL_BACKEND="file", MAIL_DIR=str(out))).sent == 1
    [eml] = out.glob("*.eml")
    return parse(eml.read_bytes())


@pytest.mark.parametrize("kind", ["conversation", "marketing", "transactional"])
def test_every_kind_carries_the_sellers_reply_address(api_a, services, seller_a, tmp_path, kind):
    _set_seller(services, seller_a.seller_id, reply_to="help@a.example")
    buyer = new_buyer(api_a, consent={"status": "granted", "source": "checkout"})
    schedule(api_a, buyer["id"], kind=kind, send_at=NOON)
    mail = _sent(services, tmp_path)
    assert mail["Reply-To"] == "help@a.example"
    assert mail["From"].addresses[0].addr_spec == "no-reply@crm.localhost"


def test_a_shipping_notice_carries_the_sellers_reply_address(api_a, services, seller_a, tmp_path):
    from tests.outbox.test_email_templates import CONTEXT

    _set_seller(services, seller_a.seller_id, reply_to="help@a.example")
    buyer = new_buyer(api_a)
    with services.db.transaction() as s:
        enqueue(s, services.clock, NewMessage(seller_a.seller_id, buyer["id"], "transactional", "ship-1:delivered",
                                              send_at="best", template="shipment_delivered", context=dict(CONTEXT),
                                              origin="milestone"), mail_domain="crm.localhost")
    at(services.clock, "2026-03-10T08:00:00Z")  # 09:00 in Madrid: after the quiet hours
    out = tmp_path / "out"
    assert dispatch(with_mail(services, MAIL_BACKEND="file", MAIL_DIR=str(out))).sent == 1
    assert parse(next(out.glob("*.eml")).read_bytes())["Reply-To"] == "help@a.example"


def test_with_only_a_from_email_answers_go_to_it(api_a, services, seller_a, tmp_path):
    _set_seller(services, seller_a.seller_id, from_email="shop@a.example", reply_to=None)
    buyer = new_buyer(api_a)
    schedule(api_a, buyer["id"], send_at=NOON)
    mail = _sent(services, tmp_path)
    assert mail["From"].addresses[0].addr_spec == "shop@a.example"
    assert mail["Reply-To"] is None  # replies go to From


def test_a_conversation_nobody_could_answer_is_refused_naming_kind_and_settings(api_a, services, seller_a):
    _set_seller(services, seller_a.seller_id, from_email=None, reply_to=None)
    buyer = new_buyer(api_a)
    r = api_a.post("/messages", {"buyer_id": buyer["id"], "subject": "Hola", "body": "x"})
    assert r.status_code == 422
    assert "Settings → Sending" in r.get_json()["error"]["fields"]["kind"]
    with services.db.reading() as s:
        assert s.scalar(select(func.count(Message.id))) == 0


@pytest.mark.parametrize("kind", ["marketing", "transactional"])
def test_other_kinds_go_from_no_reply_without_any_seller_address(api_a, services, seller_a, tmp_path, kind):
    _set_seller(services, seller_a.seller_id, from_email=None, reply_to=None)
    buyer = new_buyer(api_a, consent={"status": "granted", "source": "checkout"})
    schedule(api_a, buyer["id"], kind=kind, send_at=NOON)
    mail = _sent(services, tmp_path)
    assert mail["From"].addresses[0].addr_spec == "no-reply@crm.localhost" and mail["Reply-To"] is None
