"""A bounce reported by a provider stops the mail still queued for that address."""
from tests.feedback.payloads import postmark_bounce
from tests.outbox.helpers import at, dispatch, new_buyer, schedule


def test_a_message_queued_for_a_hard_bounced_address_ends_suppressed(feed, api_a, services, clock):
    buyer = new_buyer(api_a, email="lucia@example.es")
    queued = schedule(api_a, buyer["id"], send_at="2026-03-12T18:00:00+00:00")
    assert feed.postmark(postmark_bounce("lucia@example.es")).status_code == 200
    at(clock, "2026-03-12T18:00:00Z")
    dispatch(services)
    assert api_a.get(f"/messages/{queued['id']}").get_json()["status"] == "suppressed"
