"""/api/v1/drafts: a complaint in, the reply the best after-sales agent would write out, in the buyer's
language and the seller's; then edit, approve, send through the outbox."""
from __future__ import annotations

from sqlalchemy import select

from crossborder_crm.buyers.models import Buyer, Order
from crossborder_crm.i18n.translation_cache import CachedTranslator
from crossborder_crm.i18n.translator import FakeTranslator

MADRID_SCANS = [{"at": "2026-03-03T09:00:00Z", "status": "in_transit", "location": "Shenzhen", "country": "CN"},
                {"at": "2026-03-06T22:00:00Z", "status": "arrived_destination", "location": "Madrid", "country": "ES"}]


def spanish_order(api, *, scans=MADRID_SCANS, email="lucia@example.es", language=None):
    buyer = api.post("/buyers", {"name": "Lucía García", "email": email, "country": "ES",
                                 **({"language": language} if language else {})}).get_json()
    order = api.post(f"/buyers/{buyer['id']}/orders", {
        "marketplace": "shopify", "external_id": "5001", "reference": "#1001",
        "placed_at": "2026-03-01T10:00:00Z", "currency": "EUR",
        "items": [{"title": "Juego de té", "unit_price": "45.00"}]}).get_json()
    if scans is not None:
        r = api.post("/shipments", {"tracking_number": "RR123", "order_id": order["id"], "carrier_name": "Correos",
                                    "shipped_at": "2026-03-02T08:00:00Z", "checkpoints": scans})
        assert r.status_code == 201, r.get_json()
    return buyer, order


DISPUTE = "Hace semanas que pedí el juego de té y todavía no ha llegado. ¿Dónde está mi paquete?"


def draft(api, **body):
    r = api.post("/drafts", {"kind": "dispute", "text": DISPUTE, **body})
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def test_a_spanish_dispute_is_understood_and_answered_in_spanish_with_english_beside_it(api_a):
    spanish_order(api_a)
    d = draft(api_a, order_ref="#1001")
    assert (d["language"][:2], d["category"], d["status"]) == ("es", "not_received", "new")
    assert d["reply"]["buyer_language"]["locale"] == "es"
    assert "Lucía García" in d["reply"]["buyer_language"]["body"].splitlines()[0]
    assert d["reply"]["seller_language"]["locale"] == "en"
    assert d["reply"]["seller_language"]["body"].startswith("Dear Lucía García,")
    assert d["machine_translated"] is False


def test_the_reply_is_specific_about_where_the_parcel_is(api_a):
    spanish_order(api_a)
    english = draft(api_a, order_ref="#1001")["reply"]["seller_language"]["body"]
    assert "The last scan shows it in Madrid on March 6, 2026." in english
    assert "Correos" in english


def test_the_facts_come_from_the_database(api_a):
    _, order = spanish_order(api_a)
    facts = draft(api_a, order_ref="#1001")["facts"]
    assert facts["order"]["id"] == order["id"] and facts["order"]["reference"] == "#1001"
    assert facts["shipment"]["carrier"] == "Correos" and facts["shipment"]["last_location"] == "Madrid"
    assert facts["shipment"]["days_in_transit"] == 7  # 2 March 08:00 to the clock's 10 March 02:00: 7 whole days


def test_a_parcel_moving_on_time_is_promised_a_date(api_a):
    spanish_order(api_a)
    remedy = draft(api_a, order_ref="#1001")["remedy"]
    assert remedy["key"] == "wait" and remedy["promise"]


def test_the_buyer_alone_finds_their_latest_order(api_a):
    buyer, order = spanish_order(api_a)
    assert draft(api_a, buyer_id=buyer["id"])["order_id"] == order["id"]


def test_a_review_gets_a_public_reply_in_both_languages(api_a):
    spanish_order(api_a)
    d = draft(api_a, kind="review", rating=1, order_ref="#1001",
              text="El paquete llegó roto, la tetera estaba rota en pedazos.")
    assert d["category"] == "damaged"
    assert d["public_reply"]["buyer_language"]["text"] and d["public_reply"]["seller_language"]["text"]
    assert "Lucía" not in d["public_reply"]["buyer_language"]["text"]


def test_a_message_has_no_public_reply(api_a):
    spanish_order(api_a)
    assert draft(api_a, kind="message", order_ref="#1001")["public_reply"] is None


def test_a_dispute_flags_the_order_and_a_bad_review_the_buyer(api_a, services):
    buyer, order = spanish_order(api_a)
    draft(api_a, order_ref="#1001")
    draft(api_a, kind="review", rating=2, order_ref="#1001", text="Muy mala calidad.")
    with services.db.reading() as s:
        assert s.scalar(select(Order.dispute_open).where(Order.id == order["id"])) is True
        assert s.scalar(select(Buyer.last_negative_review_at).where(Buyer.id == buyer["id"])) is not None


def test_a_language_without_phrases_is_machine_translated_and_marked(api_a, services):
    services.translator = CachedTranslator(FakeTranslator(), services.db, services.clock)
    buyer = api_a.post("/buyers", {"name": "Astrid", "email": "astrid@example.se", "country": "SE"}).get_json()
    d = draft(api_a, buyer_id=buyer["id"], text="Paketet har inte kommit fram.")
    assert d["machine_translated"] is True and d["reply"]["buyer_language"]["locale"] == "sv"
    assert d["reply"]["buyer_language"]["body"].startswith("[sv] ")
    assert "machine-translated" in d["translation_note"]


def test_without_translation_the_draft_says_it_is_in_english(api_a):
    buyer = api_a.post("/buyers", {"name": "Astrid", "email": "astrid@example.se", "country": "SE"}).get_json()
    d = draft(api_a, buyer_id=buyer["id"], text="Paketet har inte kommit fram.")
    assert d["machine_translated"] is False and d["reply"]["buyer_language"]["locale"] == "en"
    assert "machine translation is off" in d["translation_note"]


def test_editing_checks_the_tone_again_and_marks_the_draft_edited(api_a):
    spanish_order(api_a)
    d = draft(api_a, order_ref="#1001")
    r = api_a.patch(f"/drafts/{d['id']}", {"body": "No es nuestra culpa, debería haber leído la descripción."})
    body = r.get_json()
    assert r.status_code == 200 and body["status"] == "edited"
    assert body["tone_warnings"] and body["tone_warnings"][0]["part"] == "body"


def test_the_generated_reply_has_no_tone_warnings(api_a):
    spanish_order(api_a)
    assert draft(api_a, order_ref="#1001")["tone_warnings"] == []


def test_an_approved_draft_is_sent_through_the_outbox_once(api_a):
    spanish_order(api_a)
    d = draft(api_a, order_ref="#1001")
    assert api_a.post(f"/drafts/{d['id']}/approve").get_json()["status"] == "approved"
    sent = api_a.post(f"/drafts/{d['id']}/send")
    body = sent.get_json()
    assert sent.status_code == 200 and body["status"] == "sent"
    assert body["message"]["subject"] == d["reply"]["buyer_language"]["subject"]
    assert body["message"]["kind"] == "conversation" and body["message"]["status"] == "scheduled"
    assert api_a.post(f"/drafts/{d['id']}/send").status_code == 409
    assert len(api_a.get("/messages").get_json()["items"]) == 1


def test_a_draft_is_not_sent_before_it_is_approved(api_a):
    spanish_order(api_a)
    d = draft(api_a, order_ref="#1001")
    r = api_a.post(f"/drafts/{d['id']}/send")
    assert r.status_code == 409 and "status" in r.get_json()["error"]["fields"]


def test_a_sent_draft_cannot_be_edited(api_a):
    spanish_order(api_a)
    d = draft(api_a, order_ref="#1001")
    api_a.post(f"/drafts/{d['id']}/approve")
    api_a.post(f"/drafts/{d['id']}/copied")
    assert api_a.patch(f"/drafts/{d['id']}", {"body": "Hola"}).status_code == 409


def test_the_history_records_each_step(api_a):
    spanish_order(api_a)
    d = draft(api_a, order_ref="#1001")
    api_a.patch(f"/drafts/{d['id']}", {"subject": "Su pedido #1001"})
    api_a.post(f"/drafts/{d['id']}/approve")
    api_a.post(f"/drafts/{d['id']}/copied")
    history = api_a.get(f"/drafts/{d['id']}").get_json()["history"]
    assert [h["action"] for h in history] == ["created", "edited", "approved", "copied"]


def test_the_list_filters_by_status(api_a):
    spanish_order(api_a)
    first = draft(api_a, order_ref="#1001")
    draft(api_a, order_ref="#1001")
    api_a.post(f"/drafts/{first['id']}/approve")
    assert [d["id"] for d in api_a.get("/drafts?status=approved").get_json()["items"]] == [first["id"]]


def test_empty_text_is_a_422_naming_text(api_a):
    r = api_a.post("/drafts", {"kind": "review", "text": "   "})
    assert r.status_code == 422 and r.get_json()["error"]["fields"] == {"text": "must not be empty"}


def test_huge_text_is_a_422_naming_text(api_a):
    r = api_a.post("/drafts", {"kind": "review", "text": "x" * 10_001})
    assert r.status_code == 422 and "text" in r.get_json()["error"]["fields"]


def test_a_rating_outside_one_to_five_is_a_422_naming_rating(api_a):
    r = api_a.post("/drafts", {"kind": "review", "text": "Bad", "rating": 6})
    assert r.status_code == 422 and "rating" in r.get_json()["error"]["fields"]


def test_an_unknown_order_is_a_422_naming_order_ref(api_a):
    r = api_a.post("/drafts", {"kind": "dispute", "text": "Where is it?", "order_ref": "#9999"})
    assert r.status_code == 422 and "order_ref" in r.get_json()["error"]["fields"]


def test_an_unknown_kind_is_a_422_naming_kind(api_a):
    r = api_a.post("/drafts", {"kind": "complaint", "text": "Where is it?"})
    assert r.status_code == 422 and "kind" in r.get_json()["error"]["fields"]


def test_a_bad_request_stores_nothing(api_a):
    api_a.post("/drafts", {"kind": "review", "text": "Bad", "rating": 0})
    assert api_a.get("/drafts").get_json()["items"] == []


def test_another_sellers_buyer_and_draft_are_not_found(api_a, api_b):
    buyer, _ = spanish_order(api_a)
    d = draft(api_a, buyer_id=buyer["id"])
    assert api_b.post("/drafts", {"kind": "message", "text": "Hola", "buyer_id": buyer["id"]}).status_code == 404
    assert api_b.get(f"/drafts/{d['id']}").status_code == 404
    assert api_b.post(f"/drafts/{d['id']}/approve").status_code == 404
    assert api_b.post("/drafts", {"kind": "message", "text": "Hola", "order_ref": "#1001"}).status_code == 422


def test_the_reply_policy_shows_the_defaults_and_takes_changes(api_a):
    before = api_a.get("/reply-policy").get_json()
    assert before["rules"]["poor_quality"] == {"low_value": "refund_partial", "higher_value": "return"}
    r = api_a.put("/reply-policy", {"rules": {"poor_quality": ["refund_full", "refund_full"]}, "sla_hours": 8})
    assert r.status_code == 200 and r.get_json()["sla_hours"] == 8
    assert api_a.get("/reply-policy").get_json()["rules"]["poor_quality"]["low_value"] == "refund_full"


def test_a_bad_policy_is_a_422_naming_the_field(api_a):
    r = api_a.put("/reply-policy", {"rules": {"damaged": ["reship", "nothing"]}})
    assert r.status_code == 422 and list(r.get_json()["error"]["fields"]) == ["rules.damaged.high"]


def test_the_policy_decides_the_drafts_remedy(api_a):
    spanish_order(api_a, scans=None)
    api_a.put("/reply-policy", {"rules": {"poor_quality": ["refund_full", "refund_full"]}})
    d = draft(api_a, kind="review", rating=2, order_ref="#1001", text="La calidad es muy mala, el material parece barato.")
    assert (d["category"], d["remedy"]["key"], d["remedy"]["amount_minor"]) == ("poor_quality", "refund_full", 4500)
