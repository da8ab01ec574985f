"""Each seller's mail goes through their own relay when they set one, within its connection limit."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from crossborder_crm.accounts.models import Seller
from crossborder_crm.outbox.relays import save_relay
from crossborder_crm.worker import dispatch_job
from tests.conftest import make_seller
from tests.outbox.helpers import smtp_services, with_mail
from tests.outbox.test_sessions import _due


def test_a_sellers_mail_goes_through_their_own_relay_and_others_through_the_services(services, seller_a,
                                                                                      make_sink):
    default, own = make_sink(), make_sink()
    seller_b = make_seller(services, "Shop B", "b@example.com")
    save_relay(services.db, services.clock, services.box, seller_a.seller_id,
               {"host": "127.0.0.1", "port": own.port, "security": "plain"})
    _due(services, seller_a, 4)
    _due(services, seller_b, 3)
    result = dispatch_job(smtp_services(services, default), "w1")
    assert result.sent == 7
    assert (own.message_count, default.message_count) == (4, 3)


def test_a_relay_limited_to_one_connection_gets_one_across_sessions(services, seller_a, make_sink):
    own = make_sink(hold_reply=lambda raw: 0.01)
    save_relay(services.db, services.clock, services.box, seller_a.seller_id,
               {"host": "127.0.0.1", "port": own.port, "security": "plain", "max_connections": 1})
    _due(services, seller_a, 40)
    svc = with_mail(smtp_services(services, own), DISPATCH_CONCURRENCY=4, DISPATCH_BATCH_SIZE=8)
    for _ in range(20):  # sessions without a connection put their messages back for a few seconds
        dispatch_job(svc, "w1")
        services.clock.advance(timedelta(seconds=6))
        if own.message_count == 40:
            break
    assert own.message_count == 40 and own.most_open == 1


def test_an_unreadable_relay_password_fails_that_sellers_mail_with_the_reason(services, seller_a, make_sink):
    sink = make_sink()
    save_relay(services.db, services.clock, services.box, seller_a.seller_id,
               {"host": "127.0.0.1", "port": sink.port, "security": "plain", "username": "u", "password": "p"})
    with services.db.transaction() as s:
        s.execute(update(Seller).where(Seller.id == seller_a.seller_id).values(relay_password="fernet:garbage"))
    _due(services, seller_a, 2)
    result = dispatch_job(smtp_services(services, sink), "w1")
    assert result.failed == 2 and sink.message_count == 0
