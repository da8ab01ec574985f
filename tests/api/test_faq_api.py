"""/api/v1/faq/suggestions and /api/v1/saved-replies: repeated buyer questions become answers the seller keeps."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from crossborder_crm.accounts.models import Seller
from crossborder_crm.i18n.translation_cache import CachedTranslator
from crossborder_crm.i18n.translator import FakeTranslator

CANADA = ["Do you ship to Canada?", "Hi, do you ship to Canada?", "Do you also ship to Canada please?"]
MEXICO = ["¿Hacen envíos a México?", "Hola, ¿hacen envíos a México?", "¿Hacen ustedes envíos a México?"]


def ask(api, texts, kind="message"):
    buyer = api.post("/buyers", {"name": "Sam Lee", "email": f"sam{len(texts)}-{kind}@example.com",
                                 "country": "CA"}).get_json()
    for text in texts:
        r = api.post("/drafts", {"kind": kind, "text": text, "buyer_id": buyer["id"]})
        assert r.status_code == 201, r.get_json()


def suggestions(api, query=""):
    r = api.get(f"/faq/suggestions{query}")
    assert r.status_code == 200, r.get_json()
    return r.get_json()["items"]


def set_seller_language(services, seller, language):
    with services.db.transaction() as s:
        s.execute(update(Seller).where(Seller.id == seller.seller_id).values(default_language=language))


def test_a_question_asked_three_times_becomes_a_suggestion(api_a):
    ask(api_a, CANADA + ["Can I pay with PayPal?"])
    [item] = suggestions(api_a)
    # The drafts' detected language, with the buyer's country as region.
    assert (item["size"], item["label"], item["language"]) == (3, "Do you ship to Canada?", "en-CA")
    assert item["examples"][0] == "Do you ship to Canada?" and len(item["examples"]) == 3
    assert "canada" in item["terms"]


def test_the_drafted_answer_is_a_template_in_the_sellers_language_with_a_place_for_the_answer(api_a):
    ask(api_a, CANADA)
    [item] = suggestions(api_a)
    assert item["title"] == "Do you ship to Canada?" and item["translated"] is False
    assert item["body"].startswith("Thank you for your question about “Do you ship to Canada?”.")
    assert "[Write your answer here." in item["body"]


def test_a_question_asked_twice_is_not_suggested(api_a):
    ask(api_a, CANADA[:2])
    assert suggestions(api_a) == []


def test_complaints_are_not_questions(api_a):
    ask(api_a, ["The parcel arrived broken.", "The parcel arrived broken!", "My parcel arrived broken."],
        kind="dispute")
    assert suggestions(api_a) == []


def test_only_messages_received_within_days_count(api_a, clock):
    ask(api_a, CANADA)
    clock.advance(timedelta(days=10))
    assert suggestions(api_a, "?days=7") == []
    assert len(suggestions(api_a, "?days=30")) == 1


def test_a_question_in_another_language_gets_a_machine_translated_title(api_a, services):
    ask(api_a, MEXICO)
    services.translator = CachedTranslator(FakeTranslator(), services.db, services.clock)
    [item] = suggestions(api_a)
    assert item["language"] == "es" and item["label"] == "¿Hacen envíos a México?"
    assert (item["title"], item["translated"]) == ("[en] ¿Hacen envíos a México?", True)


def test_without_a_translator_the_title_stays_as_the_buyer_wrote_it(api_a, services):
    services.translator = None
    ask(api_a, MEXICO)
    [item] = suggestions(api_a)
    assert (item["title"], item["translated"]) == ("¿Hacen envíos a México?", False)


def test_a_failing_translator_leaves_the_title_untranslated(api_a, services):
    ask(api_a, MEXICO)
    services.translator = FakeTranslator(fail="timeout after 5 s")
    [item] = suggestions(api_a)
    assert (item["title"], item["translated"]) == ("¿Hacen envíos a México?", False)


def test_a_chinese_speaking_seller_gets_the_template_in_chinese(api_a, services, seller_a):
    set_seller_language(services, seller_a, "zh-CN")
    ask(api_a, CANADA)
    [item] = suggestions(api_a)
    assert item["body"].startswith("感谢您关于“Do you ship to Canada?”的提问。")


def test_days_out_of_range_is_refused_naming_days(api_a):
    r = api_a.get("/faq/suggestions?days=0")
    assert r.status_code == 422 and "days" in r.get_json()["error"]["fields"]


def test_another_sellers_buyers_questions_are_not_suggested(api_a, api_b):
    ask(api_a, CANADA)
    assert suggestions(api_b) == []


def save(api, **body):
    r = api.post("/saved-replies", {"title": "Shipping to Canada", "body": "Yes, in 7-12 days.", **body})
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def test_a_suggestion_approved_becomes_a_saved_reply(api_a):
    ask(api_a, CANADA)
    [item] = suggestions(api_a)
    body = item["body"].replace("[Write your answer here. Once saved, it is ready for every buyer who asks this.]",
                                "Yes: 7-12 days by Canada Post, tracked.")
    saved = save(api_a, title=item["title"], body=body, source="faq")
    assert (saved["title"], saved["source"], saved["language"]) == ("Do you ship to Canada?", "faq", "en")
    assert api_a.get("/saved-replies").get_json()["items"] == [saved]


def test_a_typed_reply_is_manual_and_in_the_sellers_language_by_default(api_a, services, seller_a):
    set_seller_language(services, seller_a, "zh-CN")
    saved = save(api_a)
    assert (saved["source"], saved["language"], saved["created_at"]) == ("manual", "zh-CN", "2026-03-10T02:00:00Z")


def test_saved_replies_are_listed_newest_first(api_a):
    first, second = save(api_a, title="First"), save(api_a, title="Second")
    assert [r["id"] for r in api_a.get("/saved-replies").get_json()["items"]] == [second["id"], first["id"]]


def test_a_deleted_reply_is_gone(api_a):
    saved = save(api_a)
    assert api_a.delete(f"/saved-replies/{saved['id']}").status_code == 204
    assert api_a.get("/saved-replies").get_json()["items"] == []
    assert api_a.delete(f"/saved-replies/{saved['id']}").status_code == 404


def test_an_empty_title_is_refused_naming_title(api_a):
    r = api_a.post("/saved-replies", {"title": "  ", "body": "Yes."})
    assert r.status_code == 422 and list(r.get_json()["error"]["fields"]) == ["title"]
    assert api_a.get("/saved-replies").get_json()["items"] == []


def test_a_too_long_title_is_refused_naming_title(api_a):
    r = api_a.post("/saved-replies", {"title": "x" * 201, "body": "Yes."})
    assert r.status_code == 422 and list(r.get_json()["error"]["fields"]) == ["title"]


def test_an_empty_body_is_refused_naming_body(api_a):
    r = api_a.post("/saved-replies", {"title": "Shipping", "body": ""})
    assert r.status_code == 422 and list(r.get_json()["error"]["fields"]) == ["body"]


def test_a_too_long_body_is_refused_naming_body(api_a):
    r = api_a.post("/saved-replies", {"title": "Shipping", "body": "x" * 20_001})
    assert r.status_code == 422 and list(r.get_json()["error"]["fields"]) == ["body"]


def test_an_unknown_source_is_refused_naming_source(api_a):
    r = api_a.post("/saved-replies", {"title": "Shipping", "body": "Yes.", "source": "magic"})
    assert r.status_code == 422 and list(r.get_json()["error"]["fields"]) == ["source"]


def test_a_language_that_is_not_a_tag_is_refused_naming_language(api_a):
    r = api_a.post("/saved-replies", {"title": "Shipping", "body": "Yes.", "language": "english please"})
    assert r.status_code == 422 and list(r.get_json()["error"]["fields"]) == ["language"]


def test_another_seller_sees_no_saved_replies_and_cannot_delete_them(api_a, api_b):
    saved = save(api_a)
    assert api_b.get("/saved-replies").get_json()["items"] == []
    r = api_b.delete(f"/saved-replies/{saved['id']}")
    assert r.status_code == 404 and r.get_json()["error"]["code"] == "not_found"
    assert [x["id"] for x in api_a.get("/saved-replies").get_json()["items"]] == [saved["id"]]
