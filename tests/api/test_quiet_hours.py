"""A send time the seller gives inside the buyer's quiet hours is refused (422 on send_at, saying which
hours and how to override) unless the request says `"override_quiet_hours": true`; then the
message's explanation says so. "best" never lands in quiet hours and needs nothing."""
from __future__ import annotations

from sqlalchemy import update

from crossborder_crm.accounts.models import Seller
from crossborder_crm.outbox.models import Message
from tests.outbox.helpers import new_buyer, schedule

LATE = {"local": "2026-03-12T23:30"}  # Madrid; the default quiet hours are 21:30–08:30 buyer's time


def post(api, buyer_id, **fields):
    return api.post("/messages", {"buyer_id": buyer_id, "subject": "Hola", "body": "x", **fields})


def stored(services, message_id) -> Message:
    with services.db.reading() as s:
        return s.get(Message, message_id)


def test_a_local_time_in_the_buyers_quiet_hours_is_422_on_send_at_saying_which_hours(api_a):
    buyer = new_buyer(api_a)
    r = post(api_a, buyer["id"], send_at=LATE)
    assert r.status_code == 422
    assert r.get_json()["error"]["fields"] == {"send_at": (
        "2026-03-12T23:30 in Europe/Madrid is inside the buyer's quiet hours (21:30–08:30 their time): choose "
        "another time, or send \"override_quiet_hours\": true to send it anyway")}
    assert api_a.get("/messages").get_json()["items"] == []


def test_an_instant_in_the_buyers_quiet_hours_is_422_on_send_at(api_a):
    buyer = new_buyer(api_a)
    r = post(api_a, buyer["id"], send_at="2026-03-12T06:00:00Z")  # 07:00 in Madrid
    assert r.status_code == 422
    assert "2026-03-12T07:00 in Europe/Madrid" in r.get_json()["error"]["fields"]["send_at"]


def test_the_quiet_hours_are_the_buyers_local_ones(api_a):
    tokyo = new_buyer(api_a, name="Yuko", email="yuko@example.jp", country="JP")
    # 14:30 UTC is 15:30 in Madrid but 23:30 in Tokyo.
    assert post(api_a, tokyo["id"], send_at="2026-03-12T14:30:00Z").status_code == 422


def test_the_quiet_hours_are_the_sellers_settings(api_a, services, seller_a):
    with services.db.transaction() as s:
        s.execute(update(Seller).where(Seller.id == seller_a.seller_id).values(quiet_start="23:45", quiet_end="07:00"))
    buyer = new_buyer(api_a)
    assert schedule(api_a, buyer["id"], send_at=LATE)["scheduled_local"]["time"] == "2026-03-12T23:30+01:00"


def test_with_override_it_is_scheduled_and_the_explanation_says_so(api_a, services):
    buyer = new_buyer(api_a)
    msg = schedule(api_a, buyer["id"], send_at=LATE, override_quiet_hours=True)
    assert msg["scheduled_local"]["time"] == "2026-03-12T23:30+01:00"
    assert msg["explanation"] == ("seller chose 2026-03-12T23:30 in Europe/Madrid, inside the buyer's quiet hours "
                                  "(21:30–08:30): the seller chose to send it anyway")
    assert stored(services, msg["id"]).explanation_data == {
        "code": "seller_local_quiet_override", "local": "2026-03-12T23:30", "tz": "Europe/Madrid",
        "quiet": ["21:30", "08:30"]}


def test_an_instant_with_override_has_its_own_code(api_a, services):
    buyer = new_buyer(api_a)
    msg = schedule(api_a, buyer["id"], send_at="2026-03-12T06:00:00Z", override_quiet_hours=True)
    assert stored(services, msg["id"]).explanation_data["code"] == "seller_instant_quiet_override"


def test_an_override_outside_quiet_hours_changes_nothing(api_a, services):
    buyer = new_buyer(api_a)
    msg = schedule(api_a, buyer["id"], send_at={"local": "2026-03-12T19:00"}, override_quiet_hours=True)
    assert stored(services, msg["id"]).explanation_data["code"] == "seller_local"


def test_override_must_be_a_boolean(api_a):
    buyer = new_buyer(api_a)
    r = post(api_a, buyer["id"], send_at=LATE, override_quiet_hours="yes")
    assert r.status_code == 422 and "override_quiet_hours" in r.get_json()["error"]["fields"]


def test_best_needs_no_override_even_when_it_is_night_for_the_buyer(api_a):
    buyer = new_buyer(api_a)  # the clock is 03:00 in Madrid
    for kind in ("transactional", "conversation"):
        msg = schedule(api_a, buyer["id"], kind=kind, send_at="best")
        assert "08:30" <= msg["scheduled_local"]["time"][11:16] < "21:30"


def test_reschedule_into_quiet_hours_is_422_and_leaves_the_message_as_it_was(api_a):
    buyer = new_buyer(api_a)
    msg = schedule(api_a, buyer["id"], send_at={"local": "2026-03-12T19:00"})
    r = api_a.post(f"/messages/{msg['id']}/reschedule", {"send_at": LATE})
    assert r.status_code == 422 and "quiet hours (21:30–08:30" in r.get_json()["error"]["fields"]["send_at"]
    assert api_a.get(f"/messages/{msg['id']}").get_json() == msg


def test_reschedule_into_quiet_hours_with_override_moves_it(api_a, services):
    buyer = new_buyer(api_a)
    msg = schedule(api_a, buyer["id"], send_at={"local": "2026-03-12T19:00"})
    r = api_a.post(f"/messages/{msg['id']}/reschedule", {"send_at": LATE, "override_quiet_hours": True})
    assert r.status_code == 200
    assert r.get_json()["scheduled_local"]["time"] == "2026-03-12T23:30+01:00"
    assert stored(services, msg["id"]).explanation_data["code"] == "seller_local_quiet_override"


def test_the_override_is_in_the_openapi_document(client):
    schemas = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    for name in ("MessageCreate", "MessageReschedule"):
        prop = schemas[name]["properties"]["override_quiet_hours"]
        assert prop["type"] == "boolean" and prop["default"] is False and "quiet hours" in prop["description"]
