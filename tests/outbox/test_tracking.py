"""Open and click tracking: signed tokens, links through us except the unsubscribe link, machine opens apart."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from crossborder_crm.outbox.tracking import (
    InvalidTrackingToken,
    Tracked,
    instrument,
    is_machine,
    make_token,
    read_token,
)

SECRET = "tracking-secret"
SENT = datetime(2026, 3, 10, 12, 0, tzinfo=timezone.utc)
BROWSER = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/126.0 Safari/537.36"


def test_a_link_token_names_the_message_and_the_link():
    assert read_token(SECRET, make_token(SECRET, 7, "https://shop.example/a?b=1")) == \
        Tracked(7, "https://shop.example/a?b=1")


def test_a_pixel_token_names_only_the_message():
    assert read_token(SECRET, make_token(SECRET, 7)) == Tracked(7, None)


def test_a_token_signed_with_another_secret_is_refused():
    with pytest.raises(InvalidTrackingToken):
        read_token(SECRET, make_token("other", 7, "https://evil.example"))


def test_links_go_through_us_and_the_unsubscribe_link_does_not():
    html = ('<html><body><a href="https://shop.example/tea?x=1&amp;y=2">Tea</a>'
            '<a href="https://crm.example/u/TOKEN">Unsubscribe</a></body></html>')
    out = instrument(html, SECRET, "https://crm.example/", 9, keep=("https://crm.example/u/TOKEN",))
    first = out.split('href="')[1].split('"')[0]
    assert first.startswith("https://crm.example/t/c/")
    assert read_token(SECRET, first.rsplit("/", 1)[1]) == Tracked(9, "https://shop.example/tea?x=1&y=2")
    assert 'href="https://crm.example/u/TOKEN"' in out


def test_the_pixel_goes_just_before_the_end_of_the_body():
    out = instrument("<html><body><p>Hi</p></body></html>", SECRET, "https://crm.example", 9)
    assert out.endswith('height:1px;"></body></html>') and "/t/o/" in out


def test_an_open_by_a_browser_a_minute_after_the_send_is_a_persons():
    assert not is_machine(BROWSER, "GET", SENT + timedelta(minutes=1), SENT)


def test_an_open_within_seconds_of_the_send_is_a_scanners():
    assert is_machine(BROWSER, "GET", SENT + timedelta(seconds=3), SENT)


@pytest.mark.parametrize("agent", ["Barracuda Sentinel (EE)", "python-requests/2.32", "Mozilla/5.0 (compatible; "
                                   "bingbot/2.0)", None])
def test_a_scanner_or_a_missing_user_agent_is_a_machine(agent):
    assert is_machine(agent, "GET", SENT + timedelta(hours=1), SENT)


def test_a_head_request_is_a_machine():
    assert is_machine(BROWSER, "HEAD", SENT + timedelta(hours=1), SENT)
