"""POST /webhooks/postmark/<seller_key>: bounces, spam complaints and unsubscribes behind basic auth."""
import pytest

from tests.feedback.conftest import add_buyer, only_marketing_refused, sent_message
from tests.feedback.payloads import dsn, postmark_bounce, postmark_complaint, postmark_subscription_change


def test_a_hard_bounce_suppresses_the_address_for_all_mail(feed):
    r = feed.postmark(postmark_bounce("ana@example.es"))
    assert r.status_code == 200 and r.json["stored"] == 1
    assert feed.suppression("ana@example.es") == ("hard_bounce", "all")


def test_a_spam_complaint_suppresses_marketing(feed):
    feed.postmark(postmark_complaint("ana@example.es"))
    assert feed.suppression("ana@example.es") == ("complaint", "marketing")


def test_a_soft_bounce_is_counted(feed):
    feed.postmark(postmark_bounce("ana@example.es", "SoftBounce"))
    assert feed.events()[0].kind == "soft_bounce" and feed.suppression("ana@example.es") is None


def test_an_auto_responder_is_ignored_and_not_stored(feed):
    r = feed.postmark(postmark_bounce("ana@example.es", "AutoResponder"))
    assert r.json["status"] == "ignored" and feed.events() == []


def test_a_wrong_password_is_401_with_a_basic_challenge_and_nothing_stored(feed):
    r = feed.postmark(postmark_bounce("ana@example.es"), password="not-the-password")
    assert r.status_code == 401 and r.headers["WWW-Authenticate"].startswith("Basic")
    assert feed.events() == [] and feed.suppression("ana@example.es") is None


def test_a_wrong_user_name_is_401(feed):
    assert feed.postmark(postmark_bounce("ana@example.es"), user="admin").status_code == 401


def test_no_credentials_is_401(feed):
    r = feed.post("postmark", b"{}", {"Content-Type": "application/json"})
    assert r.status_code == 401 and r.json["error"]["fields"] == {"Authorization": "missing"}


def test_the_same_bounce_id_again_is_a_duplicate(feed):
    feed.postmark(postmark_bounce("ana@example.es"))
    assert feed.postmark(postmark_bounce("ana@example.es")).json["status"] == "duplicate"
    assert len(feed.events()) == 1


def test_a_bounce_without_an_address_is_400(feed):
    r = feed.postmark(postmark_bounce("not-an-address"))
    assert r.status_code == 400 and feed.events() == []


def test_the_bounce_dump_names_our_message(feed, services, seller_a):
    buyer = add_buyer(services, seller_a.seller_id, "ana@example.es")
    msg = sent_message(services, seller_a, buyer.id, "ana@example.es")
    dump = dsn("postfix_user_unknown.eml", "ana@example.es", msg.rfc_message_id, msg.id).decode()
    feed.postmark(postmark_bounce("ana@example.es", content=dump))
    assert feed.events()[0].message_id == msg.id


def test_an_unsubscribe_suppresses_marketing_only(feed, services, seller_a):
    buyer = add_buyer(services, seller_a.seller_id, "ana@example.es")
    r = feed.postmark(postmark_subscription_change("ana@example.es"))
    assert r.status_code == 200 and r.json["stored"] == 1
    assert feed.suppression("ana@example.es") == ("unsubscribe", "marketing")
    assert only_marketing_refused(services, seller_a, buyer)


def test_an_unsubscribe_delivered_twice_is_stored_once(feed):
    feed.postmark(postmark_subscription_change("ana@example.es"))
    assert feed.postmark(postmark_subscription_change("ana@example.es")).json["status"] == "duplicate"
    assert len(feed.events()) == 1


def test_a_forged_unsubscribe_is_401_and_nothing_suppressed(feed):
    r = feed.postmark(postmark_subscription_change("ana@example.es"), password="not-the-password")
    assert r.status_code == 401 and feed.events() == [] and feed.suppression("ana@example.es") is None


def test_a_reactivation_is_ignored_and_keeps_the_unsubscribe(feed):
    feed.postmark(postmark_subscription_change("ana@example.es"))
    r = feed.postmark(postmark_subscription_change("ana@example.es", suppress=False,
                                                   changed_at="2026-03-11T09:00:00.000000Z"))
    assert r.json["status"] == "ignored" and len(feed.events()) == 1
    assert feed.suppression("ana@example.es") == ("unsubscribe", "marketing")


@pytest.mark.parametrize("reason", ["HardBounce", "SpamComplaint"])
def test_a_suppression_that_repeats_a_bounce_or_complaint_record_is_ignored(feed, reason):
    r = feed.postmark(postmark_subscription_change("ana@example.es", reason=reason))
    assert r.json["status"] == "ignored" and feed.events() == []


def test_an_unsubscribe_without_a_recipient_address_is_400(feed):
    r = feed.postmark(postmark_subscription_change("not-an-address"))
    assert r.status_code == 400 and r.json["error"]["fields"] == {"Recipient": "expected an email address"}
