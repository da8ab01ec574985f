"""The seller-facing wording of the structured reasons (panel.explain), in both panel languages."""
from __future__ import annotations

from datetime import datetime, time, timezone

import pytest
from flask import g

from crossborder_crm.buyers import service as buyers
from crossborder_crm.outbox.send_window import quiet_hold
from crossborder_crm.panel.explain import consent_source, held_reason, send_reason
from tests.panel.html import Page

LEARNED = {"source": "learned", "events": 14, "country": "JP", "peak_days": [6], "peak_hours": [15, 18]}


@pytest.fixture
def en(app):
    with app.test_request_context("/"):
        g.panel_locale = "en"
        yield


@pytest.fixture
def zh(app):
    with app.test_request_context("/"):
        g.panel_locale = "zh_CN"
        yield


def test_conversation_reason_names_the_pattern_the_deadline_and_the_moment(en):
    why = send_reason({"code": "conversation_first_online", "local": "2026-12-03T11:00", "tz": "Asia/Tokyo",
                       "deadline_hours": 24.0, "profile": LEARNED}, "Yuko")
    assert why == ("Yuko is most active on Sunday in the afternoon (15:00–18:00 their time), learned from 14 "
                   "activity events. It goes at the first hour within your 24-hour reply deadline when they "
                   "are likely online: Thu, Dec 3 11:00 in Tokyo.")


def test_conversation_reason_in_chinese(zh):
    why = send_reason({"code": "conversation_first_online", "local": "2026-12-03T11:00", "tz": "Asia/Tokyo",
                       "deadline_hours": 24.0, "profile": LEARNED}, "Yuko")
    assert "Yuko 在星期日下午最活跃" in why and "24 小时回复期限" in why and "东京" in why


def test_capped_marketing_reason_says_the_limit_moved_it(en):
    why = send_reason({"code": "marketing_best_hour", "local": "2026-12-05T20:00", "tz": "Europe/Madrid",
                       "cap": [2, 7], "profile": {**LEARNED, "peak_days": [0, 1, 2, 3, 4]}}, "Lucía")
    assert why.startswith("Your marketing limit (2 messages in 7 days) is reached")
    assert "Monday to Friday" in why and "best hour of the day: Sat, Dec 5 20:00 in Madrid." in why


def test_a_retried_message_says_so(en):
    why = send_reason({"code": "seller_instant", "local": "2026-12-05T20:00", "tz": "Europe/Madrid",
                       "retried": True}, "Lucía")
    assert why.endswith("You put it back in the queue after it failed.")


def test_a_local_time_sent_in_quiet_hours_says_the_seller_asked_for_it(en):
    why = send_reason({"code": "seller_local_quiet_override", "local": "2026-12-05T23:30", "tz": "Europe/Paris",
                       "quiet": ["21:30", "08:30"]}, "Jean")
    assert why == ("You chose Sat, Dec 5 23:30 in Paris, inside the buyer's quiet hours (21:30–08:30 their "
                   "time), and asked to send it anyway.")


def test_an_instant_sent_in_quiet_hours_says_so_in_chinese(zh):
    why = send_reason({"code": "seller_instant_quiet_override", "local": "2026-12-05T23:30", "tz": "Europe/Paris",
                       "quiet": ["21:30", "08:30"]}, "Jean")
    assert "免打扰时段" in why and "21:30–08:30" in why and "巴黎" in why


def test_no_structured_reason_gives_none(en):
    assert send_reason(None, "x") is None and send_reason({}, "x") is None


def test_gate_reasons_are_translated_and_unknown_ones_left_alone(zh):
    assert held_reason("buyer unsubscribed") == "该买家已退订营销邮件。"
    assert held_reason("550 mailbox unavailable") is None


def test_a_message_waiting_for_the_buyers_quiet_hours_says_so_in_the_panel_language(zh):
    hold = quiet_hold(datetime(2026, 3, 10, 14, 0, tzinfo=timezone.utc), "Asia/Tokyo", time(21, 30), time(8, 30))
    assert held_reason(hold.reason) == ("该消息到期时正值买家的免打扰时段（21:30–08:30，Asia/Tokyo）："
                                        "将等到对方时间 08:30 再发送。")


def test_a_message_waiting_for_a_throttled_domain_names_it(en):
    reason = "gmail.com asked us to slow down: paused until 2026-03-10 14:05:00 UTC"
    assert held_reason(reason) == "gmail.com asked us to slow down: its messages wait until 2026-03-10 14:05:00 UTC."


def test_consent_sources_read_as_words(en):
    assert consent_source("checkout") == "given at checkout"
    assert consent_source("unsubscribe:one_click") == "unsubscribed through a link in an email"
    assert consent_source("crm-sync") == "crm-sync"


def test_profile_says_inferred_from_the_region_name_not_its_code(panel_a, services, seller_a):
    b = buyers.create_buyer(services.db, services.clock, seller_a.seller_id,
                            {"name": "Pilar", "country": "ES", "region": "CN"})
    assert Page(panel_a.get(f"/buyers/{b.id}").data).text("timezone").startswith(
        "Atlantic/Canary — inferred from region Canarias")
