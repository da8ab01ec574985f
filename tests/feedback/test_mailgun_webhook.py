"""POST /webhooks/mailgun/<seller_key>: signed timestamp + token; old signatures and reused tokens refused."""
from datetime import timedelta

from crossborder_crm.feedback.mailgun import TOLERANCE_SECONDS
from tests.feedback.conftest import add_buyer, only_marketing_refused, sent_message
from tests.feedback.payloads import mailgun_event, mailgun_unsubscribed

TOKEN = "a8ce0edb2dd8301dee6c2405235584e45aa91d1e9f979f3de0"


def test_a_permanent_failure_suppresses_the_address_for_all_mail(feed):
    r = feed.mailgun(mailgun_event("failed", "ana@example.es"))
    assert r.status_code == 200 and r.json["stored"] == 1
    assert feed.suppression("ana@example.es") == ("hard_bounce", "all")


def test_a_temporary_failure_is_counted(feed):
    feed.mailgun(mailgun_event("failed", "ana@example.es", severity="temporary"))
    assert feed.events()[0].kind == "soft_bounce" and feed.suppression("ana@example.es") is None


def test_a_complaint_suppresses_marketing(feed):
    feed.mailgun(mailgun_event("complained", "ana@example.es", severity=None))
    assert feed.suppression("ana@example.es") == ("complaint", "marketing")


def test_an_unsubscribe_suppresses_marketing_only(feed, services, seller_a):
    buyer = add_buyer(services, seller_a.seller_id, "ana@example.es")
    r = feed.mailgun(mailgun_unsubscribed("ana@example.es"))
    assert r.status_code == 200 and r.json["stored"] == 1
    assert feed.suppression("ana@example.es") == ("unsubscribe", "marketing")
    assert only_marketing_refused(services, seller_a, buyer)


def test_an_unsubscribe_is_stored_as_an_unsubscribe_event(feed):
    feed.mailgun(mailgun_unsubscribed("ana@example.es"))
    [event] = feed.events()
    assert (event.kind, event.recipient, event.detail) == ("unsubscribe", "ana@example.es", "unsubscribed")


def test_a_delivered_event_is_ignored(feed):
    r = feed.mailgun(mailgun_event("delivered", "ana@example.es"))
    assert r.json["status"] == "ignored" and feed.events() == []


def test_a_wrong_signing_key_is_401_and_nothing_stored(feed):
    r = feed.mailgun(mailgun_event("failed", "ana@example.es"), key="key-not-the-sellers-signing-key")
    assert r.status_code == 401 and feed.events() == []


def test_a_retry_two_hours_later_with_its_original_signature_is_accepted(feed):
    r = feed.mailgun(mailgun_event("failed", "ana@example.es"), token=TOKEN, age=2 * 3600)
    assert r.status_code == 200 and r.json["stored"] == 1
    assert feed.suppression("ana@example.es") == ("hard_bounce", "all")


def test_a_late_retry_sent_again_is_a_duplicate(feed):
    feed.mailgun(mailgun_event("failed", "ana@example.es"), token=TOKEN, age=2 * 3600)
    again = feed.mailgun(mailgun_event("failed", "ana@example.es"), token=TOKEN, age=2 * 3600)
    assert again.json["status"] == "duplicate" and len(feed.events()) == 1


def test_a_forged_signature_two_hours_old_is_401(feed):
    r = feed.mailgun(mailgun_event("failed", "ana@example.es"), age=2 * 3600, key="key-not-the-sellers-signing-key")
    assert r.status_code == 401 and feed.events() == []


def test_a_signature_older_than_the_retry_window_is_401(feed):
    r = feed.mailgun(mailgun_event("failed", "ana@example.es"), age=TOLERANCE_SECONDS + 1)
    assert r.status_code == 401 and r.json["error"]["fields"] == {"signature": "timestamp too far from now"}
    assert feed.events() == []


def test_a_signature_dated_more_than_five_minutes_ahead_is_401(feed):
    r = feed.mailgun(mailgun_event("failed", "ana@example.es"), age=-301)
    assert r.status_code == 401 and feed.events() == []


def test_a_token_reused_for_another_event_is_401(feed):
    feed.mailgun(mailgun_event("delivered", "ana@example.es", event_id="evt-delivered"), token=TOKEN)
    r = feed.mailgun(mailgun_event("failed", "ana@example.es", event_id="evt-forged"), token=TOKEN)
    assert r.status_code == 401 and r.json["error"]["fields"] == {"signature": "token replayed"}
    assert feed.suppression("ana@example.es") is None


def test_a_token_is_still_refused_for_another_event_hours_after_its_first_use(feed, clock):
    feed.mailgun(mailgun_event("delivered", "ana@example.es", event_id="evt-delivered"), token=TOKEN)
    clock.advance(timedelta(hours=3))
    r = feed.mailgun(mailgun_event("failed", "ana@example.es", event_id="evt-forged"), token=TOKEN, age=3 * 3600)
    assert r.status_code == 401 and r.json["error"]["fields"] == {"signature": "token replayed"}


def test_a_retry_of_the_same_event_with_its_token_is_a_duplicate(feed):
    feed.mailgun(mailgun_event("failed", "ana@example.es"), token=TOKEN)
    again = feed.mailgun(mailgun_event("failed", "ana@example.es"), token=TOKEN)
    assert again.status_code == 200 and again.json["status"] == "duplicate"


def test_a_stored_event_sent_again_late_is_still_a_duplicate(feed):
    feed.mailgun(mailgun_event("failed", "ana@example.es"), token=TOKEN)
    late = feed.mailgun(mailgun_event("failed", "ana@example.es"), token=TOKEN, age=3600)
    assert late.status_code == 200 and late.json["status"] == "duplicate"


def test_a_body_without_a_signature_is_401(feed):
    r = feed.post("mailgun", b'{"event-data": {"event": "failed"}}', {"Content-Type": "application/json"})
    assert r.status_code == 401


def test_the_message_id_header_matches_our_message(feed, services, seller_a):
    buyer = add_buyer(services, seller_a.seller_id, "ana@example.es")
    msg = sent_message(services, seller_a, buyer.id, "ana@example.es")
    feed.mailgun(mailgun_event("failed", "ana@example.es", message_id=msg.rfc_message_id.strip("<>")))
    assert feed.events()[0].message_id == msg.id
