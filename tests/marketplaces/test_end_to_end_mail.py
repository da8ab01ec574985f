"""The whole road to the buyer's inbox: signed Shopify and AfterShip deliveries become French emails at a
real SMTP server, one per milestone, each at an hour the buyer's quiet hours allow."""
from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest

from crossborder_crm.i18n.emails import email_translations
from tests.marketplaces.payloads import shopify_fulfillment, shopify_order
from tests.marketplaces.test_end_to_end import UPDATES
from tests.outbox.helpers import at, dispatch, parse, smtp_services
from tests.smtp_sink import SmtpSink

PARIS = ZoneInfo("Europe/Paris")
# When each step happens: just after the event it reports. The out-for-delivery scan comes at
# 07:10 in Lyon, inside the default quiet hours (21:30-08:30): its mail must wait for 08:30.
STEPS = [
    ("2026-03-09T15:20:00Z", lambda h: h.shopify("orders/create", shopify_order(), "wh-order")),
    ("2026-03-10T14:05:00Z", lambda h: h.shopify("fulfillments/create", shopify_fulfillment(), "wh-fulfil")),
    ("2026-03-10T14:10:00Z", lambda h: h.aftership(UPDATES[0])),
    ("2026-03-17T06:15:00Z", lambda h: h.aftership(UPDATES[1])),
    ("2026-03-17T07:30:00Z", None),  # 08:30 in Lyon: the quiet hours end
    ("2026-03-17T10:45:00Z", lambda h: h.aftership(UPDATES[2])),
]


@pytest.fixture
def sink():
    sink = SmtpSink().start()
    yield sink
    sink.stop()


def _run(hooks, mail) -> list[int]:
    codes = []
    for when, post in STEPS:
        at(hooks.services.clock, when)
        if post is not None:
            codes.append(post(hooks).status_code)
            hooks.apply()
        dispatch(mail)
    return codes


def _subjects(french) -> list[str]:
    return [french.gettext(s) for s in ("Your order is on its way", "Your parcel is out for delivery",
                                        "Your order has been delivered")]


def test_each_milestone_reaches_the_buyer_once_in_french_at_an_allowed_hour(hooks, sink):
    assert _run(hooks, smtp_services(hooks.services, sink)) == [202] * 5
    mails = [parse(raw) for _, _, raw in sink.messages]
    assert [m["Subject"] for m in mails] == _subjects(email_translations("fr-FR"))
    assert all(m["To"].addresses[0].addr_spec == "camille.durand@example.fr" for m in mails)
    local = [m["Date"].datetime.astimezone(PARIS) for m in mails]
    assert all(time(8, 30) <= t.time() < time(21, 30) for t in local)
    assert local[1] == datetime(2026, 3, 17, 8, 30, tzinfo=PARIS)


def test_the_emails_are_in_french_in_both_parts(hooks, sink):
    _run(hooks, smtp_services(hooks.services, sink))
    delivered = parse(sink.messages[-1][2])
    french = email_translations("fr-FR")
    text = delivered.get_body(("plain",)).get_content()
    html = delivered.get_body(("html",)).get_content()
    assert french.gettext("Hello %(name)s,") % {"name": "Camille Durand"} in text
    assert 'lang="fr-FR"' in html and "Your parcel" not in text + html


def test_the_same_run_again_sends_nothing_new(hooks, sink):
    mail = smtp_services(hooks.services, sink)
    _run(hooks, mail)
    assert _run(hooks, mail) == [200] * 5
    assert sink.message_count == 3


def test_webhooks_are_answered_while_the_relay_is_unreachable(hooks, sink):
    port = sink.port
    sink.stop()  # nothing listens there any more
    mail = smtp_services(hooks.services, sink)
    assert mail.settings["SMTP_URL"].endswith(f":{port}")
    assert _run(hooks, mail) == [202] * 5
    assert [d.status for d in hooks.deliveries()] == ["applied"] * 5
