"""POST /webhooks/ses/<seller_key>: SES notifications through the seller's SNS topic."""
from tests.feedback.conftest import add_buyer, sent_message
from tests.feedback.keys import CERT_URL
from tests.feedback.payloads import (
    SUBSCRIBE_URL,
    dumps,
    ses_bounce,
    ses_complaint,
    sns_envelope,
    sns_notification,
    sns_subscription,
)


def test_a_permanent_bounce_suppresses_the_address_for_all_mail(feed):
    r = feed.ses(sns_notification(ses_bounce("ana@example.es")))
    assert r.status_code == 200 and r.json["status"] == "processed"
    assert feed.suppression("ana@example.es") == ("hard_bounce", "all")


def test_the_event_is_stored_raw_with_what_was_done(feed):
    envelope = sns_notification(ses_bounce("ana@example.es"))
    feed.ses(envelope)
    [event] = feed.events()
    assert (event.source, event.kind, event.action) == ("ses", "hard_bounce", "suppressed_all")
    assert event.raw == dumps(envelope)
    assert event.event_id == "0102018e2b3c-bounce-1"


def test_a_complaint_suppresses_marketing_only(feed):
    feed.ses(sns_notification(ses_complaint("ana@example.es"), message_id="sns-2"))
    assert feed.suppression("ana@example.es") == ("complaint", "marketing")


def test_a_transient_bounce_is_counted_not_suppressed(feed):
    feed.ses(sns_notification(ses_bounce("ana@example.es", "Transient")))
    assert feed.suppression("ana@example.es") is None
    assert feed.events()[0].action == "counted"


def test_the_bounce_is_matched_through_the_original_message_id(feed, services, seller_a):
    buyer = add_buyer(services, seller_a.seller_id, "ana@example.es")
    msg = sent_message(services, seller_a, buyer.id, "ana@example.es")
    feed.ses(sns_notification(ses_bounce("ana@example.es", message_id=msg.rfc_message_id)))
    [event] = feed.events()
    assert (event.message_id, event.buyer_id) == (msg.id, buyer.id)


def test_a_repeated_notification_is_acknowledged_and_stored_once(feed):
    envelope = sns_notification(ses_bounce("ana@example.es"))
    feed.ses(envelope)
    again = feed.ses(envelope)
    assert again.status_code == 200 and again.json["status"] == "duplicate"
    assert len(feed.events()) == 1


def test_a_wrong_signature_is_401_and_nothing_is_stored(feed):
    envelope = sns_notification(ses_bounce("ana@example.es"))
    envelope["Signature"] = sns_notification(ses_bounce("bob@example.es"))["Signature"]
    r = feed.ses(envelope)
    assert r.status_code == 401 and feed.events() == []
    assert feed.suppression("ana@example.es") is None


def test_a_missing_signature_is_401(feed):
    envelope = sns_notification(ses_bounce("ana@example.es"))
    del envelope["Signature"]
    assert feed.ses(envelope).status_code == 401


def test_a_topic_the_seller_did_not_set_is_401_before_any_fetch(feed, fetcher):
    other = "arn:aws:sns:eu-west-1:999999999999:someone-elses-topic"
    r = feed.ses(sns_notification(ses_bounce("ana@example.es"), topic=other))
    assert r.status_code == 401 and r.json["error"]["fields"] == {"TopicArn": "not set in Settings"}
    assert fetcher.calls == []


def test_a_subscription_is_confirmed_by_getting_its_url(feed, fetcher):
    r = feed.ses(sns_subscription())
    assert r.status_code == 200 and r.json["status"] == "subscribed"
    assert fetcher.calls == [CERT_URL, SUBSCRIBE_URL]
    assert [e.kind for e in feed.events()] == ["subscription"]


def test_a_subscription_with_a_foreign_subscribe_url_is_refused(feed, fetcher):
    r = feed.ses(sns_subscription(subscribe_url="https://attacker.example/confirm"))
    assert r.status_code == 401 and "https://attacker.example/confirm" not in fetcher.calls
    assert feed.events() == []


def test_a_signature_version_2_message_is_accepted(feed):
    assert feed.ses(sns_notification(ses_bounce("ana@example.es"), version="2")).json["status"] == "processed"


def test_a_delivery_notification_on_the_topic_is_ignored(feed):
    delivery = {"notificationType": "Delivery", "mail": {"messageId": "x"}, "delivery": {"recipients": ["a@b.es"]}}
    r = feed.ses(sns_notification(delivery))
    assert r.json == {"status": "ignored", "stored": 0, "duplicates": 0, "ignored": 1}


def test_a_body_that_is_not_an_sns_message_is_400(feed):
    r = feed.ses(sns_envelope("Notification", "{}") | {"Type": "Bogus"})
    assert r.status_code == 400 and feed.events() == []


def test_another_sellers_topic_does_not_reach_this_seller(feed, services, seller_b):
    r = feed.ses(sns_notification(ses_bounce("ana@example.es")), key=seller_b.seller_key)
    assert r.status_code == 401  # seller B has no SES topic set


def test_nothing_is_suppressed_for_another_seller(feed, services, seller_b):
    feed.ses(sns_notification(ses_bounce("ana@example.es")))
    assert feed.suppression("ana@example.es", seller_id=seller_b.seller_id) is None
