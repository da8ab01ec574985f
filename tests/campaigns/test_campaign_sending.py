"""Campaign emails through the real dispatcher and SMTP: the offer's local end, one-click unsubscribe,
the campaign frame."""
from __future__ import annotations

from datetime import timedelta

from crossborder_crm.campaigns.lifecycle import launch_campaign
from crossborder_crm.i18n.translator import FakeTranslator
from crossborder_crm.outbox.dispatcher import OFFER_ENDED
from crossborder_crm.outbox.sender import update_sender
from tests.campaigns.campaign_helpers import add_buyer, content, create, launch, messages
from tests.outbox.helpers import dispatch, parse, smtp_services
from tests.outbox.test_tracking import BROWSER


def _at_send_time(services, msg, extra=timedelta(0)):
    services.clock.set(msg.scheduled_at + extra)


def _sale_to_amy(api, services):
    """A sale ending 11 March at noon in each buyer's zone, planned for one US buyer: (campaign, message)."""
    add_buyer(api, "Amy", "US")
    made = create(api, kind="sale", offer={"starts_on": "2026-03-10", "ends_at": "2026-03-11T12:00"},
                  content=content(subject="Ends {ends}"))
    launch(api, made["id"])
    (msg,) = messages(services, made["id"])
    return made, msg


def test_a_sale_email_due_after_the_buyers_local_end_is_not_sent(api_a, services, sink):
    made, msg = _sale_to_amy(api_a, services)
    services.clock.set(msg.scheduled_at + timedelta(days=2))  # a worker was down past the end
    assert dispatch(smtp_services(services, sink)).suppressed == 1
    assert sink.messages == []
    assert messages(services, made["id"])[0].last_error == OFFER_ENDED


def test_a_sale_email_due_before_the_end_goes_out(api_a, services, sink):
    _, msg = _sale_to_amy(api_a, services)
    _at_send_time(services, msg)
    assert dispatch(smtp_services(services, sink)).sent == 1
    assert parse(sink.messages[0][2])["Subject"] == "Ends Mar 11, 2026, 12:00\u202fPM"


def test_a_one_click_unsubscribe_stops_the_next_campaign_email(api_a, client, services, sink):
    add_buyer(api_a, "Amy", "US")
    first, second = create(api_a, name="A"), create(api_a, name="B", send_on="2026-03-12")
    launch(api_a, first["id"])
    launch(api_a, second["id"])
    svc = smtp_services(services, sink)
    _at_send_time(services, messages(services, first["id"])[0])
    assert dispatch(svc).sent == 1
    mail = parse(sink.messages[0][2])
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = mail["List-Unsubscribe"].split("<")[1].split(">")[0]
    assert client.post(url.replace("http://127.0.0.1:5000", ""), data={"List-Unsubscribe": "One-Click"}
                       ).status_code == 200
    _at_send_time(services, messages(services, second["id"])[0])
    assert dispatch(svc).suppressed == 1
    assert len(sink.messages) == 1
    assert messages(services, second["id"])[0].last_error == "buyer unsubscribed"


def test_a_campaign_email_carries_the_product_and_the_sellers_footer(api_a, services, sink):
    add_buyer(api_a, "Amy", "US")
    made = create(api_a, kind="launch", product={"name": "Jasmine tea", "url": "https://shop.example/jasmine",
                                                 "image_url": "https://shop.example/jasmine.jpg"},
                  content=content(subject="New: {product}", body="Hello {name}, meet {product}."))
    launch(api_a, made["id"])
    _at_send_time(services, messages(services, made["id"])[0])
    dispatch(smtp_services(services, sink))
    mail = parse(sink.messages[0][2])
    html = mail.get_body(("html",)).get_content()
    text = mail.get_body(("plain",)).get_content()
    assert 'href="https://shop.example/jasmine"' in html and "jasmine.jpg" in html
    assert "Hello Amy, meet Jasmine tea." in text and "Jasmine tea: https://shop.example/jasmine" in text
    assert "Unsubscribe" in text and "Shop A" in text


def test_a_machine_translated_version_tells_the_buyer(api_a, services, seller_a, sink):
    add_buyer(api_a, "Hans", "DE", language="de-DE")
    made = create(api_a, content=content(subject="Hello {name}"))
    launch_campaign(services.db, services.clock, seller_a.seller_id, made["id"], mail_domain="crm.example",
                    translator=FakeTranslator())
    (msg,) = messages(services, made["id"])
    assert msg.subject == "[de] Hello Hans"
    _at_send_time(services, msg)
    dispatch(smtp_services(services, sink))
    text = parse(sink.messages[0][2]).get_body(("plain",)).get_content()
    assert "Diese E-Mail wurde automatisch übersetzt" in text


def _tracked_email(api, services, seller_id, sink):
    update_sender(services.db, services.clock, services.box, seller_id, {"track_engagement": True})
    add_buyer(api, "Amy", "US")
    made = create(api, kind="launch", product={"name": "Jasmine tea", "url": "https://shop.example/jasmine"})
    launch(api, made["id"])
    _at_send_time(services, messages(services, made["id"])[0])
    dispatch(smtp_services(services, sink))
    return made["id"], parse(sink.messages[0][2]).get_body(("html",)).get_content()


def _path(html: str, marker: str) -> str:
    start = html.index("http://127.0.0.1:5000" + marker)
    return html[start:html.index('"', start)].replace("http://127.0.0.1:5000", "").replace("&amp;", "&")


def test_a_tracked_email_counts_a_persons_open_and_click_and_sends_them_on(api_a, client, services, seller_a, sink):
    cid, html = _tracked_email(api_a, services, seller_a.seller_id, sink)
    services.clock.advance(timedelta(minutes=5))
    assert client.get(_path(html, "/t/o/"), headers={"User-Agent": BROWSER}).mimetype == "image/gif"
    r = client.get(_path(html, "/t/c/"), headers={"User-Agent": BROWSER})
    assert (r.status_code, r.headers["Location"]) == (302, "https://shop.example/jasmine")
    tracking = api_a.get(f"/campaigns/{cid}/results").get_json()["tracking"]
    assert tracking == {"on": True, "opened": 1, "clicked": 1, "machine_events": 0}


def test_a_scanner_fetching_the_pixel_at_delivery_is_not_an_open(api_a, client, services, seller_a, sink):
    cid, html = _tracked_email(api_a, services, seller_a.seller_id, sink)
    client.get(_path(html, "/t/o/"), headers={"User-Agent": BROWSER})
    tracking = api_a.get(f"/campaigns/{cid}/results").get_json()["tracking"]
    assert (tracking["opened"], tracking["machine_events"]) == (0, 1)


def test_a_forged_click_link_redirects_nowhere(client):
    assert client.get("/t/c/not-a-token").status_code == 404


def test_without_tracking_an_email_has_no_pixel_and_its_links_go_straight(api_a, services, sink):
    add_buyer(api_a, "Amy", "US")
    made = create(api_a, kind="launch", product={"name": "Jasmine tea", "url": "https://shop.example/jasmine"})
    launch(api_a, made["id"])
    _at_send_time(services, messages(services, made["id"])[0])
    dispatch(smtp_services(services, sink))
    html = parse(sink.messages[0][2]).get_body(("html",)).get_content()
    assert "/t/o/" not in html and 'href="https://shop.example/jasmine"' in html
    assert api_a.get(f"/campaigns/{made['id']}/results").get_json()["tracking"]["opened"] is None
