"""Settings → Sending → Your own relay: saved with the password encrypted and never rendered back, errors
next to their fields, cleared, and the test email's answer from a real SMTP sink."""
from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import text

from crossborder_crm.outbox.relays import load_relay
from tests.outbox.conftest import make_sink  # noqa: F401  (the real aiosmtpd sink)
from tests.panel.html import Page

PASSWORD = "panel-relay-Pa55word"
FORM = {"relay_host": "smtp.shop-a.example", "relay_port": "587", "relay_security": "starttls",
        "relay_username": "shop-a", "relay_password": PASSWORD, "relay_max_connections": "4",
        "relay_per_second": "2.5", "relay_per_domain_per_minute": "60"}


def _raw_password(services, seller_id) -> str | None:
    with services.db.engine.connect() as conn:
        return conn.execute(text("SELECT relay_password FROM sellers WHERE id = :id"), {"id": seller_id}).scalar()


def _save(panel, **changes):
    return panel.post("/settings/relay", data={**FORM, **changes})


def _to_sink(panel, sink, password=PASSWORD):
    return _save(panel, relay_host="127.0.0.1", relay_port=str(sink.port), relay_security="plain",
                 relay_password=password)


def test_the_section_offers_the_services_relay_and_an_empty_password(panel_a):
    page = Page(panel_a.get("/settings").data)
    assert page.find("relay") is not None
    assert "the service's relay" in page.text("relay-status")
    assert page.attr("f-relay_password", "type") == "password" and page.attr("f-relay_password", "value") is None
    assert page.attr("f-relay_security", "name") == "relay_security"
    assert page.find("clear-relay") is None
    assert page.attr("f-relay_test_to", "value") == "replies-owner-a@example.com"  # Shop A's reply-to


def test_saving_stores_the_password_encrypted_and_never_renders_it(panel_a, services, seller_a):
    r = _save(panel_a)
    assert r.status_code == 302 and r.headers["Location"].endswith("/settings#relay")
    raw = _raw_password(services, seller_a.seller_id)
    assert PASSWORD not in raw and services.box.decrypt(raw) == PASSWORD
    body = panel_a.get("/settings").get_data(as_text=True)
    assert PASSWORD not in body
    page = Page(body)
    assert "smtp.shop-a.example:587 (starttls)" in page.text("relay-status")
    assert "A password is saved" in page.text("relay-status")
    assert page.attr("f-relay_host", "value") == "smtp.shop-a.example"
    assert page.attr("f-relay_per_second", "value") == "2.5"
    assert page.attr("f-relay_password", "value") is None
    assert "Leave empty to keep it" in page.attr("f-relay_password", "placeholder")


def test_a_blank_password_keeps_the_saved_one(panel_a, services, seller_a):
    _save(panel_a)
    assert _save(panel_a, relay_password="", relay_max_connections="8").status_code == 302
    assert services.box.decrypt(_raw_password(services, seller_a.seller_id)) == PASSWORD
    assert load_relay(services.db, seller_a.seller_id).limits.max_connections == 8


def test_plain_with_a_login_is_refused_next_to_the_security_field(panel_a, services, seller_a):
    r = _save(panel_a, relay_security="plain")
    assert r.status_code == 422
    body = r.get_data(as_text=True)
    assert PASSWORD not in body  # the typed password is not sent back either
    page = Page(body)
    assert "must not travel in clear" in page.text("e-relay_security")
    assert page.attr("f-relay_security", "aria-invalid") == "true"
    assert page.attr("f-relay_host", "value") == "smtp.shop-a.example"  # the rest as typed
    assert "not saved" in page.text("relay-errors")
    assert load_relay(services.db, seller_a.seller_id) is None


def test_bad_fields_are_marked_and_nothing_is_saved(panel_a, services, seller_a):
    r = _save(panel_a, relay_host="smtp://x.example", relay_port="99999", relay_per_second="0")
    assert r.status_code == 422
    page = Page(r.data)
    for name in ("relay_host", "relay_port", "relay_per_second"):
        assert page.find(f"e-{name}") is not None, name
    assert load_relay(services.db, seller_a.seller_id) is None


def test_using_the_services_relay_clears_it(panel_a, services, seller_a):
    _save(panel_a)
    assert Page(panel_a.get("/settings").data).find("clear-relay") is not None
    r = panel_a.post("/settings/relay/clear")
    assert r.status_code == 302
    assert load_relay(services.db, seller_a.seller_id) is None and _raw_password(services, seller_a.seller_id) is None
    assert "the service's relay" in Page(panel_a.get("/settings").data).text("relay-status")


def test_another_seller_does_not_see_or_change_the_relay(panel_a, panel_b, services, seller_a):
    _save(panel_a)
    assert "smtp.shop-a.example" not in panel_b.get("/settings").get_data(as_text=True)
    panel_b.post("/settings/relay/clear")
    assert load_relay(services.db, seller_a.seller_id) is not None


def test_the_test_email_shows_the_relays_answer(panel_a, make_sink):  # noqa: F811
    sink = make_sink(auth={"shop-a": PASSWORD})
    _to_sink(panel_a, sink)
    r = panel_a.post("/settings/relay/test", data={"to": "lucia@example.es"})
    assert r.status_code == 200
    page = Page(r.data)
    assert "flash-success" in page.attr("relay-test-result", "class")
    assert page.text("relay-test-answer") == "250 2.0.0 Message accepted for delivery"
    assert page.attr("f-relay_test_to", "value") == "lucia@example.es"
    assert sink.messages[0][1] == ["lucia@example.es"]


def test_a_wrong_password_shows_the_relays_refusal(panel_a, make_sink):  # noqa: F811
    sink = make_sink(auth={"shop-a": "the-right-one"})
    _to_sink(panel_a, sink)
    r = panel_a.post("/settings/relay/test", data={"to": "lucia@example.es"})
    page = Page(r.data)
    assert "flash-error" in page.attr("relay-test-result", "class")
    assert "535 5.7.8 Authentication credentials invalid" in page.text("relay-test-answer")
    assert PASSWORD not in r.get_data(as_text=True) and sink.messages == []


def test_with_the_file_backend_and_no_relay_the_page_says_nothing_was_sent(panel_a):
    page = Page(panel_a.post("/settings/relay/test", data={"to": "lucia@example.es"}).data)
    assert "flash-error" in page.attr("relay-test-result", "class")
    assert "writes email to files" in page.text("relay-test-answer")


def test_a_bad_test_address_is_marked(panel_a):
    r = panel_a.post("/settings/relay/test", data={"to": "nope"})
    assert r.status_code == 422
    page = Page(r.data)
    assert page.find("e-relay_test_to") is not None and page.find("relay-test-result") is None


def _send_tests(panel, count: int, to: str = "lucia@example.es") -> list[int]:
    """Post the test email form `count` times; the status codes."""
    return [panel.post("/settings/relay/test", data={"to": to}).status_code for _ in range(count)]


def test_the_sixth_test_email_in_ten_minutes_is_refused_and_not_sent(panel_a, make_sink):  # noqa: F811
    sink = make_sink(auth={"shop-a": PASSWORD})
    _to_sink(panel_a, sink)
    assert _send_tests(panel_a, 5) == [200] * 5
    r = panel_a.post("/settings/relay/test", data={"to": "jean@example.fr"})
    assert r.status_code == 429 and r.headers["Retry-After"] == "600"
    page = Page(r.data)
    assert page.text("relay-test-refused") == ("You can send at most 5 test emails every 10 minutes. "
                                               "Try again in 10 minutes.")
    assert page.attr("f-relay_test_to", "value") == "jean@example.fr"  # as typed
    assert page.find("relay-test-result") is None
    assert len(sink.messages) == 5


def test_the_refusal_says_how_long_is_left_of_the_window(panel_a, make_sink, clock):  # noqa: F811
    _to_sink(panel_a, make_sink(auth={"shop-a": PASSWORD}))
    _send_tests(panel_a, 5)
    clock.advance(timedelta(minutes=9, seconds=30))
    r = panel_a.post("/settings/relay/test", data={"to": "lucia@example.es"})
    assert r.status_code == 429 and r.headers["Retry-After"] == "30"
    assert Page(r.data).text("relay-test-refused").endswith("Try again in 1 minute.")


def test_test_emails_are_allowed_again_once_the_window_has_passed(panel_a, make_sink, clock):  # noqa: F811
    sink = make_sink(auth={"shop-a": PASSWORD})
    _to_sink(panel_a, sink)
    _send_tests(panel_a, 6)
    clock.advance(timedelta(minutes=10))
    assert _send_tests(panel_a, 5) == [200] * 5
    assert len(sink.messages) == 10


def test_refused_test_emails_do_not_extend_the_window(panel_a, make_sink, clock):  # noqa: F811
    _to_sink(panel_a, make_sink(auth={"shop-a": PASSWORD}))
    _send_tests(panel_a, 5)
    clock.advance(timedelta(minutes=5))
    assert _send_tests(panel_a, 3) == [429] * 3
    clock.advance(timedelta(minutes=5))
    assert _send_tests(panel_a, 1) == [200]


def test_a_mistyped_test_address_is_not_counted(panel_a, make_sink):  # noqa: F811
    _to_sink(panel_a, make_sink(auth={"shop-a": PASSWORD}))
    assert _send_tests(panel_a, 5, to="nope") == [422] * 5
    assert _send_tests(panel_a, 5) == [200] * 5


def test_each_seller_has_their_own_test_email_limit(panel_a, panel_b, make_sink):  # noqa: F811
    sink = make_sink(auth={"shop-a": PASSWORD})
    _to_sink(panel_a, sink)
    _to_sink(panel_b, sink)
    _send_tests(panel_a, 6)
    assert _send_tests(panel_b, 1) == [200]


def test_logs_never_carry_the_password(panel_a, make_sink, caplog):  # noqa: F811
    caplog.set_level(logging.DEBUG)
    sink = make_sink(auth={"shop-a": PASSWORD})
    _to_sink(panel_a, sink)
    _save(panel_a, relay_security="plain")  # refused
    panel_a.post("/settings/relay/test", data={"to": "lucia@example.es"})
    assert len(sink.messages) == 1
    assert caplog.records and PASSWORD not in caplog.text


def test_the_section_renders_in_another_panel_language(panel_a):
    panel_a.post("/settings/language", data={"locale": "zh_CN"})
    assert panel_a.get("/settings").status_code == 200  # untranslated strings fall back to English
