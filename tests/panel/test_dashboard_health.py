"""The dashboard warns the seller when their mail is due and not going out (the worker is not running)."""
from __future__ import annotations

from datetime import timedelta

from crossborder_crm.outbox import service
from tests.panel.html import Page


def schedule_now(services, seller_id, buyer_id, key):
    data = {"buyer_id": buyer_id, "subject": "Hola", "body": "Tu pedido está listo.", "idempotency_key": key,
            "send_at": services.clock.now(), "override_quiet_hours": True}  # the clock is 03:00 in Madrid
    return service.schedule_message(services.db, services.clock, seller_id, data, mail_domain="crm.localhost").message


def warning(client) -> str:
    r = client.get("/")
    assert r.status_code == 200
    return Page(r.data).text("sending-stalled")


def test_a_message_due_for_more_than_five_minutes_shows_the_warning_with_count_and_age(panel_a, services, clock,
                                                                                        seller_a, shop_a):
    schedule_now(services, seller_a.seller_id, shop_a["lucia"].id, "a")
    schedule_now(services, seller_a.seller_id, shop_a["jean"].id, "b")
    clock.advance(timedelta(minutes=12))
    text = warning(panel_a)
    assert "Email is not going out." in text
    assert "2 messages are due and not sent." in text
    assert "The oldest has waited 12 minutes." in text


def test_the_warning_waits_until_a_due_message_is_more_than_five_minutes_old(panel_a, services, clock, seller_a,
                                                                              shop_a):
    schedule_now(services, seller_a.seller_id, shop_a["lucia"].id, "a")
    clock.advance(timedelta(minutes=4))
    assert warning(panel_a) == ""
    clock.advance(timedelta(minutes=2))
    assert "1 message is due and not sent." in warning(panel_a)


def test_a_message_not_yet_due_brings_no_warning_until_it_has_waited(panel_a, services, clock, seller_a, shop_a):
    schedule_now(services, seller_a.seller_id, shop_a["lucia"].id, "a")
    clock.advance(timedelta(minutes=-30))  # the message is due in half an hour
    assert warning(panel_a) == ""
    clock.advance(timedelta(minutes=36))
    assert "The oldest has waited 6 minutes." in warning(panel_a)


def test_another_sellers_stalled_messages_are_not_this_sellers_warning(panel_a, panel_b, services, clock, seller_a,
                                                                       seller_b, shop_a):
    schedule_now(services, seller_a.seller_id, shop_a["lucia"].id, "a")
    clock.advance(timedelta(minutes=10))
    assert "1 message is due and not sent." in warning(panel_a)
    assert warning(panel_b) == ""


def test_the_warning_is_in_chinese_for_a_chinese_panel(panel_a, services, clock, seller_a, shop_a):
    schedule_now(services, seller_a.seller_id, shop_a["lucia"].id, "a")
    clock.advance(timedelta(minutes=12))
    r = panel_a.get("/", headers={"Accept-Language": "zh-CN"})
    text = Page(r.data).text("sending-stalled")
    assert "12分钟" in text
    assert "Email is not going out." not in text
