"""POST/GET /api/v1/messages: scheduling at the buyer's best moment, idempotency, errors."""
from __future__ import annotations

import pytest

from tests.outbox.helpers import new_buyer, schedule


def test_best_send_at_answers_instant_local_time_and_explanation(api_a):
    buyer = new_buyer(api_a)  # Madrid; the clock is Tue 2026-03-10 03:00 Madrid
    r = api_a.post("/messages", {"buyer_id": buyer["id"], "subject": "Hola", "body": "¿Qué tal?", "send_at": "best"})
    assert r.status_code == 201
    body = r.get_json()
    assert body["status"] == "scheduled"
    assert body["scheduled_local"]["timezone"] == "Europe/Madrid"
    hour = int(body["scheduled_local"]["time"][11:13])
    assert 8 <= hour < 22  # never in the default quiet hours 21:30–08:30
    assert body["scheduled_at"].endswith("Z") and body["explanation"]


def test_explicit_instant_is_kept(api_a):
    buyer = new_buyer(api_a)
    body = schedule(api_a, buyer["id"], send_at="2026-03-12T18:00:00+01:00")
    assert body["scheduled_at"] == "2026-03-12T17:00:00Z"
    assert body["scheduled_local"]["time"] == "2026-03-12T18:00+01:00"


def test_same_idempotency_key_returns_the_existing_message_with_200(api_a):
    buyer = new_buyer(api_a)
    payload = {"buyer_id": buyer["id"], "subject": "Hi", "body": "x", "idempotency_key": "order-77-thanks"}
    first = api_a.post("/messages", payload)
    second = api_a.post("/messages", payload)
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.get_json()["id"] == second.get_json()["id"]
    assert len(api_a.get("/messages").get_json()["items"]) == 1


def test_message_id_is_derived_from_the_idempotency_key(api_a):
    buyer = new_buyer(api_a)
    a = schedule(api_a, buyer["id"], idempotency_key="k-1")
    assert a["message_id"].startswith("<") and a["message_id"].endswith(">")
    api_a.post(f"/messages/{a['id']}/cancel")
    assert schedule(api_a, buyer["id"], idempotency_key="k-1")["message_id"] == a["message_id"]


@pytest.mark.parametrize("patch,field", [
    ({"buyer_id": 0}, "buyer_id"), ({"subject": ""}, "subject"), ({"subject": "a\r\nBcc: x@y"}, "subject"),
    ({"send_at": "tomorrow"}, "send_at"), ({"send_at": "2026-03-12T18:00:00"}, "send_at"),
    ({"send_at": {"local": "2026-03-12 18:00"}}, "send_at"), ({"kind": "spam"}, "kind"),
    ({"send_at": "2020-01-01T00:00:00Z"}, "send_at"),
])
def test_invalid_message_is_422_naming_the_field(api_a, patch, field):
    buyer = new_buyer(api_a)
    r = api_a.post("/messages", {"buyer_id": buyer["id"], "subject": "Hi", "body": "x", **patch})
    assert r.status_code == 422, r.get_json()
    assert any(k.split(".")[0] == field for k in r.get_json()["error"]["fields"]), r.get_json()
    assert api_a.get("/messages").get_json()["items"] == []


def test_message_to_another_sellers_buyer_is_404(api_a, api_b):
    buyer = new_buyer(api_a)
    r = api_b.post("/messages", {"buyer_id": buyer["id"], "subject": "Hi", "body": "x"})
    assert r.status_code == 404


def test_other_seller_cannot_see_or_cancel_a_message(api_a, api_b):
    buyer = new_buyer(api_a)
    msg = schedule(api_a, buyer["id"])
    assert api_b.get(f"/messages/{msg['id']}").status_code == 404
    assert api_b.post(f"/messages/{msg['id']}/cancel").status_code == 404
    assert api_b.get("/messages").get_json()["items"] == []
    assert api_a.get(f"/messages/{msg['id']}").get_json()["status"] == "scheduled"


def test_list_filters_by_status_and_buyer(api_a):
    b1, b2 = new_buyer(api_a), new_buyer(api_a, email="x@example.fr", country="FR")
    m1 = schedule(api_a, b1["id"])
    schedule(api_a, b2["id"])
    api_a.post(f"/messages/{m1['id']}/cancel")
    assert [m["id"] for m in api_a.get("/messages?status=cancelled").get_json()["items"]] == [m1["id"]]
    assert len(api_a.get(f"/messages?buyer_id={b2['id']}").get_json()["items"]) == 1
    assert api_a.get("/messages?status=lost").status_code == 422


def test_reschedule_moves_the_message(api_a):
    buyer = new_buyer(api_a)
    msg = schedule(api_a, buyer["id"])
    r = api_a.post(f"/messages/{msg['id']}/reschedule", {"send_at": {"local": "2026-03-20T19:00"}})
    assert r.status_code == 200
    assert r.get_json()["scheduled_local"]["time"] == "2026-03-20T19:00+01:00"


def test_cancelling_twice_is_409(api_a):
    buyer = new_buyer(api_a)
    msg = schedule(api_a, buyer["id"])
    api_a.post(f"/messages/{msg['id']}/cancel")
    assert api_a.post(f"/messages/{msg['id']}/cancel").status_code == 409


def test_messages_are_in_the_openapi_document(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    assert "post" in doc["paths"]["/api/v1/messages"]
    assert "MessageCreate" in doc["components"]["schemas"]


def test_control_characters_are_removed_from_the_subject(api_a):
    buyer = new_buyer(api_a)
    msg = schedule(api_a, buyer["id"], subject="Your\x00 order\x0b is\x0c ready\x7f")
    assert msg["subject"] == "Your order is ready"


def test_a_subject_of_only_control_characters_is_422_naming_it(api_a):
    buyer = new_buyer(api_a)
    r = api_a.post("/messages", {"buyer_id": buyer["id"], "subject": "\x00\x0b", "body": "x"})
    assert r.status_code == 422 and "subject" in r.get_json()["error"]["fields"]
