"""What every provider endpoint shares: unknown sellers, missing credentials, size, bad JSON, tenants."""
import base64
import threading

from tests.feedback.conftest import give_credentials
from tests.feedback.payloads import dumps, postmark_bounce


def test_an_unknown_seller_key_is_404(feed):
    assert feed.postmark(postmark_bounce("ana@example.es"), key="nosuchseller").status_code == 404


def test_a_seller_without_the_providers_credential_is_401(feed, seller_b):
    r = feed.postmark(postmark_bounce("ana@example.es"), key=seller_b.seller_key)
    assert r.status_code == 401 and "credential" in r.json["error"]["fields"]


def test_another_sellers_postmark_password_does_not_authenticate(feed, services, seller_b):
    give_credentials(services, seller_b)
    r = feed.postmark(postmark_bounce("ana@example.es"), key=seller_b.seller_key)  # A's password, B's URL
    assert r.status_code == 401


def test_malformed_json_with_valid_credentials_is_400_and_nothing_stored(feed):
    auth = base64.b64encode(f"postmark:{feed.postmark_password}".encode()).decode()
    r = feed.post("postmark", b'{"RecordType": "Bounce",', {"Authorization": f"Basic {auth}"})
    assert r.status_code == 400 and r.json["error"]["code"] == "malformed" and feed.events() == []


def test_a_body_over_one_mib_is_413_and_not_stored(feed):
    payload = postmark_bounce("ana@example.es")
    payload["Content"] = "x" * (1024 * 1024)
    r = feed.postmark(payload)
    assert r.status_code == 413 and feed.events() == []


def test_the_marketplace_webhooks_still_answer_beside_these(feed):
    r = feed.post("shopify", dumps({"id": 1}), {"X-Shopify-Topic": "orders/create"})
    assert r.status_code == 401  # reached the marketplaces endpoint, which wants its own signature


def test_get_is_not_allowed(feed):
    assert feed.client.get(f"/webhooks/ses/{feed.seller.seller_key}").status_code == 405


def test_the_same_event_from_two_threads_is_stored_once(feed, app):
    body = dumps(postmark_bounce("ana@example.es"))
    auth = base64.b64encode(f"postmark:{feed.postmark_password}".encode()).decode()
    barrier = threading.Barrier(2)
    answers = []

    def send():
        client = app.test_client()
        barrier.wait()
        answers.append(client.post(f"/webhooks/postmark/{feed.seller.seller_key}", data=body,
                                   headers={"Authorization": f"Basic {auth}"}).json["status"])

    threads = [threading.Thread(target=send) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(answers) == ["duplicate", "processed"] and len(feed.events()) == 1
