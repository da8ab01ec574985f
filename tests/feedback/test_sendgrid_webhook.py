"""POST /webhooks/sendgrid/<seller_key>: signed event batches (ECDSA)."""
import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from tests.feedback.conftest import add_buyer, only_marketing_refused, sent_message
from tests.feedback.keys import sendgrid_sign
from tests.feedback.payloads import dumps, sendgrid_event


def test_a_bounce_suppresses_the_address_for_all_mail(feed):
    r = feed.sendgrid([sendgrid_event("bounce", "ana@example.es", sg_event_id="sg-1", type="bounce",
                                      status="5.1.1", reason="550 5.1.1 unknown recipient")])
    assert r.status_code == 200 and r.json["stored"] == 1
    assert feed.suppression("ana@example.es") == ("hard_bounce", "all")


def test_a_blocked_bounce_counts_as_soft(feed):
    feed.sendgrid([sendgrid_event("bounce", "ana@example.es", sg_event_id="sg-1", type="blocked",
                                  status="4.0.0", reason="421 try later")])
    assert feed.events()[0].kind == "soft_bounce"


def test_a_spam_report_suppresses_marketing(feed):
    feed.sendgrid([sendgrid_event("spamreport", "ana@example.es", sg_event_id="sg-2")])
    assert feed.suppression("ana@example.es") == ("complaint", "marketing")


def test_an_unsubscribe_suppresses_marketing_only(feed, services, seller_a):
    buyer = add_buyer(services, seller_a.seller_id, "ana@example.es")
    feed.sendgrid([sendgrid_event("unsubscribe", "ana@example.es", sg_event_id="sg-u1")])
    assert feed.suppression("ana@example.es") == ("unsubscribe", "marketing")
    assert only_marketing_refused(services, seller_a, buyer)


def test_a_group_unsubscribe_suppresses_marketing_and_names_the_group(feed):
    feed.sendgrid([sendgrid_event("group_unsubscribe", "ana@example.es", sg_event_id="sg-u2", asm_group_id=42)])
    assert feed.suppression("ana@example.es") == ("unsubscribe", "marketing")
    assert (feed.events()[0].kind, feed.events()[0].detail) == ("unsubscribe", "group_unsubscribe · group 42")


def test_a_group_resubscribe_is_ignored_and_keeps_the_unsubscribe(feed):
    feed.sendgrid([sendgrid_event("group_unsubscribe", "ana@example.es", sg_event_id="sg-u2", asm_group_id=42)])
    r = feed.sendgrid([sendgrid_event("group_resubscribe", "ana@example.es", sg_event_id="sg-r2", asm_group_id=42)])
    assert (r.json["status"], r.json["ignored"]) == ("ignored", 1)
    assert feed.suppression("ana@example.es") == ("unsubscribe", "marketing")


def test_an_unsubscribe_delivered_twice_is_stored_once(feed):
    batch = [sendgrid_event("unsubscribe", "ana@example.es", sg_event_id="sg-u1")]
    feed.sendgrid(batch)
    assert feed.sendgrid(batch).json["status"] == "duplicate" and len(feed.events()) == 1


def test_a_forged_unsubscribe_is_401_and_nothing_suppressed(feed):
    other = ec.generate_private_key(ec.SECP256R1())
    r = feed.sendgrid([sendgrid_event("unsubscribe", "ana@example.es", sg_event_id="sg-u1")], signing_key=other)
    assert r.status_code == 401 and feed.events() == [] and feed.suppression("ana@example.es") is None


def test_each_event_of_a_batch_is_kept_on_its_own_and_others_are_counted_ignored(feed):
    r = feed.sendgrid([sendgrid_event("delivered", "bob@example.com", sg_event_id="sg-0"),
                       sendgrid_event("bounce", "ana@example.es", sg_event_id="sg-1", type="bounce"),
                       sendgrid_event("open", "bob@example.com", sg_event_id="sg-3")])
    assert (r.json["stored"], r.json["ignored"]) == (1, 2)
    assert feed.events()[0].raw.startswith(b'{"email":"ana@example.es"')


def test_a_batch_sent_again_is_a_duplicate(feed):
    batch = [sendgrid_event("bounce", "ana@example.es", sg_event_id="sg-1", type="bounce")]
    feed.sendgrid(batch)
    assert feed.sendgrid(batch).json["status"] == "duplicate" and len(feed.events()) == 1


def test_the_smtp_id_matches_our_message(feed, services, seller_a):
    buyer = add_buyer(services, seller_a.seller_id, "ana@example.es")
    msg = sent_message(services, seller_a, buyer.id, "ana@example.es")
    feed.sendgrid([sendgrid_event("bounce", "ana@example.es", sg_event_id="sg-1", type="bounce",
                                  smtp_id=msg.rfc_message_id)])
    assert feed.events()[0].message_id == msg.id


def test_a_batch_signed_with_another_key_is_401_and_nothing_stored(feed):
    other = ec.generate_private_key(ec.SECP256R1())
    r = feed.sendgrid([sendgrid_event("bounce", "ana@example.es", sg_event_id="sg-1")], signing_key=other)
    assert r.status_code == 401 and feed.events() == []


def test_a_changed_timestamp_breaks_the_signature(feed):
    body = dumps([sendgrid_event("bounce", "ana@example.es", sg_event_id="sg-1")])
    r = feed.post("sendgrid", body, {"X-Twilio-Email-Event-Webhook-Signature": sendgrid_sign("1773107910", body),
                                     "X-Twilio-Email-Event-Webhook-Timestamp": "1773107911"})
    assert r.status_code == 401 and feed.events() == []


@pytest.mark.parametrize("missing", ["X-Twilio-Email-Event-Webhook-Signature",
                                     "X-Twilio-Email-Event-Webhook-Timestamp"])
def test_a_missing_signature_header_is_401_naming_it(feed, missing):
    body = dumps([])
    headers = {"X-Twilio-Email-Event-Webhook-Signature": "MEUCIQ==", "X-Twilio-Email-Event-Webhook-Timestamp": "1"}
    del headers[missing]
    r = feed.post("sendgrid", body, headers)
    assert r.status_code == 401 and missing in r.json["error"]["fields"]


def test_a_signed_body_that_is_not_an_array_is_400(feed):
    r = feed.sendgrid([], body=b'{"event": "bounce"}')
    assert r.status_code == 400 and feed.events() == []
