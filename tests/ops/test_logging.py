"""Log lines: one per dispatch outcome with the fields to search by, JSON on request, addresses masked."""
from __future__ import annotations

import io
import json
import logging

import pytest

from config import ConfigError, load_config
from crossborder_crm.ops.logging_setup import configure_logging, make_formatter, mask_addresses, mask_email
from tests.outbox.helpers import at, dispatch, new_buyer, schedule, smtp_services

NOON = "2026-03-10T12:00:00+00:00"


@pytest.fixture
def dispatch_log():
    """What the dispatch logger writes, in a format of the test's choosing: read() gives the lines."""
    logger = logging.getLogger("crossborder_crm.dispatch")
    stream, level, handlers = io.StringIO(), logger.level, []

    def use(fmt: str):
        handler = logging.StreamHandler(stream)
        handler.setFormatter(make_formatter(fmt))
        logger.addHandler(handler)
        handlers.append(handler)
        logger.setLevel(logging.INFO)
        return lambda: stream.getvalue().splitlines()

    yield use
    for handler in handlers:
        logger.removeHandler(handler)
    logger.setLevel(level)


@pytest.fixture
def root_logging():
    """Put the root logger back as it was after a test that reconfigures it."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield root
    for handler in list(root.handlers):
        root.removeHandler(handler)
    for handler in handlers:
        root.addHandler(handler)
    root.setLevel(level)


def send_one_and_bounce_one(api, services, clock, make_sink):
    sink = make_sink(refuse=lambda rcpt: "550 5.1.1 <%s> no such user" % rcpt if rcpt.startswith("zoe") else None)
    lucia = new_buyer(api, email="lucia@example.es")
    zoe = new_buyer(api, name="Zoë Ünal", email="zoe.unal@example.de")
    sent = schedule(api, lucia["id"], send_at=NOON, idempotency_key="a", body="Secret body text 42")
    bounced = schedule(api, zoe["id"], send_at=NOON, idempotency_key="b")
    at(clock, NOON)
    dispatch(smtp_services(services, sink), worker="host-1:77")
    return sent, bounced, lucia, zoe


def test_json_lines_parse_and_carry_each_dispatch_outcome_with_its_fields(api_a, seller_a, services, clock,
                                                                          make_sink, dispatch_log):
    read = dispatch_log("json")
    sent, bounced, lucia, zoe = send_one_and_bounce_one(api_a, services, clock, make_sink)
    events = {e["message_id"]: e for e in map(json.loads, read())}
    assert set(events) == {sent["id"], bounced["id"]}
    ok, failed = events[sent["id"]], events[bounced["id"]]
    assert {k: ok[k] for k in ("outcome", "seller_id", "buyer_id", "worker", "attempt", "kind", "to", "level")} == {
        "outcome": "sent", "seller_id": seller_a.seller_id, "buyer_id": lucia["id"], "worker": "host-1:77",
        "attempt": 1, "kind": "conversation", "to": "l***@example.es", "level": "INFO"}
    assert (failed["outcome"], failed["error_class"], failed["buyer_id"], failed["level"]) == (
        "failed", "hard_bounce", zoe["id"], "WARNING")
    assert "550" in failed["reason"]


def test_no_log_line_holds_a_full_address_or_the_body(api_a, services, clock, make_sink, dispatch_log):
    read = dispatch_log("json")
    send_one_and_bounce_one(api_a, services, clock, make_sink)
    text = "\n".join(read())
    for secret in ("lucia@example.es", "zoe.unal@example.de", "Secret body text"):
        assert secret not in text
    assert "z***@example.de" in text  # the server's reply quoted the address: masked too


def test_plain_lines_end_with_the_fields_as_key_value(api_a, services, clock, make_sink, dispatch_log):
    read = dispatch_log("plain")
    sent, *_ = send_one_and_bounce_one(api_a, services, clock, make_sink)
    line = next(line for line in read() if f"message_id={sent['id']} " in line)
    assert "dispatch sent outcome=sent" in line
    assert "worker=host-1:77 attempt=1 kind=conversation" in line and "to=l***@example.es" in line


def test_configured_json_logging_writes_every_record_as_one_json_object(root_logging, capsys):
    configure_logging("json")
    logging.getLogger("crossborder_crm.test").warning("worker stopped", extra={"worker": "w1"})
    record = json.loads(capsys.readouterr().err.strip().splitlines()[-1])
    assert (record["message"], record["worker"], record["level"], record["logger"]) == (
        "worker stopped", "w1", "WARNING", "crossborder_crm.test")
    assert "time" in record


def test_the_log_format_defaults_to_plain_and_an_unknown_one_is_refused():
    assert load_config("test", environ={})["LOG_FORMAT"] == "plain"
    assert load_config("test", environ={"CRM_LOG_FORMAT": "json"})["LOG_FORMAT"] == "json"
    with pytest.raises(ConfigError, match="CRM_LOG_FORMAT"):
        load_config("test", environ={"CRM_LOG_FORMAT": "xml"})


@pytest.mark.parametrize("address, masked", [("lucia@example.es", "l***@example.es"), ("x@y.jp", "x***@y.jp"),
                                             ("山田@例え.jp", "山***@例え.jp"), ("no-at-sign", "***"), (None, None)])
def test_an_address_is_masked_to_its_first_letter_and_domain(address, masked):
    assert mask_email(address) == masked


def test_every_address_in_a_text_is_masked():
    assert mask_addresses("refused: <ana.b@example.com>, bob@example.org: 550") == (
        "refused: <a***@example.com>, b***@example.org: 550")
